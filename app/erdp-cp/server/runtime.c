/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What differs from the config: the runtime state that the state file
 * keeps (store/). `erdpctl show runtime` lists it; `erdpctl runtime export`
 * writes it as a libconfig fragment, so that an operator can make it part
 * of the config and stop depending on the state file for it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define RUNTIME_DEFAULT_LIMIT 100
#define RUNTIME_MAX_LIMIT     100000

struct collect {
	struct cp *cp;
	struct rib_route *r; /* runtime routes, then deleted config routes (nh: the config's) */
	size_t n, cap, n_routes;
	int err;
};

static int add(struct collect *c, const struct rib_route *rt)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct rib_route *n = realloc(c->r, cap * sizeof(*n));

		if (n == NULL)
			return c->err = -ENOMEM;
		c->r = n;
		c->cap = cap;
	}
	c->r[c->n++] = *rt;
	return 0;
}

static int want_runtime(const struct rib_route *rt, void *arg)
{
	return rt->origin == RIB_ORIGIN_RUNTIME ? add(arg, rt) : 0;
}

static int want_deleted(const struct rib_route *rt, void *arg)
{
	struct collect *c = arg;

	if (rib_find(c->cp->state.rib, rt->vrf, rt->family, rt->addr, rt->len) != NULL)
		return 0;
	return add(c, rt);
}

static int cmp_vrf_route(const void *a, const void *b)
{
	const struct rib_route *x = a, *y = b;

	if (x->vrf != y->vrf)
		return x->vrf < y->vrf ? -1 : 1;
	return rib_route_cmp(x, y);
}

/* Runtime routes (sorted by VRF and prefix), then deleted config routes (sorted). */
static int collect(struct cp *cp, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	c->cp = cp;
	rib_walk(cp->state.rib, want_runtime, c);
	c->n_routes = c->n;
	rib_walk(cp->state.config, want_deleted, c);
	if (c->err != 0)
		return c->err;
	qsort(c->r, c->n_routes, sizeof(*c->r), cmp_vrf_route);
	qsort(c->r + c->n_routes, c->n - c->n_routes, sizeof(*c->r), cmp_vrf_route);
	return 0;
}

/* Each admin state that differs from the config: fn(kind, name, member, up). */
static void each_admin(struct cp *cp,
		       void (*fn)(void *, const char *, const char *, const char *, bool),
		       void *arg)
{
	const struct erdp_config *cfg = cp->cfg;
	char member[16];

	for (int g = 0; g < cfg->n_gateways; g++)
		for (int i = 0; i < cfg->gateways[g].n_instances; i++) {
			bool up = cp->state.gw_up[g][i];

			if (up ==
			    state_admin_config(cfg, CP_ADMIN_GW_INSTANCE, (uint16_t)g, (uint16_t)i))
				continue;
			snprintf(member, sizeof(member), "%d", i);
			fn(arg, "gateway", cfg->gateways[g].name, member, up);
		}
	for (unsigned int k = 0; k < erdp_plink_count((unsigned int)cfg->n_peerings); k++)
		if (!cp->state.plink_up[k])
			fn(arg, "link", cfg->peerings[erdp_plink_peering(k)].name,
			   erdp_plink_link(k) == ERDP_LINK_SECONDARY ? "secondary" : "primary",
			   false);
	for (int p = 0; p < cfg->n_ports; p++)
		if (!cp->state.port_up[p])
			fn(arg, "port", cfg->ports[p].name, "", false);
}

static void admin_json(void *arg, const char *kind, const char *name, const char *member, bool up)
{
	json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "name", name,
					     "member", member, "state", up ? "up" : "down"));
}

static json_t *route_entry(struct cp *cp, const struct rib_route *rt, bool deleted)
{
	const struct rib_route *c =
		state_config_route(&cp->state, rt->vrf, rt->family, rt->addr, rt->len);
	char p[CP_PREFIX_STR], t[200], ct[200];

	prefix_format(rt->family, rt->addr, rt->len, p, sizeof(p));
	return json_pack(
		"{s:s,s:s,s:s,s:s?}", "vrf", cp->cfg->vrfs[rt->vrf].name, "prefix", p, "target",
		deleted ? "withdraw" : target_format(cp->cfg, rt->nh, t, sizeof(t)), "config",
		c != NULL ? target_format(cp->cfg, c->nh, ct, sizeof(ct)) : NULL);
}

json_t *req_runtime(struct cp *cp, json_t *req)
{
	json_t *err = NULL, *routes, *admin, *res;
	struct collect c;
	long long limit;

	if (req_int(req, "limit", 1, RUNTIME_MAX_LIMIT, RUNTIME_DEFAULT_LIMIT, true, &limit,
		    &err) != 0)
		return err;
	if (collect(cp, &c) != 0) {
		free(c.r);
		return reply_error("erdp-cp: out of memory");
	}
	routes = json_array();
	for (size_t i = 0; i < c.n && i < (size_t)limit; i++)
		json_array_append_new(routes, route_entry(cp, &c.r[i], i >= c.n_routes));
	admin = json_array();
	each_admin(cp, admin_json, admin);
	res = json_pack("{s:s,s:I,s:I,s:o,s:o,s:o}", "state_file", store_path(cp->store),
			"runtime_routes", (json_int_t)c.n_routes, "deleted_config_routes",
			(json_int_t)(c.n - c.n_routes), "routes", routes, "admin", admin,
			"set_aside", store_aside(cp->store));
	if (c.n > (size_t)limit)
		json_object_set_new(res, "more", json_integer((json_int_t)(c.n - (size_t)limit)));
	free(c.r);
	return reply_ok(res);
}

/* ---- export: a libconfig fragment ---- */

struct text {
	char *s;
	size_t n, cap;
	int err;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int need;

	for (;;) {
		va_start(ap, fmt);
		need = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (need < 0) {
			t->err = -EINVAL;
			return;
		}
		if ((size_t)need < t->cap - t->n) {
			t->n += (size_t)need;
			return;
		}
		size_t cap = (t->cap + (size_t)need + 1) * 2;
		char *s = realloc(t->s, cap);

		if (s == NULL) {
			t->err = -ENOMEM;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

/* A route as a config entry: { prefix = "..."; gateway = "..."; } */
static void conf_entry(struct text *t, const struct erdp_config *cfg, const struct rib_route *rt)
{
	char p[CP_PREFIX_STR];
	uint32_t i = ERDP_NH_REF_INDEX(rt->nh);

	prefix_format(rt->family, rt->addr, rt->len, p, sizeof(p));
	if (rt->nh == ERDP_NH_REF_BLACKHOLE)
		put(t, "{ prefix = \"%s\"; blackhole = true; }", p);
	else if (ERDP_NH_REF_KIND(rt->nh) == ERDP_NH_REF_GATEWAY(0))
		put(t, "{ prefix = \"%s\"; gateway = \"%s\"; }", p, cfg->gateways[i].name);
	else
		put(t, "{ prefix = \"%s\"; peering = \"%s\"; }", p, cfg->peerings[i].name);
}

static void admin_text(void *arg, const char *kind, const char *name, const char *member, bool up)
{
	struct text *t = arg;

	if (strcmp(kind, "gateway") == 0)
		put(t, "#   gateway \"%s\" instance %s: %s (set up = %s; on that instance)\n", name,
		    member, up ? "up" : "down", up ? "true" : "false");
	else
		put(t,
		    "#   %s \"%s\"%s%s: %s (no config setting: erdpctl %s ... %s after a start)\n",
		    kind, name, member[0] ? " " : "", member, up ? "up" : "down", kind,
		    up ? "up" : "down");
}

/* The config's route that a runtime route replaces, or NULL. */
static const struct rib_route *replaced(struct cp *cp, const struct rib_route *rt)
{
	return state_config_route(&cp->state, rt->vrf, rt->family, rt->addr, rt->len);
}

json_t *req_runtime_export(struct cp *cp)
{
	const struct erdp_config *cfg = cp->cfg;
	struct text t = {0};
	struct collect c;
	char stamp[64];
	time_t now = time(NULL);
	json_t *res;

	if (collect(cp, &c) != 0) {
		free(c.r);
		return reply_error("erdp-cp: out of memory");
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
	put(&t,
	    "# erdpctl runtime export: the state of erdp instance '%s' that is not in %s\n"
	    "# (%zu runtime routes, %zu config routes deleted), %s.\n"
	    "# Paste each VRF's entries into the routes = ( ... ) list of that VRF in\n"
	    "# vrfs (put a comma between the list's last entry and the pasted ones).\n"
	    "# An entry marked \"replaces\" gives a config route another target: edit\n"
	    "# that config entry instead of adding this one.\n",
	    cp->instance, cfg->path, c.n_routes, c.n - c.n_routes, stamp);
	for (size_t i = 0, j; i < c.n_routes; i = j) {
		bool first = true;

		for (j = i; j < c.n_routes && c.r[j].vrf == c.r[i].vrf; j++)
			;
		put(&t, "\n# VRF \"%s\"\n", cfg->vrfs[c.r[i].vrf].name);
		for (size_t k = i; k < j; k++) {
			if (replaced(cp, &c.r[k]) != NULL)
				continue;
			put(&t, "%s", first ? "" : ",\n");
			conf_entry(&t, cfg, &c.r[k]);
			first = false;
		}
		put(&t, "%s", first ? "" : "\n");
		for (size_t k = i; k < j; k++) {
			const struct rib_route *old = replaced(cp, &c.r[k]);
			char ot[200];

			if (old == NULL)
				continue;
			put(&t, "# replaces the config's route to %s: ",
			    target_format(cfg, old->nh, ot, sizeof(ot)));
			conf_entry(&t, cfg, &c.r[k]);
			put(&t, "\n");
		}
	}
	if (c.n > c.n_routes)
		put(&t, "\n# Config routes deleted at run time (remove them from the config):\n");
	for (size_t i = c.n_routes; i < c.n; i++) {
		char p[CP_PREFIX_STR], ot[200];

		put(&t, "#   VRF \"%s\" %s (%s)\n", cfg->vrfs[c.r[i].vrf].name,
		    prefix_format(c.r[i].family, c.r[i].addr, c.r[i].len, p, sizeof(p)),
		    target_format(cfg, c.r[i].nh, ot, sizeof(ot)));
	}
	put(&t, "\n# Admin states that differ from the config:\n");
	each_admin(cp, admin_text, &t);
	free(c.r);
	if (t.err != 0) {
		free(t.s);
		return reply_error("erdp-cp: out of memory for the export");
	}
	res = json_pack("{s:s%,s:I,s:I}", "text", t.s, t.n, "runtime_routes",
			(json_int_t)c.n_routes, "deleted_config_routes",
			(json_int_t)(c.n - c.n_routes));
	free(t.s);
	return reply_ok(res);
}
