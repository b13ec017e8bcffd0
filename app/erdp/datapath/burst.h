/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the stages of one burst share: per frame, what parsing learned; per
 * routed frame (IPv4 first, then IPv6), its next hop and flow hash. Lives
 * on the worker's stack for one burst; nothing in it outlives the burst.
 */
#ifndef ERDP_DATAPATH_BURST_H
#define ERDP_DATAPATH_BURST_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "receive.h"

/* One received frame, as parsing classified it. */
struct erdp_pkt {
	uint16_t l3_off;
	uint16_t plink; /* ingress peering link or ERDP_PLINK_NONE */
	uint16_t vrf;
	uint16_t etype;
	uint32_t len; /* frame length, for the link's RX counter (counted after the lookup) */
};

struct erdp_burst {
	const struct erdp_dp *dp;
	struct erdp_worker *w;
	struct erdp_counters *ctr; /* the worker's own block */
	uint8_t cfg_port;	   /* where the burst came in */
	struct erdp_rx_mac rx_mac; /* its MAC, for the receive rules */
	uint16_t n;		   /* frames in the burst */
	struct erdp_pkt pkt[ERDP_BURST_MAX];
	/* dropped frames, freed in bulk at the end of the burst */
	uint16_t n_free;
	struct rte_mbuf *free[ERDP_BURST_MAX];
	/* lookup keys, per family (parse) */
	uint16_t n4;
	uint16_t vrf4[ERDP_BURST_MAX];
	uint32_t dst4[ERDP_BURST_MAX];
	uint16_t n6;
	uint16_t idx6[ERDP_BURST_MAX]; /* burst index of each IPv6 key */
	uint16_t vrf6[ERDP_BURST_MAX];
	uint8_t dst6[ERDP_BURST_MAX][16];
	/*
	 * Routed frames, k in [0, n4 + n6): the n4 IPv4 frames first, then the
	 * IPv6 ones (lookup appends them), so that the forward stage walks one
	 * list. routed[k] is the frame's index in the burst.
	 */
	uint16_t routed[ERDP_BURST_MAX];
	uint32_t nh_id[ERDP_BURST_MAX];		  /* lookup: the route's next-hop id */
	const struct erdp_nh *nh[ERDP_BURST_MAX]; /* forward: the published next hop */
	uint32_t hash[ERDP_BURST_MAX];		  /* forward: flow hash (0 if not needed) */
};

/* Routed frame k is IPv6 (after the n4 IPv4 ones). */
static inline bool erdp_routed_v6(const struct erdp_burst *b, uint16_t k)
{
	return k >= b->n4;
}

#endif
