/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit: per-port TX buffers of a worker (struct erdp_txb in dp.h) and
 * the burst that empties them. A buffer is sent when it fills and at the
 * end of every poll loop. Ports with fewer TX queues than workers (net_pcap
 * has one) are shared under a per-queue lock; every other queue belongs to
 * one worker.
 *
 * Frames under Ethernet's 60-byte minimum (a 64-byte frame that lost its
 * QinQ tags, an ARP request) are padded with zeros on ports that do not
 * pad in hardware (virtual devices), so that the peer does not see runts.
 *
 * Counting: tx of the port and of each frame's peering link for what the
 * queue took; a frame it refuses is freed and counted as tx_full on the
 * egress port and link (the frame got that far: its RX side was counted
 * when it arrived).
 */
#ifndef ERDP_DATAPATH_TX_H
#define ERDP_DATAPATH_TX_H

#include <rte_ethdev.h>
#include <rte_spinlock.h>

#include "dp.h"
#include "erdp_tags.h"

/*
 * Zero-pad m to the Ethernet minimum. A one-segment frame with room behind
 * it (every frame erdp builds or receives into its own pool) gets one
 * fixed-size store of zeros, which compiles to a few vector stores instead
 * of a call; anything else goes through rte_pktmbuf_append.
 */
static inline void erdp_tx_pad(struct rte_mbuf *m)
{
	uint16_t add = (uint16_t)(ERDP_ETH_MIN_FRAME - m->pkt_len);
	char *p;

	if (likely(m->nb_segs == 1 && rte_pktmbuf_tailroom(m) >= ERDP_ETH_MIN_FRAME)) {
		memset(rte_pktmbuf_mtod_offset(m, char *, m->data_len), 0, ERDP_ETH_MIN_FRAME);
		m->data_len = (uint16_t)(m->data_len + add);
		m->pkt_len += add;
		return;
	}
	p = rte_pktmbuf_append(m, add);
	if (p != NULL) /* no tailroom: send it short rather than not at all */
		memset(p, 0, add);
}

/* Send what worker w buffered for config port cfg_port; returns how many the queue took. */
static inline uint16_t erdp_tx_burst(const struct erdp_dp *dp, struct erdp_worker *w,
				     uint8_t cfg_port)
{
	struct erdp_txb *t = &w->txb[cfg_port];
	/* The TX queue lock is the one thing in the shared state a worker writes. */
	struct erdp_port *p = (struct erdp_port *)(uintptr_t)&dp->port[cfg_port];
	struct erdp_counters *c = w->ctr;
	uint16_t queue = w->txq[cfg_port], n = t->n, sent;
	bool pad = p->pad_short;
	uint32_t len[ERDP_TXB_MAX];
	uint64_t bytes = 0;

	/* The PMD may free a frame as soon as it is sent: take lengths first. */
	for (uint16_t i = 0; i < n; i++) {
		if (pad && unlikely(t->m[i]->pkt_len < ERDP_ETH_MIN_FRAME))
			erdp_tx_pad(t->m[i]);
		len[i] = t->m[i]->pkt_len;
	}
	if (p->shared_txq)
		rte_spinlock_lock(&p->txq_lock[queue]);
	sent = rte_eth_tx_burst(p->port_id, queue, t->m, n);
	if (p->shared_txq)
		rte_spinlock_unlock(&p->txq_lock[queue]);
	for (uint16_t i = 0; i < sent; i++) {
		uint16_t pl = t->plink[i];

		bytes += len[i];
		if (pl != ERDP_PLINK_NONE) {
			c->plink[pl].tx_pkts++;
			c->plink[pl].tx_bytes += len[i];
		}
	}
	for (uint16_t i = sent; i < n; i++) {
		if (t->plink[i] != ERDP_PLINK_NONE)
			c->plink_drop[t->plink[i]][ERDP_DROP_TX_FULL]++;
		c->port_drop[cfg_port][ERDP_DROP_TX_FULL]++;
		rte_pktmbuf_free(t->m[i]);
	}
	c->port[cfg_port].tx_pkts += sent;
	c->port[cfg_port].tx_bytes += bytes;
	t->n = 0;
	return sent;
}

/* Buffer m for cfg_port, counted on peering link plink (ERDP_PLINK_NONE: none). */
static inline void erdp_tx_enqueue(const struct erdp_dp *dp, struct erdp_worker *w,
				   uint8_t cfg_port, struct rte_mbuf *m, uint16_t plink)
{
	struct erdp_txb *t = &w->txb[cfg_port];

	t->plink[t->n] = plink;
	t->m[t->n++] = m;
	if (unlikely(t->n == ERDP_TXB_MAX))
		erdp_tx_burst(dp, w, cfg_port);
}

/* Send what every TX buffer of w holds. */
static inline void erdp_tx_flush(const struct erdp_dp *dp, struct erdp_worker *w)
{
	for (int p = 0; p < dp->cfg->n_ports; p++)
		if (w->txb[p].n != 0)
			erdp_tx_burst(dp, w, (uint8_t)p);
}

#endif
