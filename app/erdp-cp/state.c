/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's truth besides the RIB: runtime admin states, and the
 * bookkeeping that follows every route change. Built from the config at
 * start: config routes (gateway prefixes included) enter the RIB with
 * origin "config", gateway instances and links take their configured
 * initial states.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "cp.h"

static void count_target(struct cp *cp, uint32_t nh, int delta)
{
	uint32_t i = ERDP_NH_REF_INDEX(nh);

	if (nh == ERDP_NH_REF_BLACKHOLE)
		cp->blackhole_routes += (uint32_t)delta;
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_GATEWAY(0) &&
		 i < (uint32_t)cp->cfg->n_gateways)
		cp->gw_routes[i] += (uint32_t)delta;
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_PEERING(0) &&
		 i < (uint32_t)cp->cfg->n_peerings)
		cp->peering_routes[i] += (uint32_t)delta;
}

int cp_queue(struct cp *cp, const struct cp_op *op)
{
	if (cp->chan.state != CHAN_UP)
		return 0;
	return opq_push(&cp->chan.q, op);
}

static void route_op(struct cp_op *op, bool add, const struct rib_route *rt, uint32_t line)
{
	memset(op, 0, sizeof(*op));
	op->type = add ? ERDP_MSG_ROUTE_ADD : ERDP_MSG_ROUTE_DEL;
	op->family = rt->family;
	op->len = rt->len;
	op->id = rt->vrf;
	op->nh = rt->nh;
	op->line = line;
	memcpy(op->addr, rt->addr, 16);
}

int cp_route_set(struct cp *cp, const struct rib_route *rt, uint32_t line)
{
	uint32_t old = 0;
	struct cp_op op;
	int rc = rib_set(cp->rib, rt, &old);

	if (rc < 0 || rc == RIB_UNCHANGED)
		return rc;
	if (rc == RIB_REPLACED)
		count_target(cp, old, -1);
	count_target(cp, rt->nh, 1);
	route_op(&op, true, rt, line);
	rib_mask(op.addr, op.family, op.len);
	if (cp_queue(cp, &op) != 0)
		return -ENOMEM;
	return rc;
}

int cp_route_del(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		 uint32_t line)
{
	struct rib_route rt = {.vrf = vrf, .family = family, .len = len};
	struct cp_op op;
	uint32_t old;
	int rc;

	memcpy(rt.addr, addr, family == 6 ? 16 : 4);
	rc = rib_del(cp->rib, vrf, family, rt.addr, len, &old);
	if (rc != 0)
		return rc;
	count_target(cp, old, -1);
	route_op(&op, false, &rt, line);
	rib_mask(op.addr, op.family, op.len);
	return cp_queue(cp, &op) != 0 ? -ENOMEM : 0;
}

int cp_state_init(struct cp *cp, struct erdp_err *err)
{
	const struct erdp_config *cfg = cp->cfg;
	size_t ng = cfg->n_gateways ? (size_t)cfg->n_gateways : 1;
	size_t np = cfg->n_peerings ? (size_t)cfg->n_peerings : 1;

	cp->rib = rib_create((unsigned int)cfg->n_vrfs);
	cp->gw_up = calloc(ng, sizeof(*cp->gw_up));
	cp->plink_up = calloc(np * ERDP_LINKS, sizeof(*cp->plink_up));
	cp->gw_routes = calloc(ng, sizeof(*cp->gw_routes));
	cp->peering_routes = calloc(np, sizeof(*cp->peering_routes));
	if (cp->rib == NULL || cp->gw_up == NULL || cp->plink_up == NULL || cp->gw_routes == NULL ||
	    cp->peering_routes == NULL)
		return erdp_errf(err, ENOMEM, "RIB and state tables: out of memory");
	for (int g = 0; g < cfg->n_gateways; g++)
		for (int i = 0; i < cfg->gateways[g].n_instances; i++)
			cp->gw_up[g][i] = cfg->gateways[g].inst[i].up;
	for (size_t k = 0; k < np * ERDP_LINKS; k++)
		cp->plink_up[k] = true;
	for (int p = 0; p < ERDP_MAX_PORTS; p++)
		cp->port_up[p] = true;
	for (int r = 0; r < cfg->n_routes; r++) {
		const struct erdp_route_conf *rc = &cfg->routes[r];
		struct rib_route rt = {.vrf = (uint16_t)rc->vrf, .origin = RIB_ORIGIN_CONFIG};
		int rv;

		if (rc->v6) {
			rt.family = 6;
			rt.len = rc->p6.len;
			memcpy(rt.addr, rc->p6.addr, 16);
		} else {
			uint32_t a = htonl(rc->p4.addr);

			rt.family = 4;
			rt.len = rc->p4.len;
			memcpy(rt.addr, &a, 4);
		}
		rt.nh = rc->target == ERDP_TARGET_GATEWAY   ? ERDP_NH_REF_GATEWAY(rc->target_idx)
			: rc->target == ERDP_TARGET_PEERING ? ERDP_NH_REF_PEERING(rc->target_idx)
							    : ERDP_NH_REF_BLACKHOLE;
		rv = cp_route_set(cp, &rt, 0);
		if (rv < 0)
			return erdp_errf(err, -rv, "%s:%d: route: cannot enter the RIB: %s",
					 cfg->path, rc->line, strerror(-rv));
	}
	return 0;
}

void cp_state_free(struct cp *cp)
{
	rib_free(cp->rib);
	free(cp->gw_up);
	free(cp->plink_up);
	free(cp->gw_routes);
	free(cp->peering_routes);
}
