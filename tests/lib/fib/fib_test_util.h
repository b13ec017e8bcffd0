/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the FIB tests: EAL start, a deterministic PRNG, addresses. */
#ifndef FIB_TEST_UTIL_H
#define FIB_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_memory.h>

static inline int test_eal_init(int argc, char **argv)
{
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		fprintf(stderr, "EAL init failed\n");
	return ret;
}

/* splitmix64: every run draws the same sequence. */
static inline uint64_t rnd64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline uint32_t ip4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return (uint32_t)a << 24 | b << 16 | c << 8 | d;
}

/* 2001:db8:<w2>:<w3>::<w7> style address from 16-bit words. */
static inline void ip6(uint8_t a[16], const uint16_t w[8])
{
	for (int i = 0; i < 8; i++) {
		a[2 * i] = (uint8_t)(w[i] >> 8);
		a[2 * i + 1] = (uint8_t)w[i];
	}
}

#endif
