/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Input of the exception path: the punt rings of every worker, each frame
 * dispatched by why it was punted (enum erdp_punt), the host's taps
 * (host.c), and the slow path's periodic work.
 */
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "nexthop/nexthop.h"
#include "slowpath.h"

#define NEIGH_TICK_PER_S 10

static void handle(struct erdp_dp *dp, struct rte_mbuf *m)
{
	switch (erdp_meta(m)->punt) {
	case ERDP_PUNT_ARP:
		erdp_arp_input(dp, m);
		break;
	case ERDP_PUNT_NDP:
		erdp_nd_input(dp, m);
		break;
	case ERDP_PUNT_LOCAL:
		erdp_local_input(dp, m);
		break;
	case ERDP_PUNT_TTL:
		erdp_ttl_expired(dp, m);
		break;
	case ERDP_PUNT_MTU:
		erdp_too_big(dp, m);
		break;
	case ERDP_PUNT_NEIGH:
		erdp_neigh_hold(dp, m);
		break;
	default:
		erdp_sp_drop(dp, m, ERDP_DROP_LOCAL);
		break;
	}
}

unsigned int erdp_slowpath_poll(struct erdp_dp *dp)
{
	static uint64_t last_tick;
	uint64_t now = rte_rdtsc();
	unsigned int lcore, total = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		struct erdp_worker *w = dp->workers[lcore];
		struct rte_mbuf *m[ERDP_BURST_MAX];
		unsigned int n;

		if (w == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->punt, (void **)m, ERDP_BURST_MAX, NULL);
		for (unsigned int i = 0; i < n; i++)
			handle(dp, m[i]);
		total += n;
	}
	total += erdp_host_poll(dp);
	if (now - last_tick > rte_get_tsc_hz() / NEIGH_TICK_PER_S) {
		last_tick = now;
		erdp_neigh_tick(dp);
	}
	erdp_nh_reclaim(dp);
	return total;
}
