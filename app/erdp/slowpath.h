/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Main-lcore exception path: shared helpers and the protocol handlers.
 *
 * Frames arrive from the workers' punt rings with their metadata (ingress
 * port and peering link, VRF, why). Whatever erdp sends from here (ARP
 * and ND replies and requests, ICMP, fragments, released held frames) goes
 * out through a worker's inject ring, because only workers own TX queues.
 * Each punted frame ends in exactly one counter: forwarded (tx), answered
 * (local) or a drop reason.
 */
#ifndef ERDP_SLOWPATH_H
#define ERDP_SLOWPATH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/* Count m under `reason` on its ingress port/link and free it. */
void erdp_sp_drop(struct erdp_dp *dp, struct rte_mbuf *m, unsigned int reason);

/*
 * A frame addressed to erdp (ARP, ND, echo) counts as local_packets once,
 * whatever erdp does with it; a reply erdp sends counts as tx. Replies built
 * in place in the request's mbuf call erdp_sp_count_local first.
 */
void erdp_sp_count_local(struct erdp_dp *dp, const struct rte_mbuf *m);
/* m was consumed by erdp (answered, learned): count it as local and free it. */
void erdp_sp_consumed(struct erdp_dp *dp, struct rte_mbuf *m);

/* Send a finished frame out config port `port`; `plink` (or 0xffff) gets the tx count. */
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

/* arp.c */
void erdp_arp_input(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_arp_request(struct erdp_dp *dp, unsigned int peering, unsigned int link);
/* Who has tip? tell sip (host order; 0 = an RFC 5227 probe), from l2's source MAC. */
struct rte_mbuf *erdp_arp_request_frame(struct erdp_dp *dp, const struct erdp_l2 *l2, uint32_t sip,
					uint32_t tip);

/* ndp.c: ND and ICMPv6 to MSEE addresses */
void erdp_nd_input(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_nd_solicit(struct erdp_dp *dp, unsigned int peering, unsigned int link);

/* icmp.c */
void erdp_local_input(struct erdp_dp *dp, struct rte_mbuf *m); /* to an MSEE address */
void erdp_ttl_expired(struct erdp_dp *dp, struct rte_mbuf *m);
void erdp_too_big(struct erdp_dp *dp, struct rte_mbuf *m);
bool erdp_icmp_allow(struct erdp_dp *dp); /* ICMP error rate limit (token bucket) */

#endif
