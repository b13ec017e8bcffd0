/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 header checksum verification for the fast path. The one's
 * complement sum of 16-bit words equals the folded sum of 32-bit words
 * (end-around carry), so a 20-byte header costs five 32-bit adds and three
 * folds instead of rte_raw_cksum's generic loop. A header is valid when its
 * sum, checksum field included, is 0xffff.
 */
#ifndef ERDP_CKSUM_H
#define ERDP_CKSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

static inline bool erdp_ipv4_cksum_ok(const void *hdr, uint32_t ihl_bytes)
{
	uint32_t w[5];
	uint64_t s;

	if (unlikely(ihl_bytes != 20))
		return rte_raw_cksum(hdr, ihl_bytes) == 0xffff;
	memcpy(w, hdr, sizeof(w)); /* unaligned-safe; compiles to plain loads */
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

#endif
