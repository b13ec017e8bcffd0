/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resilient bucket table. Bucket b's home member is b % n; when that
 * member is down the bucket goes to up_list[mix(b) % n_up]. Buckets of up
 * members therefore never move, and the buckets of a down member spread
 * evenly (by the mix, not by position) over the members that are up.
 */
#include "erdp_ecmp.h"

/* A fixed per-bucket spread; deterministic so every lcore builds the same. */
static uint32_t bucket_mix(uint32_t b)
{
	return erdp_flow_hash_finish(b * 0x9e3779b9u + 0x632be5abu);
}

void erdp_ecmp_build(struct erdp_ecmp *t, unsigned int n, const bool *up)
{
	uint8_t up_list[ERDP_ECMP_MAX_MEMBERS];
	unsigned int b, i, n_up = 0;

	if (n > ERDP_ECMP_MAX_MEMBERS)
		n = ERDP_ECMP_MAX_MEMBERS;
	for (i = 0; i < n; i++)
		if (up[i])
			up_list[n_up++] = (uint8_t)i;
	t->n_members = (uint16_t)n;
	t->n_up = (uint16_t)n_up;
	for (b = 0; b < ERDP_ECMP_BUCKETS; b++) {
		unsigned int home = n ? b % n : 0;

		if (n_up == 0)
			t->bucket[b] = ERDP_ECMP_NONE;
		else if (up[home])
			t->bucket[b] = (uint8_t)home;
		else
			t->bucket[b] = up_list[bucket_mix(b) % n_up];
	}
}
