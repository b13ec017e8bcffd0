/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow hashing and resilient member selection.
 *
 * erdp_flow_hash4/6: symmetric (A->B and B->A hash the same), over the
 * 5-tuple for TCP/UDP/SCTP first fragments and the 3-tuple otherwise
 * (non-first fragments, ICMP, other protocols), so that both directions and
 * every fragment of a flow pick the same member.
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

#define ERDP_ECMP_BUCKETS     512 /* power of two */
#define ERDP_ECMP_MAX_MEMBERS 16
#define ERDP_ECMP_NONE        0xff /* bucket value when no member is up */

struct erdp_ecmp {
	uint16_t n_members; /* configured members */
	uint16_t n_up;      /* members up; 0 => every bucket is ERDP_ECMP_NONE */
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
 * in `len` and the packet is not a non-first fragment.
 */
uint32_t erdp_flow_hash4(const uint8_t *ip, uint32_t len);
uint32_t erdp_flow_hash6(const uint8_t *ip, uint32_t len);

#endif
