/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path on the main lcore: frames the workers cannot finish
 * (ARP, traffic to the MSEE addresses, expired TTL, too big for the egress
 * MTU). Anything not answered is counted as a drop on the main lcore's own
 * counter block, so totals stay exact.
 */
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp.h"

static void punt_drop(struct erdp_dp *dp, struct rte_mbuf *m, unsigned int reason)
{
	const struct erdp_meta *meta = erdp_meta(m);
	struct erdp_counters *c = dp->main_ctr;

	c->port_drop[meta->in_port][reason]++;
	if (meta->plink != 0xffff)
		c->plink_drop[meta->plink][reason]++;
	rte_pktmbuf_free(m);
}

static void handle(struct erdp_dp *dp, struct erdp_worker *w, struct rte_mbuf *m)
{
	(void)w;
	switch (erdp_meta(m)->punt) {
	case ERDP_PUNT_TTL:
		punt_drop(dp, m, ERDP_DROP_TTL);
		break;
	case ERDP_PUNT_MTU:
		punt_drop(dp, m, ERDP_DROP_MTU);
		break;
	default:
		punt_drop(dp, m, ERDP_DROP_LOCAL);
		break;
	}
}

void erdp_punt_poll(struct erdp_dp *dp)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		struct erdp_worker *w = dp->workers[lcore];
		struct rte_mbuf *m[ERDP_BURST_MAX];
		unsigned int n;

		if (w == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(w->punt, (void **)m, ERDP_BURST_MAX, NULL);
		for (unsigned int i = 0; i < n; i++)
			handle(dp, w, m[i]);
	}
}
