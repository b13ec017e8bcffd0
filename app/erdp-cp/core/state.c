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

#include "core.h"
#include "erdp_ctl.h"

static void count_target(struct cp_state *s, const struct erdp_config *cfg, uint32_t nh, int delta)
{
	uint32_t i = ERDP_NH_REF_INDEX(nh);

	if (nh == ERDP_NH_REF_BLACKHOLE)
		s->blackhole_routes += (uint32_t)delta;
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_GATEWAY(0) && i < (uint32_t)cfg->n_gateways)
		s->gw_routes[i] += (uint32_t)delta;
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_PEERING(0) && i < (uint32_t)cfg->n_peerings)
		s->peering_routes[i] += (uint32_t)delta;
}

int state_route_set(struct cp_state *s, const struct erdp_config *cfg, const struct rib_route *rt)
{
	uint32_t old = 0;
	int rc = rib_set(s->rib, rt, &old);

	if (rc < 0 || rc == RIB_UNCHANGED)
		return rc;
	if (rc == RIB_REPLACED)
		count_target(s, cfg, old, -1);
	count_target(s, cfg, rt->nh, 1);
	return rc;
}

int state_route_del(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	uint32_t old;
	int rc = rib_del(s->rib, vrf, family, addr, len, &old);

	if (rc == 0)
		count_target(s, cfg, old, -1);
	return rc;
}

/* A config route as the RIB holds it. */
static void conf_route(const struct erdp_route_conf *rc, struct rib_route *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->vrf = (uint16_t)rc->vrf;
	rt->origin = RIB_ORIGIN_CONFIG;
	if (rc->v6) {
		rt->family = 6;
		rt->len = rc->p6.len;
		memcpy(rt->addr, rc->p6.addr, 16);
	} else {
		uint32_t a = htonl(rc->p4.addr);

		rt->family = 4;
		rt->len = rc->p4.len;
		memcpy(rt->addr, &a, 4);
	}
	rt->nh = rc->target == ERDP_TARGET_GATEWAY   ? ERDP_NH_REF_GATEWAY(rc->target_idx)
		 : rc->target == ERDP_TARGET_PEERING ? ERDP_NH_REF_PEERING(rc->target_idx)
						     : ERDP_NH_REF_BLACKHOLE;
}

int state_init(struct cp_state *s, const struct erdp_config *cfg, struct erdp_err *err)
{
	size_t ng = cfg->n_gateways ? (size_t)cfg->n_gateways : 1;
	size_t np = cfg->n_peerings ? (size_t)cfg->n_peerings : 1;

	memset(s, 0, sizeof(*s));
	s->rib = rib_create((unsigned int)cfg->n_vrfs);
	s->gw_up = calloc(ng, sizeof(*s->gw_up));
	s->plink_up = calloc(erdp_plink_count((unsigned int)np), sizeof(*s->plink_up));
	s->gw_routes = calloc(ng, sizeof(*s->gw_routes));
	s->peering_routes = calloc(np, sizeof(*s->peering_routes));
	if (s->rib == NULL || s->gw_up == NULL || s->plink_up == NULL || s->gw_routes == NULL ||
	    s->peering_routes == NULL)
		return erdp_errf(err, ENOMEM, "RIB and state tables: out of memory");
	for (int g = 0; g < cfg->n_gateways; g++)
		for (int i = 0; i < cfg->gateways[g].n_instances; i++)
			s->gw_up[g][i] = cfg->gateways[g].inst[i].up;
	for (size_t k = 0; k < erdp_plink_count((unsigned int)np); k++)
		s->plink_up[k] = true;
	for (int p = 0; p < ERDP_MAX_PORTS; p++)
		s->port_up[p] = true;
	for (int r = 0; r < cfg->n_routes; r++) {
		struct rib_route rt;
		int rv;

		conf_route(&cfg->routes[r], &rt);
		rv = state_route_set(s, cfg, &rt);
		if (rv < 0)
			return erdp_errf(err, -rv, "%s:%d: route: cannot enter the RIB: %s",
					 cfg->path, cfg->routes[r].line, strerror(-rv));
	}
	return 0;
}

void state_free(struct cp_state *s)
{
	rib_free(s->rib);
	free(s->gw_up);
	free(s->plink_up);
	free(s->gw_routes);
	free(s->peering_routes);
	memset(s, 0, sizeof(*s));
}
