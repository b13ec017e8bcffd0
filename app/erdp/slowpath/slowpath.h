/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path: frames the workers hand to the main lcore, and what
 * erdp itself originates (ARP/ND, ICMP, health probes), and, with
 * bgp.enabled, the host: a tap per peering link in the peering's network
 * namespace, where the MSEE's BGP and BFD run (host.c).
 *
 * Who: the main lcore only, from its poll loop; nothing here runs on a
 * worker. Frames arrive on the workers' punt rings (input.c) with their
 * metadata: ingress port and peering link, VRF, why they were punted, and
 * from the taps (host.c), which only the main lcore polls.
 * What it writes: the main lcore's counter block, the neighbour table and
 * hold queues (neigh.c), gateway health state (health.c), the taps and
 * their counters (host.c); next hops only through nexthop/ (RCU publish).
 * Output: only workers own the ports' TX queues, so whatever erdp sends
 * toward a port goes through a worker's inject ring (output.c); a full
 * ring is a counted tx_full drop. The taps' TX queues are the main lcore's.
 * Each punted frame ends in exactly one counter: forwarded (tx), answered
 * or handed to the host (local) or a drop reason; each frame from the host
 * in tx of its link or a drop reason (after host_rx).
 */
#ifndef ERDP_SLOWPATH_H
#define ERDP_SLOWPATH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "erdp_err.h"

/* ---- input.c: the punt rings ---- */

/*
 * Take what the workers punted and what the host sent and handle it;
 * periodic neighbour work; reclaim next hops. Returns the frames handled
 * (the main loop does not sleep while there are any).
 */
unsigned int erdp_slowpath_poll(struct erdp_dp *dp);

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

/* Forward m (IP, not yet rewritten) through egress member l2: TTL (not the host's), L2, send. */
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

/* ---- host.c: the exception path to the host (bgp.enabled) ---- */

/*
 * Per peering link, a net_tap interface ("primary" / "secondary") in the
 * peering's namespace (erdp_peering_namespace, created if missing) with the
 * link's port MAC and MTU, NOARP, up, the link's MSEE addresses. The
 * main lcore creates it at start, inside the namespace (probe, queue set-up
 * and start all there: net_tap opens its queues by interface name in the
 * caller's namespace), with `persist`: the interface and its addresses
 * outlive erdp, and a restarted erdp attaches to it again.
 *
 * To the host: what a peering link receives for an MSEE address and erdp
 * does not answer itself (not ARP/ND, not ping) loses its tags, gets the
 * tap's MAC as destination and goes to the link's tap, through a token
 * bucket per link (bgp.host_rate_pps / host_burst) of which a quarter
 * (ERDP_HOST_RESERVED_SHARE) only BGP and BFD from the link's customer
 * address may take (TCP port 179, UDP 3784/4784); over it: host_rate_limited,
 * tap full: host_queue_full. Counted as local on the link, and host tx.
 * From the host: IPv4/IPv6 unicast gets the link's one-link next hop
 * (customer MAC, port MAC, tags; no TTL change: the MSEE originates it) and
 * leaves through the inject ring as the link's tx; held while the customer
 * MAC is unresolved (neigh.c); ARP, multicast and the rest: host_not_unicast.
 * A peering link that is admin down passes nothing either way (link_down).
 * Without bgp.enabled (or in a portless set-up without an attached port)
 * such frames stay local_unhandled drops.
 */
#define ERDP_HOST_RESERVED_SHARE 4  /* 1/4 of the rate and the burst: BGP and BFD only */
#define ERDP_HOST_RX_DESC	 64 /* mbufs a tap's RX queue holds (one frame, scattered) */
#define ERDP_HOST_TX_DESC	 256
#define ERDP_HOST_NO_PORT	 0xffffu

/* Token bucket, integer: a frame costs hz units, every clock tick adds `rate` units. */
struct erdp_tb {
	uint64_t tokens;
	uint64_t cap; /* burst x hz */
	uint64_t rate;
	uint64_t hz;
	uint64_t last;
};

struct erdp_host_policer {
	struct erdp_tb reserved; /* BGP and BFD only */
	struct erdp_tb shared;	 /* everything, BGP and BFD when their share is empty */
};

/* `now` on a clock of `hz` ticks per second; buckets start full. */
void erdp_host_policer_init(struct erdp_host_policer *p, uint32_t rate_pps, uint32_t burst,
			    uint64_t hz, uint64_t now);
/* May one more frame pass at `now`? `control`: BGP/BFD from the customer. Takes a token if so. */
bool erdp_host_policer_allow(struct erdp_host_policer *p, bool control, uint64_t now);

/* A peering link's host interface, as telemetry shows it. */
struct erdp_host_info {
	bool present; /* has a tap (or an attached port) */
	bool link_up; /* the tap's link as DPDK reports it */
	uint16_t port_id;
	char ifname[16];
	char netns[64];
	uint64_t rx_pkts, rx_bytes; /* from the host */
	uint64_t tx_pkts, tx_bytes; /* to the host */
};

/* Set-up (setup/dp.c): state per peering link; the taps when bgp.enabled (not portless). */
int erdp_host_init(struct erdp_dp *dp, struct erdp_err *err);
void erdp_host_fini(struct erdp_dp *dp); /* stops and closes the taps; the interfaces stay */
bool erdp_host_enabled(const struct erdp_dp *dp);
/* A frame for an MSEE address of its ingress link that erdp does not answer (icmp.c). */
void erdp_host_input(struct erdp_dp *dp, struct rte_mbuf *m);
/* Frames the host sent, every tap; the number handled. */
unsigned int erdp_host_poll(struct erdp_dp *dp);
/* Telemetry: one peering link's interface and counters (any thread; counters may lag). */
void erdp_host_link_info(const struct erdp_dp *dp, unsigned int plink, struct erdp_host_info *out);
/* Tests: use an existing port (net_ring...) as plink's host interface, and a clock. */
int erdp_host_attach(struct erdp_dp *dp, unsigned int plink, uint16_t port_id);
void erdp_host_set_clock(struct erdp_dp *dp, uint64_t (*now)(void), uint64_t hz);
/* The frame transforms, on their own: pop the ingress tags (l3_off > 14) for the host. */
void erdp_host_untag(struct rte_mbuf *m, uint16_t l3_off, const struct rte_ether_addr *dst);

/* ---- health.c: ARP health probes of gateway instances that have an address ---- */
void erdp_health_poll(struct erdp_dp *dp);
/* An ARP reply from `ip` on gateway port `port` VLAN `vlan`: that instance is alive. */
void erdp_health_reply(struct erdp_dp *dp, uint8_t port, uint16_t vlan, uint32_t ip);

#endif
