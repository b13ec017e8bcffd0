/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage 2, lookup: one bulk LPM per family for the whole burst, whatever
 * the VRFs (lib/fib). IPv6 results and burst indices are appended after
 * the IPv4 ones, so that the forward stage walks one list of routed frames.
 */
#ifndef ERDP_DATAPATH_LOOKUP_H
#define ERDP_DATAPATH_LOOKUP_H

#include <string.h>

#include "burst.h"

static inline void erdp_stage_lookup(struct erdp_burst *b)
{
	if (b->n4 != 0)
		erdp_fib4_lookup_bulk(b->dp->fib4, b->vrf4, b->dst4, b->nh_id, b->n4);
	if (b->n6 != 0) {
		erdp_fib6_lookup_bulk(b->dp->fib6, b->vrf6, (const uint8_t(*)[16])b->dst6,
				      &b->nh_id[b->n4], b->n6);
		memcpy(&b->routed[b->n4], b->idx6, b->n6 * sizeof(b->idx6[0]));
	}
}

#endif
