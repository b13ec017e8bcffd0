/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow hashing and resilient member selection.
 *
 * erdp_flow_hash4/6: symmetric (A->B and B->A hash the same), over the
 * 5-tuple for unfragmented TCP/UDP/SCTP and the 3-tuple otherwise
 * (fragments, ICMP, other protocols), so that both directions and every
 * fragment of a datagram pick the same member.
 *
 * struct erdp_ecmp: a table of ERDP_ECMP_BUCKETS buckets, each naming a
 * member (0..n-1). Every member owns a fixed set of "home" buckets. When a
 * member is down its home buckets are spread over the members that are up;
 * the buckets of members that stay up never change (resilient hashing):
 * taking one of four members down moves only that member's ~25% of flows.
 * When it comes back its home buckets return to it.
 *
 * The table is a value: build a new one with erdp_ecmp_build() and publish
 * it by pointer (RCU) so that a reader never sees a half-built table.
 */
#ifndef ERDP_ECMP_H
#define ERDP_ECMP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>

/*
 * 64 buckets: one cache line, so a gateway's next hop stays a few lines (a
 * thousand gateways fit in L2), and still fine-grained enough that members
 * share within one bucket (16 members: 4 each) and one of four going down
 * moves exactly a quarter of the buckets.
 */
#define ERDP_ECMP_BUCKETS     64 /* power of two */
#define ERDP_ECMP_MAX_MEMBERS 16
#define ERDP_ECMP_NONE	      0xff /* bucket value when no member is up */

struct erdp_ecmp {
	uint16_t n_members; /* configured members */
	uint16_t n_up;	    /* members up; 0 => every bucket is ERDP_ECMP_NONE */
	uint8_t bucket[ERDP_ECMP_BUCKETS];
};

/* Fill `t` for n members whose state is up[i]. n in 1..ERDP_ECMP_MAX_MEMBERS. */
void erdp_ecmp_build(struct erdp_ecmp *t, unsigned int n, const bool *up);

/* Member for a flow hash, or ERDP_ECMP_NONE. */
static inline uint8_t erdp_ecmp_select(const struct erdp_ecmp *t, uint32_t hash)
{
	return t->bucket[hash & (ERDP_ECMP_BUCKETS - 1)];
}

/*
 * Symmetric flow hashes. Inputs are the raw L3 header (IPv4 or IPv6) and
 * the bytes available from it (`len`); L4 ports are used only when present
 * in `len` and the packet is not a fragment. Every fragment (IPv4 MF set
 * or offset != 0; IPv6 next header 44) uses the 3-tuple, so the first and
 * the later fragments of one datagram pick the same member.
 *
 * Symmetry: the two addresses (and the two ports) are ordered min/max
 * before hashing, so swapping source and destination gives the same input.
 * CRC32C (one instruction per 8 bytes with SSE4.2) then a multiply-xorshift
 * finish, because buckets use the LOW bits and CRC's low bits are linear.
 */
#define ERDP_FLOW_HASH_SEED 0x5bd1e995u

static inline uint32_t erdp_flow_hash_finish(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static inline bool erdp_flow_l4_proto(uint8_t p)
{
	return p == 6 || p == 17 || p == 132; /* TCP, UDP, SCTP */
}

/*
 * Branch-free ordering of a pair: which of a flow's two addresses (or
 * ports) is smaller is random per packet, so a branch there mispredicts
 * half the time (compilers emit one for the ternary form).
 */
static inline void erdp_order64(uint64_t *lo, uint64_t *hi)
{
	uint64_t swap = (*lo ^ *hi) & -(uint64_t)(*lo > *hi);

	*lo ^= swap;
	*hi ^= swap;
}

/* min/max of the two 16-bit ports packed in one word; 0 when absent. */
static inline uint32_t erdp_flow_ports(const uint8_t *l4)
{
	uint64_t a = (uint64_t)(l4[0] << 8 | l4[1]), b = (uint64_t)(l4[2] << 8 | l4[3]);

	erdp_order64(&a, &b);
	return (uint32_t)(a << 16 | b);
}

static inline uint32_t erdp_flow_hash4(const uint8_t *ip, uint32_t len)
{
	uint32_t s4, d4, ports = 0, ihl;
	uint64_t s, d;
	uint16_t frag;
	uint8_t proto;

	if (len < 20)
		return 0;
	ihl = (ip[0] & 0x0f) * 4u;
	proto = ip[9];
	frag = (uint16_t)((ip[6] << 8 | ip[7]) & 0x3fff); /* MF + offset */
	memcpy(&s4, ip + 12, 4);
	memcpy(&d4, ip + 16, 4);
	s = s4;
	d = d4;
	if (frag == 0 && erdp_flow_l4_proto(proto) && ihl >= 20 && len >= ihl + 4)
		ports = erdp_flow_ports(ip + ihl);
	erdp_order64(&s, &d);
	/* ports and protocol go into the CRC's initial value: one CRC step fewer */
	return erdp_flow_hash_finish(
		rte_hash_crc_8byte(s << 32 | d, ERDP_FLOW_HASH_SEED ^ ports ^ proto));
}

static inline uint32_t erdp_flow_hash6(const uint8_t *ip, uint32_t len)
{
	uint64_t s[2], d[2], m;
	uint32_t h, ports = 0;
	uint8_t nxt;

	if (len < 40)
		return 0;
	nxt = ip[6];
	memcpy(s, ip + 8, 16);
	memcpy(d, ip + 24, 16);
	/*
	 * Any fixed total order works for symmetry; native words are cheapest.
	 * Swap (branch-free, see erdp_order64) when s > d word by word.
	 */
	m = -(uint64_t)((s[0] > d[0]) | ((s[0] == d[0]) & (s[1] > d[1])));
	for (int i = 0; i < 2; i++) {
		uint64_t x = (s[i] ^ d[i]) & m;

		s[i] ^= x; /* now the lower address */
		d[i] ^= x;
	}
	if (erdp_flow_l4_proto(nxt) && len >= 44)
		ports = erdp_flow_ports(ip + 40);
	h = rte_hash_crc_8byte(s[0], ERDP_FLOW_HASH_SEED ^ ports ^ nxt);
	h = rte_hash_crc_8byte(s[1], h);
	h = rte_hash_crc_8byte(d[0], h);
	h = rte_hash_crc_8byte(d[1], h);
	return erdp_flow_hash_finish(h);
}

#endif
