/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker set-up: RX queues are dealt round-robin over the worker lcores
 * (port 0 queue 0 to worker 0, the next to worker 1, ...), each worker
 * gets a TX queue per port (worker i -> queue i mod n_txq), its own
 * counters, a punt ring to the main lcore and an inject ring back. Then
 * the workers are launched.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "datapath/datapath.h"
#include "setup.h"

static struct rte_ring *ring(const char *what, unsigned int idx, int socket, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "erdp_%s_%u", what, idx);
	return rte_ring_create(name, ERDP_RING_SIZE, socket, flags);
}

static int worker_alloc(struct erdp_dp *dp, unsigned int lcore, unsigned int idx,
			struct erdp_err *err)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct erdp_worker *w =
		rte_zmalloc_socket("erdp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);

	if (w == NULL)
		return erdp_errf(err, ENOMEM, "worker on lcore %u: out of memory", lcore);
	w->lcore = lcore;
	w->idx = idx;
	w->ctr = erdp_counters_alloc(dp->cfg->n_circuits, dp->cfg->n_peerings, socket);
	w->punt = ring("punt", idx, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->inject = ring("inject", idx, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->ctr == NULL || w->punt == NULL || w->inject == NULL)
		return erdp_errf(err, ENOMEM, "worker on lcore %u: counters or rings: %s", lcore,
				 rte_strerror(rte_errno));
	for (int p = 0; p < dp->cfg->n_ports; p++)
		w->txq[p] = (uint16_t)(idx % dp->port[p].n_txq);
	dp->workers[lcore] = w;
	return 0;
}

static int assign_rx_queues(struct erdp_dp *dp, struct erdp_worker **list, struct erdp_err *err)
{
	unsigned int k = 0;

	for (int p = 0; p < dp->cfg->n_ports; p++) {
		for (uint16_t q = 0; q < dp->port[p].n_rxq; q++, k++) {
			struct erdp_worker *w = list[k % dp->n_workers];

			if (w->n_rxq == ERDP_MAX_RXQ)
				return erdp_errf(err, ENOSPC, "more than %d RX queues per worker",
						 ERDP_MAX_RXQ);
			w->rxq[w->n_rxq].port_id = dp->port[p].port_id;
			w->rxq[w->n_rxq].queue = q;
			w->rxq[w->n_rxq].cfg_port = (uint8_t)p;
			w->n_rxq++;
		}
	}
	return 0;
}

int erdp_workers_init(struct erdp_dp *dp, struct erdp_err *err)
{
	struct erdp_worker *list[RTE_MAX_LCORE];
	unsigned int lcore, idx = 0;
	size_t sz;
	int rc;

	sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->rcu = rte_zmalloc("erdp_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (dp->rcu == NULL || rte_rcu_qsbr_init(dp->rcu, dp->n_workers) != 0)
		return erdp_errf(err, ENOMEM, "RCU state for %u workers", dp->n_workers);
	dp->main_ctr =
		erdp_counters_alloc(dp->cfg->n_circuits, dp->cfg->n_peerings, (int)rte_socket_id());
	dp->sum =
		erdp_counters_alloc(dp->cfg->n_circuits, dp->cfg->n_peerings, (int)rte_socket_id());
	if (dp->main_ctr == NULL || dp->sum == NULL)
		return erdp_errf(err, ENOMEM, "counters: out of memory");
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		rc = worker_alloc(dp, lcore, idx, err);
		if (rc != 0)
			return rc;
		list[idx++] = dp->workers[lcore];
	}
	return assign_rx_queues(dp, list, err);
}

int erdp_workers_launch(struct erdp_dp *dp, struct erdp_err *err)
{
	unsigned int lcore;
	int rc;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		rc = rte_eal_remote_launch(erdp_worker_main, dp->workers[lcore], lcore);
		if (rc != 0)
			return erdp_errf(err, -rc, "cannot launch worker on lcore %u", lcore);
	}
	return 0;
}
