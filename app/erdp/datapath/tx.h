/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit: per-port TX buffers of a worker (struct erdp_txb in dp.h) and
 * the burst that empties them. A buffer is sent when it fills and at the
 * end of every poll loop. Ports with fewer TX queues than workers (net_pcap
 * has one) are shared under a per-queue lock; every other queue belongs to
 * one worker.
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

/* Send what worker w buffered for config port cfg_port; returns how many the queue took. */
static inline uint16_t erdp_tx_burst(const struct erdp_dp *dp, struct erdp_worker *w,
				     uint8_t cfg_port)
{
	struct erdp_txb *t = &w->txb[cfg_port];
	/* The TX queue lock is the one thing in the shared state a worker writes. */
	struct erdp_port *p = (struct erdp_port *)(uintptr_t)&dp->port[cfg_port];
	struct erdp_counters *c = w->ctr;
	uint16_t queue = w->txq[cfg_port], n = t->n, sent;
	uint32_t len[ERDP_TXB_MAX];
	uint64_t bytes = 0;

	/* The PMD may free a frame as soon as it is sent: take lengths first. */
	for (uint16_t i = 0; i < n; i++)
		len[i] = t->m[i]->pkt_len;
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
