/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's truth besides the RIB: runtime admin states, and the
 * bookkeeping that follows every route change (per-target counts, what
 * differs from the config, the journal). Built from the config at start:
 * config routes (gateway prefixes included) enter the RIB with origin
 * "config" and a RIB of their own that later changes are compared with;
 * erdp's connected routes go into a third RIB, for refusing and looking up;
 * gateway instances and links take their configured initial states.
 */
#include <errno.h>
#include <stdio.h>
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
	else if (target_peering(nh) >= 0 && target_peering(nh) < cfg->n_peerings)
		s->peering_routes[target_peering(nh)] += (uint32_t)delta;
}

/* Does this state of a prefix differ from the config's? */
static bool differs(const struct cp_state *s, uint16_t vrf, uint8_t family, const uint8_t *addr,
		    uint8_t len, bool present, uint32_t nh)
{
	const struct rib_route *c = rib_find(s->config, vrf, family, addr, len);

	return present ? c == NULL || c->nh != nh : c != NULL;
}

/* Bookkeeping after a prefix changed from prev to what the RIB holds now. */
static void changed(struct cp_state *s, uint16_t vrf, uint8_t family, const uint8_t *addr,
		    uint8_t len, const struct cp_route_prev *prev)
{
	const struct rib_route *now = rib_find(s->rib, vrf, family, addr, len);
	bool was = differs(s, vrf, family, addr, len, prev->present, prev->nh);
	bool is = differs(s, vrf, family, addr, len, now != NULL, now ? now->nh : 0);

	s->n_runtime = s->n_runtime + is - was;
	if (s->journal.route != NULL)
		s->journal.route(s->journal.arg, vrf, family, addr, len, now, is);
}

/* What the RIB holds for a prefix now, as a cp_route_prev. */
static struct cp_route_prev now_prev(const struct cp_state *s, uint16_t vrf, uint8_t family,
				     const uint8_t *addr, uint8_t len)
{
	const struct rib_route *e = rib_find(s->rib, vrf, family, addr, len);

	return e == NULL
		       ? (struct cp_route_prev){.present = false}
		       : (struct cp_route_prev){.present = true, .origin = e->origin, .nh = e->nh};
}

/* The RIB and counts; journaled unless journal is false (BGP's routes). */
static int route_set(struct cp_state *s, const struct erdp_config *cfg, const struct rib_route *rt,
		     uint8_t origin, bool journal, struct cp_route_prev *prev_out)
{
	struct cp_route_prev prev = now_prev(s, rt->vrf, rt->family, rt->addr, rt->len);
	struct rib_route r = *rt;
	int rc;

	r.origin = origin;
	rc = rib_set(s->rib, &r, NULL);
	if (prev_out != NULL)
		*prev_out = prev;
	if (rc < 0 || (rc == RIB_UNCHANGED && prev.origin == origin))
		return rc;
	if (prev.present)
		count_target(s, cfg, prev.nh, -1);
	count_target(s, cfg, rt->nh, 1);
	if (journal) {
		/* A BGP route the operator's replaces was never the operator's state. */
		if (prev.origin == RIB_ORIGIN_BGP)
			prev = (struct cp_route_prev){.present = false};
		changed(s, rt->vrf, rt->family, rt->addr, rt->len, &prev);
	}
	return rc == RIB_UNCHANGED ? RIB_REPLACED : rc;
}

int state_route_set(struct cp_state *s, const struct erdp_config *cfg, const struct rib_route *rt,
		    struct cp_route_prev *prev_out)
{
	const struct rib_route *c = rib_find(s->config, rt->vrf, rt->family, rt->addr, rt->len);

	return route_set(s, cfg, rt,
			 c != NULL && c->nh == rt->nh ? RIB_ORIGIN_CONFIG : RIB_ORIGIN_RUNTIME,
			 true, prev_out);
}

int state_route_set_bgp(struct cp_state *s, const struct erdp_config *cfg,
			const struct rib_route *rt, struct cp_route_prev *prev_out)
{
	return route_set(s, cfg, rt, RIB_ORIGIN_BGP, false, prev_out);
}

static int route_del(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
		     uint8_t family, const uint8_t *addr, uint8_t len, bool journal,
		     struct cp_route_prev *prev_out)
{
	struct cp_route_prev prev = now_prev(s, vrf, family, addr, len);
	int rc = rib_del(s->rib, vrf, family, addr, len, NULL);

	if (prev_out != NULL)
		*prev_out = prev;
	if (rc != 0)
		return rc;
	count_target(s, cfg, prev.nh, -1);
	if (journal && prev.origin != RIB_ORIGIN_BGP)
		changed(s, vrf, family, addr, len, &prev);
	return 0;
}

int state_route_del(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf, uint8_t family,
		    const uint8_t *addr, uint8_t len, struct cp_route_prev *prev_out)
{
	return route_del(s, cfg, vrf, family, addr, len, true, prev_out);
}

int state_route_del_bgp(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			uint8_t family, const uint8_t *addr, uint8_t len,
			struct cp_route_prev *prev)
{
	return route_del(s, cfg, vrf, family, addr, len, false, prev);
}

void state_route_restore(struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			 uint8_t family, const uint8_t *addr, uint8_t len,
			 const struct cp_route_prev *prev)
{
	struct rib_route rt = {.vrf = vrf, .family = family, .len = len, .nh = prev->nh};

	memcpy(rt.addr, addr, 16);
	if (prev->present && prev->origin == RIB_ORIGIN_BGP)
		state_route_set_bgp(s, cfg, &rt, NULL);
	else if (prev->present)
		state_route_set(s, cfg, &rt, NULL);
	else
		route_del(s, cfg, vrf, family, addr, len,
			  now_prev(s, vrf, family, addr, len).origin != RIB_ORIGIN_BGP, NULL);
}

const struct rib_route *state_config_route(const struct cp_state *s, uint16_t vrf, uint8_t family,
					   const uint8_t *addr, uint8_t len)
{
	return rib_find(s->config, vrf, family, addr, len);
}

bool state_connected_find(const struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
			  uint8_t family, const uint8_t *addr, uint8_t len,
			  struct erdp_connected *out, int *peering)
{
	const struct rib_route *r = s->connected_len[family == 6][len]
					    ? rib_find(s->connected, vrf, family, addr, len)
					    : NULL;
	struct erdp_connected c[ERDP_CONNECTED_PER_PEERING];
	int p, n;

	if (r == NULL)
		return false;
	p = (int)ERDP_NH_REF_INDEX(r->nh); /* add_connected: nh names the peering */
	n = erdp_config_connected(cfg, p, c);
	for (int i = 0; i < n; i++) {
		uint32_t a4 = htonl(c[i].addr4);

		if (c[i].v6 == (family == 6) && c[i].len == len &&
		    memcmp(addr, c[i].v6 ? c[i].addr6 : (const uint8_t *)&a4, c[i].v6 ? 16 : 4) ==
			    0) {
			*out = c[i];
			*peering = p;
			return true;
		}
	}
	return false; /* cannot happen: the table was built from the same list */
}

bool state_connected(const struct cp_state *s, const struct erdp_config *cfg, uint16_t vrf,
		     uint8_t family, const uint8_t *addr, uint8_t len, char *why, size_t why_len)
{
	struct erdp_connected c;
	int p;

	if (!state_connected_find(s, cfg, vrf, family, addr, len, &c, &p))
		return false;
	snprintf(why, why_len,
		 "is %s of peering '%s' (%s link): erdp's own connected route, which no change "
		 "may replace or remove",
		 erdp_connected_kind_str((enum erdp_connected_kind)c.kind), cfg->peerings[p].name,
		 c.link == ERDP_LINK_SECONDARY ? "secondary" : "primary");
	return true;
}

static bool *admin_slot(struct cp_state *s, enum cp_admin kind, uint16_t idx, uint16_t sub)
{
	switch (kind) {
	case CP_ADMIN_GW_INSTANCE:
		return &s->gw_up[idx][sub];
	case CP_ADMIN_PEERING_LINK:
		return &s->plink_up[idx];
	default:
		return &s->port_up[idx];
	}
}

bool state_admin_set(struct cp_state *s, enum cp_admin kind, uint16_t idx, uint16_t sub, bool up)
{
	bool *v = admin_slot(s, kind, idx, sub);

	if (*v == up)
		return false;
	*v = up;
	if (s->journal.admin != NULL)
		s->journal.admin(s->journal.arg, kind, idx, sub, up);
	return true;
}

bool state_admin_get(const struct cp_state *s, enum cp_admin kind, uint16_t idx, uint16_t sub)
{
	return *admin_slot((struct cp_state *)s, kind, idx, sub);
}

bool state_admin_config(const struct erdp_config *cfg, enum cp_admin kind, uint16_t idx,
			uint16_t sub)
{
	return kind != CP_ADMIN_GW_INSTANCE || cfg->gateways[idx].inst[sub].up;
}

/* erdp's connected routes of every peering (lib/config: erdp installs the same ones). */
static int add_connected(struct cp_state *s, const struct erdp_config *cfg)
{
	int rc = 0;

	for (int p = 0; p < cfg->n_peerings && rc >= 0; p++) {
		struct erdp_connected c[ERDP_CONNECTED_PER_PEERING];
		int n = erdp_config_connected(cfg, p, c);

		for (int i = 0; i < n && rc >= 0; i++) {
			/* nh names the peering; the kind and link are found again by address */
			struct rib_route rt = {.vrf = c[i].vrf,
					       .origin = RIB_ORIGIN_CONFIG,
					       .nh = ERDP_NH_REF_PEERING(p),
					       .family = c[i].v6 ? 6 : 4,
					       .len = c[i].len};
			uint32_t a4 = htonl(c[i].addr4);

			memcpy(rt.addr, c[i].v6 ? c[i].addr6 : (const uint8_t *)&a4,
			       c[i].v6 ? 16 : 4);
			rc = rib_set(s->connected, &rt, NULL);
			s->connected_len[c[i].v6][rt.len] = true;
		}
	}
	return rc < 0 ? rc : 0;
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
	s->config = rib_create((unsigned int)cfg->n_vrfs);
	s->connected = rib_create((unsigned int)cfg->n_vrfs);
	s->gw_up = calloc(ng, sizeof(*s->gw_up));
	s->plink_up = calloc(erdp_plink_count((unsigned int)np), sizeof(*s->plink_up));
	s->gw_routes = calloc(ng, sizeof(*s->gw_routes));
	s->peering_routes = calloc(np, sizeof(*s->peering_routes));
	if (s->rib == NULL || s->config == NULL || s->connected == NULL || s->gw_up == NULL ||
	    s->plink_up == NULL || s->gw_routes == NULL || s->peering_routes == NULL ||
	    add_connected(s, cfg) != 0)
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
		if (rib_find(s->connected, rt.vrf, rt.family, rt.addr, rt.len) != NULL) {
			/* erdp keeps its connected route (control/routes.c): so does the RIB */
			cp_log("%s:%d: route: the prefix is a connected route of its VRF; ignored",
			       cfg->path, cfg->routes[r].line);
			continue;
		}
		rv = rib_set(s->config, &rt, NULL);
		if (rv >= 0)
			rv = rib_set(s->rib, &rt, NULL); /* the config itself: not a change */
		if (rv == RIB_ADDED)
			count_target(s, cfg, rt.nh, 1);
		if (rv < 0)
			return erdp_errf(err, -rv, "%s:%d: route: cannot enter the RIB: %s",
					 cfg->path, cfg->routes[r].line, strerror(-rv));
	}
	return 0;
}

void state_free(struct cp_state *s)
{
	rib_free(s->rib);
	rib_free(s->config);
	rib_free(s->connected);
	free(s->gw_up);
	free(s->plink_up);
	free(s->gw_routes);
	free(s->peering_routes);
	memset(s, 0, sizeof(*s));
}
