/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The next-hop table (ids -> published pointers), publishing and
 * reclaiming. Ids are fixed at setup: blackhole, local, one per gateway
 * slot, three per peering (both links, primary only, secondary only), so a
 * FIB entry never has to change when a next hop does.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "nexthop.h"

#define NH_DQ_SIZE	  4096 /* retired next hops waiting for their grace period */
#define NH_DQ_TRIGGER	  64
#define NH_DQ_RECLAIM_MAX 256

struct erdp_nh *erdp_nh_alloc(uint8_t type, uint32_t id, uint16_t owner)
{
	struct erdp_nh *nh = rte_zmalloc("erdp_nh", sizeof(*nh), RTE_CACHE_LINE_SIZE);

	if (nh == NULL)
		return NULL;
	nh->type = type;
	nh->id = id;
	nh->owner = owner;
	for (int i = 0; i < ERDP_ECMP_MAX_MEMBERS; i++) {
		nh->m[i].port = ERDP_NH_PORT_NONE;
		nh->m[i].plink = ERDP_PLINK_NONE;
	}
	return nh;
}

static void nh_free_cb(void *p, void *e, unsigned int n)
{
	(void)p;
	for (unsigned int i = 0; i < n; i++)
		rte_free(((void **)e)[i]);
}

int erdp_nexthops_init(struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	struct erdp_nh_table *t = &dp->nh;
	struct rte_rcu_qsbr_dq_parameters prm = {
		.name = "erdp_nh_dq",
		.size = NH_DQ_SIZE,
		.esize = sizeof(void *),
		.trigger_reclaim_limit = NH_DQ_TRIGGER,
		.max_reclaim_size = NH_DQ_RECLAIM_MAX,
		.free_fn = nh_free_cb,
		.v = dp->rcu,
	};
	int rc = erdp_gateways_init(dp, err);
	size_t n_plinks = erdp_plink_count((unsigned int)cfg->n_peerings + 1);

	if (rc != 0)
		return rc;
	/* Peering links start admin up; erdp-cp's sync sets the ones that are not. */
	dp->plink_admin_up = rte_malloc("erdp_plink_admin", n_plinks, 0);
	if (dp->plink_admin_up == NULL)
		return erdp_errf(err, ENOMEM, "peering link states: out of memory");
	memset(dp->plink_admin_up, 1, n_plinks);
	dp->dq = rte_rcu_qsbr_dq_create(&prm);
	if (dp->dq == NULL)
		return erdp_errf(err, ENOMEM, "next-hop defer queue: out of memory");
	t->n_gateways = dp->max_gateways;
	t->n_peerings = (uint32_t)cfg->n_peerings;
	t->n = ERDP_NH_ID_FIRST + t->n_gateways + t->n_peerings * ERDP_NH_PER_PEERING;
	t->nh = rte_zmalloc("erdp_nh_table", t->n * sizeof(*t->nh), RTE_CACHE_LINE_SIZE);
	if (t->nh == NULL)
		return erdp_errf(err, ENOMEM, "next-hop table: out of memory");
	t->nh[ERDP_NH_ID_BLACKHOLE] = erdp_nh_alloc(ERDP_NH_BLACKHOLE, ERDP_NH_ID_BLACKHOLE, 0);
	t->nh[ERDP_NH_ID_LOCAL] = erdp_nh_alloc(ERDP_NH_LOCAL, ERDP_NH_ID_LOCAL, 0);
	t->nh[ERDP_NH_ID_BROADCAST] = erdp_nh_alloc(ERDP_NH_BROADCAST, ERDP_NH_ID_BROADCAST, 0);
	for (uint32_t g = 0; g < dp->max_gateways; g++)
		t->nh[erdp_nh_id_gateway(g)] = erdp_nh_gateway(dp, (int)g);
	for (int p = 0; p < cfg->n_peerings; p++)
		for (int k = 0; k < ERDP_NH_PER_PEERING; k++)
			t->nh[erdp_nh_id_peering(t, (uint32_t)p, (enum erdp_nh_links)k)] =
				erdp_nh_customer(dp, p, (enum erdp_nh_links)k);
	for (uint32_t i = 0; i < t->n; i++)
		if (t->nh[i] == NULL)
			return erdp_errf(err, ENOMEM, "next hop %u: out of memory", i);
	return 0;
}

void erdp_nexthops_free(struct erdp_dp *dp)
{
	if (dp->dq != NULL)
		rte_rcu_qsbr_dq_delete(dp->dq); /* frees what it holds: workers have stopped */
	dp->dq = NULL;
	if (dp->nh.nh != NULL)
		for (uint32_t i = 0; i < dp->nh.n; i++)
			rte_free(dp->nh.nh[i]);
	rte_free(dp->nh.nh);
	rte_free(dp->gw);
	rte_free(dp->plink_admin_up);
	dp->nh.nh = NULL;
	dp->gw = NULL;
	dp->plink_admin_up = NULL;
}

void erdp_nh_publish(struct erdp_dp *dp, struct erdp_nh *nh)
{
	struct erdp_nh *old = __atomic_exchange_n(&dp->nh.nh[nh->id], nh, __ATOMIC_RELEASE);

	/* Workers may still read `old` until their next quiescent state. */
	if (rte_rcu_qsbr_dq_enqueue(dp->dq, &old) != 0) {
		rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
}

void erdp_nh_reclaim(struct erdp_dp *dp)
{
	if (dp->dq != NULL)
		rte_rcu_qsbr_dq_reclaim(dp->dq, NH_DQ_RECLAIM_MAX, NULL, NULL, NULL);
}
