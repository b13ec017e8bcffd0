/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic route-table generators shared by test_fib_scale and
 * tools/fib_bench: an Internet-like IPv4 length mix (about 55% /24, the
 * rest /8../23, a few /25../32), an IPv6 mix (mostly /32../48), and small
 * customer VRF tables. Duplicates are the caller's to skip.
 */
#ifndef FIB_GEN_H
#define FIB_GEN_H

#include <stdint.h>

#include "fib_test_util.h"

/* Cumulative per-100000 share of each IPv4 length (index = length). */
static const uint32_t gen4_cdf[33] = {
	[8] = 20,     [9] = 40,	    [10] = 80,	  [11] = 160,	[12] = 400,
	[13] = 800,   [14] = 1600,  [15] = 2600,  [16] = 6000,	[17] = 7500,
	[18] = 10000, [19] = 14500, [20] = 20000, [21] = 26000, [22] = 35500,
	[23] = 44500, [24] = 99500, [25] = 99600, [26] = 99700, [27] = 99750,
	[28] = 99800, [29] = 99850, [30] = 99900, [31] = 99910, [32] = 100000,
};

static inline uint8_t gen_len(const uint32_t *cdf, unsigned int max, uint64_t r)
{
	uint32_t x = (uint32_t)(r % 100000);
	unsigned int l;

	for (l = 0; l < max; l++)
		if (cdf[l] > x)
			return (uint8_t)l;
	return (uint8_t)max;
}

/* One Internet-like IPv4 prefix in 1.0.0.0 - 223.255.255.255. */
static inline void gen4_inet(uint64_t *seed, uint32_t *addr, uint8_t *len)
{
	uint64_t r = rnd64(seed);
	uint32_t a = (uint32_t)(r >> 32);

	*len = gen_len(gen4_cdf, 32, r);
	a = (a % (223u << 24)) + (1u << 24);
	*addr = *len ? a & (0xffffffffu << (32 - *len)) : 0;
}

/* Customer VRF route: mostly RFC 1918 /16../24, some public /24, a few /32. */
static inline void gen4_vrf(uint64_t *seed, uint32_t *addr, uint8_t *len)
{
	uint64_t r = rnd64(seed);
	uint32_t a = (uint32_t)(r >> 32), k = (uint32_t)(r % 100);

	if (k < 60) {
		a = (10u << 24) | (a & 0xffffff);
		*len = (uint8_t)(16 + (r >> 8) % 9);
	} else if (k < 90) {
		a = (a % (223u << 24)) + (1u << 24);
		*len = 24;
	} else {
		a = (192u << 24) | (168u << 16) | (a & 0xffff);
		*len = k < 97 ? 30 : 32;
	}
	*addr = a & (0xffffffffu << (32 - *len));
}

/* IPv6 length mix (per 100000): /29../64 mostly /32, /44, /48; few /128. */
static const uint32_t gen6_cdf[129] = {
	[29] = 3000,  [32] = 15000, [33] = 16000,  [36] = 19000,  [40] = 28000,
	[44] = 40000, [45] = 41000, [46] = 43000,  [47] = 46000,  [48] = 92000,
	[56] = 96000, [64] = 99000, [126] = 99500, [127] = 99500, [128] = 100000,
};

static inline uint8_t gen6_len(uint64_t r)
{
	uint32_t x = (uint32_t)(r % 100000);
	unsigned int l;

	for (l = 0; l <= 128; l++)
		if (gen6_cdf[l] > x)
			return (uint8_t)l;
	return 128;
}

static inline void gen6_inet(uint64_t *seed, uint8_t a[16], uint8_t *len)
{
	uint64_t r = rnd64(seed), x = rnd64(seed), y = rnd64(seed);
	unsigned int i, l;

	/* 2000::/4-like global unicast: 2xxx with a clustered second nibble */
	x = (x & 0x0fffffffffffffffull) | 0x2000000000000000ull;
	for (i = 0; i < 8; i++) {
		a[i] = (uint8_t)(x >> (56 - 8 * i));
		a[8 + i] = (uint8_t)(y >> (56 - 8 * i));
	}
	*len = gen6_len(r);
	for (i = 0, l = *len; i<16; i++, l = l> 8 ? l - 8 : 0)
		if (l < 8)
			a[i] &= (uint8_t)(0xff00u >> l);
}

#endif
