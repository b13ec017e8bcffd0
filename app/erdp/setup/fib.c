/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config's routes in per-VRF FIBs, after the next hops exist
 * (nexthop/): the FIBs hold next-hop ids, never pointers.
 *
 * Every peering link contributes connected routes of its own (lib/config's
 * erdp_config_connected(), which erdp-cp uses too): the link /30 (/126) points at the customer
 * side of that one link, the MSEE address /32 (/128) is local, the /30's
 * network and broadcast addresses are dropped. They come on top of the
 * VRF's configured capacity (ERDP_CONNECTED4/6_PER_PEERING per peering),
 * so an operator sizes a VRF by the routes they add, not by erdp's
 * internals.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "setup.h"

uint32_t erdp_route_conf_nh(const struct erdp_dp *dp, const struct erdp_route_conf *r)
{
	switch (r->target) {
	case ERDP_TARGET_GATEWAY:
		return erdp_nh_id_gateway((uint32_t)r->target_idx);
	case ERDP_TARGET_PEERING:
		return erdp_nh_id_peering(&dp->nh, (uint32_t)r->target_idx, ERDP_NH_LINKS_BOTH);
	default:
		return ERDP_NH_ID_BLACKHOLE;
	}
}

uint32_t erdp_connected_nh(const struct erdp_dp *dp, int peering, const struct erdp_connected *c)
{
	switch (c->kind) {
	case ERDP_CONNECTED_SUBNET:
		return erdp_nh_id_peering(&dp->nh, (uint32_t)peering,
					  c->link == ERDP_LINK_PRIMARY ? ERDP_NH_LINKS_PRIMARY
								       : ERDP_NH_LINKS_SECONDARY);
	case ERDP_CONNECTED_MSEE:
		return ERDP_NH_ID_LOCAL;
	default:
		return ERDP_NH_ID_BROADCAST;
	}
}

static int add_connected(struct erdp_dp *dp, int p, struct erdp_err *err)
{
	struct erdp_connected c[ERDP_CONNECTED_PER_PEERING];
	int n = erdp_config_connected(dp->cfg, p, c), rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		uint32_t nh = erdp_connected_nh(dp, p, &c[i]);

		rc = c[i].v6 ? erdp_fib6_add(dp->fib6, c[i].vrf, c[i].addr6, c[i].len, nh)
			     : erdp_fib4_add(dp->fib4, c[i].vrf, c[i].addr4, c[i].len, nh);
	}
	if (rc != 0)
		return erdp_errf(err, -rc, "peering '%s': cannot install connected routes: %s",
				 dp->cfg->peerings[p].name, strerror(-rc));
	return 0;
}

static int add_static(struct erdp_dp *dp, const struct erdp_route_conf *r, struct erdp_err *err)
{
	uint32_t nh = erdp_route_conf_nh(dp, r);
	int rc;

	if (r->v6)
		rc = erdp_fib6_add(dp->fib6, (uint16_t)r->vrf, r->p6.addr, r->p6.len, nh);
	else
		rc = erdp_fib4_add(dp->fib4, (uint16_t)r->vrf, r->p4.addr, r->p4.len, nh);
	if (rc != 0)
		return erdp_errf(err, -rc, "%s:%d: route in VRF '%s': cannot install: %s",
				 dp->cfg->path, r->line, dp->cfg->vrfs[r->vrf].name, strerror(-rc));
	return 0;
}

static int fibs_create(struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;
	unsigned int n = cfg->n_vrfs > 0 ? (unsigned int)cfg->n_vrfs : 1;
	uint32_t *cap4 = calloc(n, sizeof(uint32_t)), *cap6 = calloc(n, sizeof(uint32_t));
	struct erdp_fib_params prm = {
		.socket_id = (int)rte_socket_id(), .n_vrfs = n, .rcu = dp->rcu};
	int rc = 0;

	if (cap4 == NULL || cap6 == NULL) {
		rc = erdp_errf(err, ENOMEM, "FIB capacities: out of memory");
		goto out;
	}
	for (int v = 0; v < cfg->n_vrfs; v++) {
		cap4[v] = cfg->vrfs[v].ipv4_routes;
		cap6[v] = cfg->vrfs[v].ipv6_routes;
	}
	for (int p = 0; p < cfg->n_peerings; p++) {
		cap4[cfg->peerings[p].vrf] += ERDP_CONNECTED4_PER_PEERING;
		cap6[cfg->peerings[p].vrf] += ERDP_CONNECTED6_PER_PEERING;
	}
	prm.name = "erdp_fib4";
	prm.capacity = cap4;
	dp->fib4 = erdp_fib_create(4, &prm, err);
	if (dp->fib4 == NULL) {
		rc = -err->code;
		goto out;
	}
	prm.name = "erdp_fib6";
	prm.capacity = cap6;
	dp->fib6 = erdp_fib_create(6, &prm, err);
	if (dp->fib6 == NULL)
		rc = -err->code;
out:
	free(cap4);
	free(cap6);
	return rc;
}

int erdp_fib_setup(struct erdp_dp *dp, struct erdp_err *err)
{
	int rc = fibs_create(dp, err);

	for (int p = 0; rc == 0 && p < dp->cfg->n_peerings; p++)
		rc = add_connected(dp, p, err);
	for (int r = 0; rc == 0 && r < dp->cfg->n_routes; r++)
		rc = add_static(dp, &dp->cfg->routes[r], err);
	return rc;
}

void erdp_fib_teardown(struct erdp_dp *dp)
{
	erdp_fib_free(dp->fib4);
	erdp_fib_free(dp->fib6);
	dp->fib4 = NULL;
	dp->fib6 = NULL;
}
