/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two ways a frame leaves the fast path other than TX: a counted drop
 * (freed in bulk at the end of the burst) or a punt to the main lcore
 * (slowpath/) with its metadata. Every drop is counted on the RX port and,
 * when known, on the peering link, else on the circuit.
 */
#ifndef ERDP_DATAPATH_EXIT_H
#define ERDP_DATAPATH_EXIT_H

#include <rte_ring.h>

#include "burst.h"

static inline void erdp_burst_drop(struct erdp_burst *b, struct rte_mbuf *m, enum erdp_drop reason,
				   uint16_t circuit, uint16_t plink)
{
	struct erdp_counters *c = b->ctr;

	c->port_drop[b->cfg_port][reason]++;
	if (plink != ERDP_PLINK_NONE)
		c->plink_drop[plink][reason]++;
	else if (circuit != ERDP_CLS_NONE)
		c->circuit_drop[circuit][reason]++;
	b->free[b->n_free++] = m;
}

/* Hand m to the main lcore; a full punt ring is a punt_queue_full drop. */
static inline void erdp_burst_punt(struct erdp_burst *b, struct rte_mbuf *m,
				   const struct erdp_pkt *pkt, enum erdp_punt why, uint32_t nh_id,
				   uint8_t member)
{
	struct erdp_meta *meta = erdp_meta(m);

	meta->plink = pkt->plink;
	meta->vrf = pkt->vrf;
	meta->l3_off = pkt->l3_off;
	meta->in_port = b->cfg_port;
	meta->punt = (uint8_t)why;
	meta->etype = pkt->etype;
	meta->nh_id = nh_id;
	meta->member = member;
	if (rte_ring_sp_enqueue(b->w->punt, m) != 0)
		erdp_burst_drop(b, m, ERDP_DROP_PUNT_FULL, ERDP_CLS_NONE, pkt->plink);
}

#endif
