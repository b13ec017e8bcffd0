/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Customer neighbours, one per peering link and family: the customer's
 * address on a link /30 (/126) is the only neighbour there, so the table
 * is a direct array. Entries are learned from ARP / ND (or static from the
 * config), refreshed by the customer's own traffic, probed before they
 * expire, and age out. Frames toward an unresolved customer wait in a
 * small bounded hold queue per peering and family (never more than
 * ERDP_HOLD_MAX mbufs each, ERDP_HOLD_TIMEOUT_MS at most) or are dropped
 * and counted as neighbor_unresolved.
 *
 * Everything here runs on the main lcore. A change of MAC rebuilds the
 * peering's next hops and publishes them under RCU.
 */
#ifndef ERDP_NEIGH_H
#define ERDP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

struct erdp_dp;

#define ERDP_HOLD_MAX	     8
#define ERDP_HOLD_TIMEOUT_MS 3000
#define ERDP_NEIGH_PROBE_MS  1000 /* at most one ARP/NS per link and second */

enum erdp_neigh_state { ERDP_NEIGH_NONE = 0, ERDP_NEIGH_REACHABLE = 1, ERDP_NEIGH_STATIC = 2 };

struct erdp_neigh {
	struct rte_ether_addr mac;
	uint8_t state;	     /* enum erdp_neigh_state */
	uint64_t updated;    /* TSC of the last learn/refresh */
	uint64_t last_probe; /* TSC of the last ARP request / NS we sent */
};

struct erdp_hold {
	uint16_t n;
	uint64_t since; /* TSC of the oldest held frame */
	struct rte_mbuf *m[ERDP_HOLD_MAX];
};

/* Seconds: reachable entries are probed after `refresh`, forgotten after `timeout`. */
extern unsigned int erdp_neigh_refresh_s;
extern unsigned int erdp_neigh_timeout_s;

int erdp_neigh_init(struct erdp_dp *dp);
void erdp_neigh_free(struct erdp_dp *dp);

/* Entry of a peering link for IPv4 (v6 = false) or IPv6. */
struct erdp_neigh *erdp_neigh_get(struct erdp_dp *dp, unsigned int plink, bool v6);

/* The customer at `plink` has `mac` (from ARP/ND). Republishes next hops on change. */
void erdp_neigh_learn(struct erdp_dp *dp, unsigned int plink, bool v6,
		      const struct rte_ether_addr *mac);

/* A frame whose next hop has no resolved customer link: hold it and resolve. */
void erdp_neigh_hold(struct erdp_dp *dp, struct rte_mbuf *m);

/* At shutdown, before the final counters: frames still waiting count as drops. */
void erdp_neigh_drop_held(struct erdp_dp *dp);

/* Periodic work: probes, expiry, hold-queue timeouts. */
void erdp_neigh_tick(struct erdp_dp *dp);

/* Rebuild and publish the next hops of a peering (after a neighbour change). */
int erdp_nh_republish_peering(struct erdp_dp *dp, unsigned int peering);

/* Free RCU-retired next hops whose grace period is over. */
void erdp_nh_reclaim(struct erdp_dp *dp);

#endif
