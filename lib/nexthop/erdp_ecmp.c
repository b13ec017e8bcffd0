/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resilient bucket table. Bucket b's home member is b % n, and it is that
 * home's (b / n)-th bucket; when the home is down the bucket goes to
 * up_list[(b / n) % n_up]. Buckets of up members therefore never move, and
 * a down member's buckets are dealt round-robin over the members that are
 * up: as even as whole buckets allow, which matters with 64 buckets.
 */
#include "erdp_ecmp.h"

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
		else /* the home's k-th bucket goes to the k-th survivor, round-robin: even */
			t->bucket[b] = up_list[(b / n) % n_up];
	}
}
