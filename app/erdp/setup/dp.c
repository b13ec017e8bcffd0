/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and tearing down the data plane state (setup.h), shared by erdp,
 * the benchmarks and the datapath tests.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "nexthop/nexthop.h"
#include "setup.h"
#include "slowpath/slowpath.h"

struct erdp_dp erdp;
int erdp_meta_offset = -1;

int erdp_dp_setup(struct erdp_dp *dp, struct erdp_err *err)
{
	static const struct rte_mbuf_dynfield meta_desc = {
		.name = "erdp_meta",
		.size = sizeof(struct erdp_meta),
		.align = __alignof__(struct erdp_meta),
	};
	int rc;

	erdp_meta_offset = rte_mbuf_dynfield_register(&meta_desc);
	if (erdp_meta_offset < 0)
		return erdp_errf(err, rte_errno, "mbuf dynfield: %s", rte_strerror(rte_errno));
	dp->burst = dp->cfg->dp.burst;
	dp->n_workers = rte_lcore_count() - 1;
	if (dp->n_workers == 0)
		return erdp_errf(err, EINVAL,
				 "eal.lcores '%s' gives no worker lcore: list at least two lcores "
				 "(the first is the main lcore)",
				 dp->cfg->eal.lcores);
	dp->pool = rte_pktmbuf_pool_create("erdp_pool", dp->cfg->dp.mbufs, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL)
		return erdp_errf(err, rte_errno, "mbuf pool of %u: %s (raise eal.memory_mb?)",
				 dp->cfg->dp.mbufs, rte_strerror(rte_errno));
	rc = erdp_classifier_build(dp->cfg, &dp->cls, err);
	if (rc == 0)
		rc = erdp_ports_init(dp, err);
	if (rc == 0)
		rc = erdp_workers_init(dp, err);
	if (rc == 0 && erdp_neigh_init(dp) != 0)
		rc = erdp_errf(err, ENOMEM, "neighbour tables: out of memory");
	if (rc == 0)
		rc = erdp_host_init(dp, err);
	if (rc == 0)
		rc = erdp_nexthops_init(dp, err);
	if (rc == 0)
		rc = erdp_fib_setup(dp, err);
	return rc;
}

void erdp_dp_teardown(struct erdp_dp *dp)
{
	erdp_host_fini(dp);
	erdp_ports_close(dp);
	erdp_neigh_free(dp);
	erdp_fib_teardown(dp);
	erdp_nexthops_free(dp);
	erdp_classifier_free(dp->cls);
	dp->cls = NULL;
}
