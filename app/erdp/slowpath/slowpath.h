/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path: frames the workers hand to the main lcore, and what
 * erdp itself originates (ARP/ND, ICMP, health probes).
 *
 * Who: the main lcore only, from its poll loop; nothing here runs on a
 * worker. Frames arrive on the workers' punt rings (input.c) with their
 * metadata: ingress port and peering link, VRF, why they were punted.
 * What it writes: the main lcore's counter block, the neighbour table and
 * hold queues (neigh.c), gateway health state (health.c); next hops only
 * through nexthop/ (RCU publish).
 * Output: only workers own TX queues, so whatever erdp sends from here goes
 * through a worker's inject ring (output.c); a full ring is a counted
 * tx_full drop. Each punted frame ends in exactly one counter: forwarded
 * (tx), answered (local) or a drop reason.
 */
#ifndef ERDP_SLOWPATH_H
#define ERDP_SLOWPATH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/* ---- input.c: the punt rings ---- */

/* Take what the workers punted and handle it; periodic neighbour work; reclaim next hops. */
void erdp_slowpath_poll(struct erdp_dp *dp);

/* ---- output.c: counting, sending and building frames ---- */

/* Count m under `reason` on its ingress port/link and free it. */
void erdp_sp_drop(struct erdp_dp *dp, struct rte_mbuf *m, enum erdp_drop reason);

/*
 * A frame addressed to erdp (ARP, ND, echo) counts as local_packets once,
 * whatever erdp does with it; a reply erdp sends counts as tx. Replies built
 * in place in the request's mbuf call erdp_sp_count_local first.
 */
void erdp_sp_count_local(struct erdp_dp *dp, const struct rte_mbuf *m);
/* m was consumed by erdp (answered, learned): count it as local and free it. */
void erdp_sp_consumed(struct erdp_dp *dp, struct rte_mbuf *m);

/* Send a finished frame out config port `port`; `plink` (or ERDP_PLINK_NONE) gets the tx count. */
void erdp_sp_send(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t port, uint16_t plink);

/* Turn m's L2 header around in place (dst = old src, src = the port's MAC, same tags). */
void erdp_sp_turn_l2(struct erdp_dp *dp, struct rte_mbuf *m);

/*
 * A new frame back toward where m came from: m's L2 header turned around,
 * with room for `l3_len` bytes of L3 after it (returned in *l3). NULL when
 * the pool is empty.
 */
struct rte_mbuf *erdp_sp_reply_alloc(struct erdp_dp *dp, struct rte_mbuf *m, uint16_t etype,
				     uint16_t l3_len, uint8_t **l3);

/* A new frame with l2's header and `etype`, room for l3_len bytes at *l3; NULL if no mbuf. */
struct rte_mbuf *erdp_sp_frame_alloc(struct erdp_dp *dp, const struct erdp_l2 *l2, uint16_t etype,
				     uint16_t l3_len, uint8_t **l3);

/* Forward m (IP, not yet rewritten) through egress member l2: TTL, L2, send. */
void erdp_sp_forward(struct erdp_dp *dp, struct rte_mbuf *m, const struct erdp_l2 *l2);

/* Source address for erdp's own IPv4/IPv6 packets sent in reply to m; false if none. */
bool erdp_sp_src4(struct erdp_dp *dp, struct rte_mbuf *m, uint32_t *src);
bool erdp_sp_src6(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t src[16]);

/* ---- arp.c ---- */
void erdp_arp_input(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_arp_request(struct erdp_dp *dp, unsigned int peering, unsigned int link);
/* Who has tip? tell sip (host order; 0 = an RFC 5227 probe), from l2's source MAC. */
struct rte_mbuf *erdp_arp_request_frame(struct erdp_dp *dp, const struct erdp_l2 *l2, uint32_t sip,
					uint32_t tip);

/* ---- nd.c: ND and ICMPv6 to MSEE addresses ---- */
void erdp_nd_input(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_nd_solicit(struct erdp_dp *dp, unsigned int peering, unsigned int link);

/* ---- icmp.c ---- */
void erdp_local_input(struct erdp_dp *dp, struct rte_mbuf *m); /* to an MSEE address */
void erdp_ttl_expired(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_too_big(struct erdp_dp *dp, struct rte_mbuf *m);
bool erdp_icmp_allow(struct erdp_dp *dp); /* ICMP error rate limit (token bucket) */
/* m (punted, IPv4 ICMP or IPv6 ICMPv6) carries a right ICMP / ICMPv6 checksum. */
bool erdp_icmp_cksum_ok(const struct rte_mbuf *m);

/* ---- neigh.c: customer neighbours and hold queues ---- */

/*
 * Entries are learned from ARP / ND (or static from the config), refreshed
 * by the customer's own traffic, probed before they expire, and age out.
 * Frames toward an unresolved customer wait in a small bounded hold queue
 * per peering and family (never more than ERDP_HOLD_MAX mbufs each,
 * ERDP_HOLD_TIMEOUT_MS at most) or are dropped and counted as
 * neighbor_unresolved. A change of MAC republishes the peering's next hops.
 */
#define ERDP_HOLD_MAX	     8
#define ERDP_HOLD_TIMEOUT_MS 3000
#define ERDP_NEIGH_PROBE_MS  1000 /* at most one ARP/NS per link and second */

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
/* The customer at `plink` has `mac` (from ARP/ND). Republishes next hops on change. */
void erdp_neigh_learn(struct erdp_dp *dp, unsigned int plink, bool v6,
		      const struct rte_ether_addr *mac);
/* A frame whose next hop has no resolved customer link: hold it and resolve. */
void erdp_neigh_hold(struct erdp_dp *dp, struct rte_mbuf *m);
/* At shutdown, before the final counters: frames still waiting count as drops. */
void erdp_neigh_drop_held(struct erdp_dp *dp);
/* Periodic work: probes, expiry, hold-queue timeouts. */
void erdp_neigh_tick(struct erdp_dp *dp);

/* ---- health.c: ARP health probes of gateway instances that have an address ---- */
void erdp_health_poll(struct erdp_dp *dp);
/* An ARP reply from `ip` on gateway port `port` VLAN `vlan`: that instance is alive. */
void erdp_health_reply(struct erdp_dp *dp, uint8_t port, uint16_t vlan, uint32_t ip);

#endif
