/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops: what a route points at, in the form the fast path needs.
 *
 * A next hop is an immutable struct published by pointer in a table indexed
 * by the 32-bit id that the FIB returns. To change one (instance down, MAC
 * learned), the writer builds a new struct, publishes it with one release
 * store and frees the old one after an RCU grace period: a worker sees the
 * old next hop or the new one, never a mix (no field-by-field updates).
 *
 * Egress L2 is precomputed per member: destination MAC, source MAC and the
 * tags to push, so forwarding is one copy of 12, 16 or 20 bytes plus the
 * EtherType.
 */
#ifndef ERDP_NH_H
#define ERDP_NH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "erdp_config.h"
#include "erdp_drop.h"
#include "erdp_ecmp.h"

/* Types up to ERDP_NH_LOCAL have no members: the frame ends in erdp. */
enum erdp_nh_type {
	ERDP_NH_BLACKHOLE = 0,
	ERDP_NH_BROADCAST = 1, /* a link /30's network or broadcast address: dropped, no ICMP */
	ERDP_NH_LOCAL = 2,     /* an MSEE address: handled on the main lcore */
	ERDP_NH_GATEWAY = 3,   /* members: gateway instances, chosen by ecmp */
	ERDP_NH_CUSTOMER = 4,  /* members: [link] for IPv4, [ERDP_NH_V6_MEMBER + link] for IPv6 */
};

/* Fixed ids; gateways and peerings follow (see erdp_nh_id_*). */
#define ERDP_NH_ID_BLACKHOLE 0u
#define ERDP_NH_ID_LOCAL     1u
#define ERDP_NH_ID_BROADCAST 2u
#define ERDP_NH_ID_FIRST     3u

/* Per-peering next hops: both links (per flow), or one link (connected /30). */
enum erdp_nh_links {
	ERDP_NH_LINKS_BOTH = 0,
	ERDP_NH_LINKS_PRIMARY = 1,
	ERDP_NH_LINKS_SECONDARY = 2
};
#define ERDP_NH_PER_PEERING 3

/* Customer next hops: IPv6 members follow the IPv4 ones (one per link). */
#define ERDP_NH_V6_MEMBER ERDP_LINKS

/* erdp_l2.port of a member with no egress (no such link, or down). */
#define ERDP_NH_PORT_NONE 0xffffu

struct erdp_l2 {
	uint8_t hdr[20]; /* dst MAC, src MAC, then 0, 1 or 2 tags (TPID + TCI) */
	uint8_t len;	 /* 12, 16 or 20: bytes before the EtherType */
	uint8_t ok;	 /* destination MAC known and the link usable */
	uint16_t port;	 /* DPDK port id */
	uint16_t cfg_port;
	uint16_t mtu;	/* IP MTU of the egress port */
	uint16_t plink; /* customer: peering link counter index; else ERDP_PLINK_NONE */
	uint8_t pad[2];
};

/*
 * The 8-byte header and the 64-byte bucket table share the first two cache
 * lines; members follow, so a gateway with a few instances (or a peering's
 * links) is three or four lines in all.
 */
struct erdp_nh {
	uint8_t type; /* enum erdp_nh_type */
	uint8_t n_members;
	uint16_t owner; /* gateway or peering index */
	uint32_t id;
	struct erdp_ecmp ecmp; /* gateways: instance per flow */
	struct erdp_l2 m[ERDP_ECMP_MAX_MEMBERS];
};

/*
 * Bytes of a next hop that forwarding reads in the common case (header,
 * buckets, four members: a gateway's instances or a peering's links); the
 * worker prefetches them. Next hops are cache-line aligned.
 */
#define ERDP_NH_HOT_BYTES (offsetof(struct erdp_nh, m) + 4 * sizeof(struct erdp_l2))

struct erdp_nh_table {
	uint32_t n; /* ids 0..n-1 */
	uint32_t n_gateways;
	uint32_t n_peerings;
	struct erdp_nh **nh; /* published pointers, read with acquire */
};

static inline uint32_t erdp_nh_id_gateway(uint32_t gw)
{
	return ERDP_NH_ID_FIRST + gw;
}

static inline uint32_t erdp_nh_id_peering(const struct erdp_nh_table *t, uint32_t peering,
					  enum erdp_nh_links links)
{
	return ERDP_NH_ID_FIRST + t->n_gateways + peering * ERDP_NH_PER_PEERING + links;
}

static inline const struct erdp_nh *erdp_nh_get(const struct erdp_nh_table *t, uint32_t id)
{
	if (id >= t->n)
		return NULL;
	return __atomic_load_n(&t->nh[id], __ATOMIC_ACQUIRE);
}

/*
 * Egress member of a next hop for a packet whose flow hash is h, or NULL
 * with *reason = a drop reason. Gateways: the
 * instance of the flow's ECMP bucket. Customer: per flow over both links
 * when both are resolved, else the resolved one; NEIGH when a link exists
 * but no customer MAC is known, LINK_DOWN when no link exists.
 */
static inline const struct erdp_l2 *erdp_nh_select_hash(const struct erdp_nh *nh, uint32_t h,
							bool v6, enum erdp_drop *reason)
{
	const struct erdp_l2 *a, *s;
	uint8_t k;

	if (nh->type == ERDP_NH_GATEWAY) {
		k = erdp_ecmp_select(&nh->ecmp, h);
		if (k == ERDP_ECMP_NONE) {
			*reason = ERDP_DROP_GW_DOWN;
			return NULL;
		}
		return &nh->m[k];
	}
	a = &nh->m[v6 ? ERDP_NH_V6_MEMBER : 0];
	s = a + 1;
	/*
	 * Both links: a hash bit well above the ECMP bucket bits picks one, as
	 * arithmetic (s == a + 1): a branch on a bit that is random per flow
	 * mispredicts half the time.
	 */
	if (nh->n_members == 2 && a->ok && s->ok)
		return a + ((h >> 16) & 1);
	if (a->ok)
		return a;
	if (nh->n_members == 2 && s->ok)
		return s;
	*reason =
		a->port != ERDP_NH_PORT_NONE || (nh->n_members == 2 && s->port != ERDP_NH_PORT_NONE)
			? ERDP_DROP_NEIGH
			: ERDP_DROP_LINK_DOWN;
	return NULL;
}

/* The same, hashing the packet's flow (l3: its IP header, l3_len bytes). */
static inline const struct erdp_l2 *erdp_nh_select(const struct erdp_nh *nh, const uint8_t *l3,
						   uint32_t l3_len, bool v6, enum erdp_drop *reason)
{
	uint32_t h = v6 ? erdp_flow_hash6(l3, l3_len) : erdp_flow_hash4(l3, l3_len);

	return erdp_nh_select_hash(nh, h, v6, reason);
}

/* Fill an egress header: dst, src, then `n_tags` tags (tpid[i], vid[i], PCP 0). */
void erdp_l2_build(struct erdp_l2 *l2, const uint8_t dst[6], const uint8_t src[6], int n_tags,
		   const uint16_t *tpid, const uint16_t *vid);

#endif
