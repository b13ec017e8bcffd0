/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route-set digest shared by erdp and erdp-cp, so that `erdpctl verify`
 * can compare a VRF's million routes by exchanging two numbers.
 *
 * A set of routes (VRF, family, prefix, next-hop reference) digests to
 * (count, sum of erdp_route_digest() over the set, modulo 2^64). The sum
 * does not depend on order, and a route leaving the set subtracts its term,
 * so erdp keeps the digest of its route table up to date at every add,
 * replace and delete, and erdp-cp computes its RIB's in one pass. Equal
 * digests mean equal sets unless 64-bit terms collide (a mismatch caught by
 * chance is 2^-64 per comparison); different digests say which VRF and
 * family to list route by route.
 *
 * Pure functions, no state: any thread, any process.
 */
#ifndef ERDP_CTL_DIGEST_H
#define ERDP_CTL_DIGEST_H

#include <stdint.h>
#include <string.h>

/* A 64-bit finaliser with full avalanche (every input bit flips half the output). */
static inline uint64_t erdp_digest_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/*
 * The term of one route. addr: network order, host bits zero, IPv4 in the
 * first 4 bytes and the other 12 zero. nh_ref: the ERDP_NH_REF_* that
 * erdp-cp sent (not erdp's internal next-hop id).
 */
static inline uint64_t erdp_route_digest(uint16_t vrf, uint8_t family, uint8_t len,
					 const uint8_t addr[16], uint32_t nh_ref)
{
	uint64_t a, b, h;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = erdp_digest_mix(a ^ 0x9e3779b97f4a7c15ull);
	h = erdp_digest_mix(h ^ b);
	h = erdp_digest_mix(
		h ^ ((uint64_t)vrf << 48 | (uint64_t)family << 40 | (uint64_t)len << 32 | nh_ref));
	return h;
}

#endif
