/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage 3, forward: for each routed frame, the published next hop, the
 * member (gateway instance by flow hash, or customer link), TTL and L2
 * rewrite, then the egress port's TX buffer (tx.h). Frames for an MSEE
 * address, with an expiring TTL, too big for the egress, or toward a
 * customer whose MAC is not known yet are punted to the main lcore.
 *
 * Three passes over the routed frames, so that the misses of one pass
 * overlap the work of the previous one: next-hop lines (prefetched while
 * the burst's RX counters are written), flow hashes, then rewrite and TX.
 */
#ifndef ERDP_DATAPATH_FORWARD_H
#define ERDP_DATAPATH_FORWARD_H

#include <rte_ip.h>
#include <rte_prefetch.h>

#include "erdp_ecmp.h"
#include "erdp_rewrite.h"
#include "exit.h"
#include "tx.h"

/* RX counters of the burst's peering links, whose lines erdp_parse_one() prefetched. */
static inline void erdp_account_rx(struct erdp_burst *b)
{
	struct erdp_ctr *pl = b->ctr->plink;

	for (uint16_t i = 0; i < b->n; i++) {
		const struct erdp_pkt *pkt = &b->pkt[i];

		if (pkt->plink != ERDP_PLINK_NONE) {
			pl[pkt->plink].rx_pkts++;
			pl[pkt->plink].rx_bytes += pkt->len;
		}
	}
}

/* Pass 1: next-hop pointer of routed frame k; prefetch its header, bucket and member lines. */
static inline void erdp_forward_fetch(struct erdp_burst *b, uint16_t k)
{
	uint32_t id = b->nh_id[k];
	const struct erdp_nh *nh = id == ERDP_FIB_NO_ROUTE ? NULL : erdp_nh_get(&b->dp->nh, id);

	b->nh[k] = nh;
	if (nh != NULL)
		for (unsigned int off = 0; off < ERDP_NH_HOT_BYTES; off += RTE_CACHE_LINE_SIZE)
			rte_prefetch0((const uint8_t *)nh + off);
}

/* Pass 2: the flow hash, only where the next hop has members to choose from. */
static inline void erdp_forward_hash(struct erdp_burst *b, const struct rte_mbuf *m, uint16_t k)
{
	const struct erdp_nh *nh = b->nh[k];
	uint16_t l3_off = b->pkt[b->routed[k]].l3_off;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off);
	uint32_t len = m->pkt_len - l3_off;

	b->hash[k] = 0;
	if (nh == NULL || nh->type <= ERDP_NH_LOCAL || nh->n_members < 2)
		return;
	b->hash[k] = erdp_routed_v6(b, k) ? erdp_flow_hash6(l3, len) : erdp_flow_hash4(l3, len);
}

/* Pass 3: act on routed frame k's next hop. */
static inline void erdp_forward_one(struct erdp_burst *b, struct rte_mbuf *m, uint16_t k)
{
	const struct erdp_pkt *pkt = &b->pkt[b->routed[k]];
	const struct erdp_nh *nh = b->nh[k];
	bool v6 = erdp_routed_v6(b, k);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, pkt->l3_off);
	enum erdp_drop reason = ERDP_DROP_NO_ROUTE;
	const struct erdp_l2 *l2;
	uint32_t ip_len;
	uint8_t ttl;

	if (unlikely(nh == NULL)) {
		erdp_burst_drop(b, m, ERDP_DROP_NO_ROUTE, ERDP_CLS_NONE, pkt->plink);
		return;
	}
	if (unlikely(nh->type <= ERDP_NH_LOCAL)) {
		if (nh->type == ERDP_NH_LOCAL)
			erdp_burst_punt(b, m, pkt, ERDP_PUNT_LOCAL, b->nh_id[k], 0);
		else
			erdp_burst_drop(b, m,
					nh->type == ERDP_NH_BROADCAST ? ERDP_DROP_IPV4_BCAST
								      : ERDP_DROP_BLACKHOLE,
					ERDP_CLS_NONE, pkt->plink);
		return;
	}
	ttl = v6 ? ((struct rte_ipv6_hdr *)l3)->hop_limits
		 : ((struct rte_ipv4_hdr *)l3)->time_to_live;
	if (unlikely(ttl <= 1)) {
		erdp_burst_punt(b, m, pkt, ERDP_PUNT_TTL, b->nh_id[k], 0);
		return;
	}
	l2 = erdp_nh_select_hash(nh, b->hash[k], v6, &reason);
	if (unlikely(l2 == NULL)) {
		if (reason == ERDP_DROP_NEIGH)
			erdp_burst_punt(b, m, pkt, ERDP_PUNT_NEIGH, b->nh_id[k], 0);
		else
			erdp_burst_drop(b, m, reason, ERDP_CLS_NONE, pkt->plink);
		return;
	}
	ip_len = v6 ? rte_be_to_cpu_16(((struct rte_ipv6_hdr *)l3)->payload_len) + 40u
		    : rte_be_to_cpu_16(((struct rte_ipv4_hdr *)l3)->total_length);
	if (unlikely(ip_len > l2->mtu)) {
		erdp_burst_punt(b, m, pkt, ERDP_PUNT_MTU, b->nh_id[k], (uint8_t)(l2 - nh->m));
		return;
	}
	if (v6)
		((struct rte_ipv6_hdr *)l3)->hop_limits--;
	else
		erdp_ipv4_ttl_dec((struct rte_ipv4_hdr *)l3);
	if (unlikely(erdp_rewrite_l2(m, pkt->l3_off, l2, pkt->etype) == NULL)) {
		erdp_burst_drop(b, m, ERDP_DROP_TRUNCATED, ERDP_CLS_NONE, pkt->plink);
		return;
	}
	if (l2->plink != ERDP_PLINK_NONE) /* counted by erdp_tx_burst() */
		rte_prefetch0(&b->ctr->plink[l2->plink]);
	erdp_tx_enqueue(b->dp, b->w, (uint8_t)l2->cfg_port, m, l2->plink);
}

/* Stage 3 over the burst's routed frames; then free the burst's dropped frames. */
static inline void erdp_stage_forward(struct erdp_burst *b, struct rte_mbuf **pkts)
{
	uint16_t n_routed = b->n4 + b->n6, k;

	for (k = 0; k < n_routed; k++)
		erdp_forward_fetch(b, k);
	erdp_account_rx(b);
	for (k = 0; k < n_routed; k++)
		erdp_forward_hash(b, pkts[b->routed[k]], k);
	for (k = 0; k < n_routed; k++)
		erdp_forward_one(b, pkts[b->routed[k]], k);
	if (b->n_free != 0)
		rte_pktmbuf_free_bulk(b->free, b->n_free);
}

#endif
