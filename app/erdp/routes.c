/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing state built from the config: next hops and per-VRF FIBs.
 *
 * Every peering link contributes connected routes of its own: the link
 * /30 (/126) points at the customer side of that one link, and the MSEE
 * address /32 (/128) is local. They come on top of the VRF's configured
 * capacity (ERDP_CONNECTED_PER_PEERING per peering), so an operator sizes
 * a VRF by the routes they add, not by erdp's internals.
 */
#include <errno.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp.h"

#define ERDP_CONNECTED_PER_PEERING 4 /* per family: 2 link subnets + 2 MSEE hosts */

static struct erdp_nh *nh_alloc(uint8_t type, uint32_t id, uint16_t owner)
{
	struct erdp_nh *nh = rte_zmalloc("erdp_nh", sizeof(*nh), RTE_CACHE_LINE_SIZE);

	if (nh == NULL)
		return NULL;
	nh->type = type;
	nh->id = id;
	nh->owner = owner;
	for (int i = 0; i < ERDP_ECMP_MAX_MEMBERS; i++) {
		nh->m[i].port = 0xffff;
		nh->m[i].plink = 0xffff;
	}
	return nh;
}

struct erdp_nh *erdp_nh_gateway(struct erdp_dp *dp, int g)
{
	const struct erdp_gw_rt *gw = &dp->gw[g];
	struct erdp_nh *nh =
		nh_alloc(ERDP_NH_GATEWAY, erdp_nh_id_gateway((uint32_t)g), (uint16_t)g);
	bool up[ERDP_ECMP_MAX_MEMBERS];

	if (nh == NULL)
		return NULL;
	nh->n_members = gw->in_use ? gw->n_instances : 0;
	for (int i = 0; i < nh->n_members; i++) {
		const struct erdp_port *p = &dp->port[gw->inst[i].port];
		struct erdp_l2 *l2 = &nh->m[i];
		uint16_t tpid = ERDP_TPID_8021Q;

		erdp_l2_build(l2, gw->inst[i].mac.addr_bytes, p->mac.addr_bytes,
			      gw->inst[i].vlan != 0, &tpid, &gw->inst[i].vlan);
		l2->ok = 1;
		l2->port = p->port_id;
		l2->cfg_port = gw->inst[i].port;
		l2->mtu = dp->cfg->ports[gw->inst[i].port].mtu;
		up[i] = gw->inst[i].admin_up && gw->inst[i].alive &&
			erdp_port_usable(dp, gw->inst[i].port);
	}
	if (nh->n_members != 0)
		erdp_ecmp_build(&nh->ecmp, nh->n_members, up);
	else
		memset(nh->ecmp.bucket, ERDP_ECMP_NONE, sizeof(nh->ecmp.bucket));
	return nh;
}

/* Runtime gateway table from the config; ids above the config's are free. */
static int gateways_init(struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;

	dp->max_gateways = (uint32_t)cfg->n_gateways + ERDP_DYN_GATEWAYS;
	dp->gw = rte_zmalloc("erdp_gw", dp->max_gateways * sizeof(*dp->gw), 0);
	dp->plink_admin_up =
		rte_malloc("erdp_plink_admin", (size_t)(cfg->n_peerings + 1) * ERDP_LINKS, 0);
	if (dp->gw == NULL || dp->plink_admin_up == NULL)
		return erdp_errf(err, ENOMEM, "gateway table: out of memory");
	memset(dp->plink_admin_up, 1, (size_t)(cfg->n_peerings + 1) * ERDP_LINKS);
	for (int g = 0; g < cfg->n_gateways; g++) {
		const struct erdp_gateway_conf *gc = &cfg->gateways[g];
		struct erdp_gw_rt *gw = &dp->gw[g];

		gw->in_use = true;
		gw->vrf = (uint16_t)gc->vrf;
		gw->n_instances = (uint8_t)gc->n_instances;
		gw->health_interval_ms = gc->health_interval_ms;
		gw->health_multiplier = gc->health_multiplier;
		for (int i = 0; i < gc->n_instances; i++) {
			gw->inst[i].has_ip = gc->inst[i].has_ip;
			gw->inst[i].ip = gc->inst[i].ip;
			gw->inst[i].alive = true; /* until probes say otherwise */
			gw->inst[i].port = (uint8_t)gc->inst[i].port;
			gw->inst[i].admin_up = gc->inst[i].up;
			gw->inst[i].vlan = gc->inst[i].vlan;
			memcpy(gw->inst[i].mac.addr_bytes, gc->inst[i].mac.b, 6);
		}
	}
	return 0;
}

/* Egress L2 toward the customer on one link of a peering, to `dst`. */
int erdp_customer_l2(struct erdp_dp *dp, int peering, int link, const uint8_t dst[6],
		     struct erdp_l2 *l2)
{
	const struct erdp_config *cfg = dp->cfg;
	const struct erdp_peering_conf *pe = &cfg->peerings[peering];
	int port = link == ERDP_LINK_PRIMARY ? cfg->pair.primary_port : cfg->pair.secondary_port;
	uint16_t tpid[2] = {cfg->pair.egress_tpid, ERDP_TPID_8021Q}, vid[2];
	int n_tags;

	if (port < 0 || !erdp_port_usable(dp, port) ||
	    !dp->plink_admin_up[erdp_plink((unsigned int)peering, (unsigned int)link)])
		return -1; /* no such link, or down: l2->port stays 0xffff */
	if (cfg->pair.encap == ERDP_ENCAP_QINQ) {
		vid[0] = cfg->circuits[pe->circuit].s_tag;
		vid[1] = pe->vlan;
		n_tags = 2;
	} else {
		vid[0] = pe->vlan;
		n_tags = 1;
	}
	erdp_l2_build(l2, dst, dp->port[port].mac.addr_bytes, n_tags, tpid, vid);
	l2->port = dp->port[port].port_id;
	l2->cfg_port = (uint16_t)port;
	l2->mtu = cfg->ports[port].mtu;
	l2->plink = (uint16_t)erdp_plink((unsigned int)peering, (unsigned int)link);
	return 0;
}

/* Member toward one link for one family, from the neighbour table. */
static void customer_member(struct erdp_dp *dp, int peering, int link, bool v6, struct erdp_l2 *l2)
{
	unsigned int pl = erdp_plink((unsigned int)peering, (unsigned int)link);
	const struct erdp_neigh *n = erdp_neigh_get(dp, pl, v6);

	if (erdp_customer_l2(dp, peering, link, n->mac.addr_bytes, l2) == 0)
		l2->ok = n->state != ERDP_NEIGH_NONE;
}

struct erdp_nh *erdp_nh_customer(struct erdp_dp *dp, int peering, enum erdp_nh_links links)
{
	uint32_t id = erdp_nh_id_peering(&dp->nh, (uint32_t)peering, links);
	struct erdp_nh *nh = nh_alloc(ERDP_NH_CUSTOMER, id, (uint16_t)peering);
	int first = links == ERDP_NH_LINKS_SECONDARY ? ERDP_LINK_SECONDARY : ERDP_LINK_PRIMARY;

	if (nh == NULL)
		return NULL;
	nh->n_members = links == ERDP_NH_LINKS_BOTH ? 2 : 1;
	for (int k = 0; k < nh->n_members; k++) {
		customer_member(dp, peering, first + k, false, &nh->m[k]);
		customer_member(dp, peering, first + k, true, &nh->m[2 + k]);
	}
	return nh;
}

static int nh_table_init(struct erdp_dp *dp, struct erdp_err *err)
{
	int rc = gateways_init(dp, err);

	if (rc != 0)
		return rc;

	const struct erdp_config *cfg = dp->cfg;
	struct erdp_nh_table *t = &dp->nh;

	t->n_gateways = dp->max_gateways;
	t->n_peerings = (uint32_t)cfg->n_peerings;
	t->n = ERDP_NH_ID_FIRST + t->n_gateways + t->n_peerings * ERDP_NH_PER_PEERING;
	t->nh = rte_zmalloc("erdp_nh_table", t->n * sizeof(*t->nh), RTE_CACHE_LINE_SIZE);
	if (t->nh == NULL)
		return erdp_errf(err, ENOMEM, "next-hop table: out of memory");
	t->nh[ERDP_NH_ID_BLACKHOLE] = nh_alloc(ERDP_NH_BLACKHOLE, ERDP_NH_ID_BLACKHOLE, 0);
	t->nh[ERDP_NH_ID_LOCAL] = nh_alloc(ERDP_NH_LOCAL, ERDP_NH_ID_LOCAL, 0);
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

static int add_connected(struct erdp_dp *dp, int p, struct erdp_err *err)
{
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[p];
	uint16_t vrf = (uint16_t)pe->vrf;
	int rc = 0;

	for (int l = 0; l < ERDP_LINKS && rc == 0; l++) {
		uint32_t link_nh = erdp_nh_id_peering(&dp->nh, (uint32_t)p,
						      l == 0 ? ERDP_NH_LINKS_PRIMARY
							     : ERDP_NH_LINKS_SECONDARY);
		uint8_t msee6[16];

		rc = erdp_fib4_add(dp->fib4, vrf, pe->v4[l].addr, pe->v4[l].len, link_nh);
		if (rc == 0)
			rc = erdp_fib4_add(dp->fib4, vrf, erdp_p4_msee(&pe->v4[l]), 32,
					   ERDP_NH_ID_LOCAL);
		if (rc != 0 || !pe->has_v6)
			continue;
		erdp_p6_msee(&pe->v6[l], msee6);
		rc = erdp_fib6_add(dp->fib6, vrf, pe->v6[l].addr, pe->v6[l].len, link_nh);
		if (rc == 0)
			rc = erdp_fib6_add(dp->fib6, vrf, msee6, 128, ERDP_NH_ID_LOCAL);
	}
	if (rc != 0)
		return erdp_errf(err, -rc, "peering '%s': cannot install connected routes: %s",
				 pe->name, strerror(-rc));
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
		cap4[cfg->peerings[p].vrf] += ERDP_CONNECTED_PER_PEERING;
		cap6[cfg->peerings[p].vrf] += ERDP_CONNECTED_PER_PEERING;
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

int erdp_routes_init(struct erdp_dp *dp, struct erdp_err *err)
{
	int rc = nh_table_init(dp, err);

	if (rc == 0)
		rc = fibs_create(dp, err);
	for (int p = 0; rc == 0 && p < dp->cfg->n_peerings; p++)
		rc = add_connected(dp, p, err);
	for (int r = 0; rc == 0 && r < dp->cfg->n_routes; r++)
		rc = add_static(dp, &dp->cfg->routes[r], err);
	return rc;
}

void erdp_routes_free(struct erdp_dp *dp)
{
	erdp_fib_free(dp->fib4);
	erdp_fib_free(dp->fib6);
	if (dp->nh.nh != NULL)
		for (uint32_t i = 0; i < dp->nh.n; i++)
			rte_free(dp->nh.nh[i]);
	rte_free(dp->nh.nh);
	rte_free(dp->gw);
	rte_free(dp->plink_admin_up);
	dp->fib4 = NULL;
	dp->fib6 = NULL;
	dp->nh.nh = NULL;
}
