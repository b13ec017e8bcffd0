/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateways section and the routes: vrfs[].routes plus the gateways'
 * prefixes, which become routes of the gateway's VRF. Routes are read last
 * because they name peerings and gateways.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* ---- gateways ---- */

static int parse_inst_port(const struct cfg_grp *g, struct erdp_gw_instance_conf *in,
			   struct cfg_src_inst *src)
{
	const struct erdp_config *cfg = g->c->cfg;
	char path[CFG_PATH_LEN];
	const char *v;

	if (cfg_str(g, "port", true, &v, &src->port_line) < 0)
		return -EINVAL;
	cfg_path_key(path, g->path, "port");
	in->port = erdp_config_port_by_name(cfg, v);
	if (in->port < 0)
		return cfg_fail(g->c, src->port_line, path, "port names an entry of ports",
				"no port named '%s'", v);
	if (cfg->ports[in->port].role != ERDP_ROLE_GATEWAY)
		return cfg_fail(g->c, src->port_line, path,
				"gateway instances sit on ports with role \"gateway\"",
				"port '%s' has role \"%s\"", v,
				erdp_role_str(cfg->ports[in->port].role));
	return 0;
}

/* Optional instance address: enables ARP health probes (see config/erdp.conf). */
static int parse_inst_ip(const struct cfg_grp *g, struct erdp_gw_instance_conf *in)
{
	char path[CFG_PATH_LEN];
	struct in_addr a;
	const char *v;
	int line, rc = cfg_str(g, "ip", false, &v, &line);

	if (rc <= 0)
		return rc;
	if (inet_pton(AF_INET, v, &a) != 1 || a.s_addr == 0) {
		cfg_path_key(path, g->path, "ip");
		return cfg_fail(g->c, line, path, "ip is a unicast IPv4 address like \"10.0.0.1\"",
				"'%s' is not an IPv4 address", v);
	}
	in->has_ip = true;
	in->ip = ntohl(a.s_addr);
	return 0;
}

static int parse_instance(const struct cfg_grp *g, struct erdp_gw_instance_conf *in,
			  struct cfg_src_inst *src)
{
	static const char *const keys[] = {"port", "mac", "vlan", "zone", "up", "ip", NULL};
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int64_t v;
	int rc;

	in->line = cfg_line(g->s);
	in->up = true;
	if (cfg_keys(g, keys) < 0 || parse_inst_port(g, in, src) < 0 ||
	    cfg_member(g, "mac", true, &s) < 0)
		return -EINVAL;
	cfg_path_key(path, g->path, "mac");
	if (cfg_mac(g->c, s, path, &in->mac) < 0)
		return -EINVAL;
	rc = cfg_int(g, "vlan", false, 1, ERDP_MAX_VLAN,
		     "VLAN IDs are 1..4094; omit vlan for untagged", &v, &src->vlan_line);
	if (rc < 0)
		return rc;
	in->vlan = rc > 0 ? (uint16_t)v : 0;
	if (cfg_strcpy(g, "zone", false, in->zone, sizeof(in->zone), NULL) < 0 ||
	    cfg_bool(g, "up", false, &in->up, NULL) < 0)
		return -EINVAL;
	return parse_inst_ip(g, in);
}

static int parse_instances(const struct cfg_grp *g, struct erdp_gateway_conf *gw,
			   struct cfg_src_gw *src)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *list;
	int n;

	if (cfg_group_list(g, "instances", true, &list) < 0)
		return -EINVAL;
	n = config_setting_length(list);
	if (n < 2 || n > ERDP_MAX_GW_INSTANCES) {
		cfg_path_key(path, g->path, "instances");
		return cfg_fail(g->c, cfg_line(list), path, "a gateway has 2 to 16 instances",
				"%d instances given", n);
	}
	for (int i = 0; i < n; i++) {
		struct cfg_grp ig;

		if (cfg_elem_group(g, list, "instances", i, &ig) < 0 ||
		    parse_instance(&ig, &gw->inst[i], &src->inst[i]) < 0)
			return -EINVAL;
		gw->n_instances = i + 1;
	}
	return 0;
}

static int parse_health(const struct cfg_grp *g, struct erdp_gateway_conf *gw)
{
	int64_t v;
	int rc;

	gw->health_interval_ms = 300;
	gw->health_multiplier = 3;
	rc = cfg_int(g, "health_interval_ms", false, 50, 60000,
		     "health_interval_ms is 50..60000 milliseconds", &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		gw->health_interval_ms = (uint32_t)v;
	rc = cfg_int(g, "health_multiplier", false, 1, 255, "health_multiplier is 1..255", &v,
		     NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		gw->health_multiplier = (uint32_t)v;
	return 0;
}

static int parse_gateway(const struct cfg_grp *g, struct erdp_gateway_conf *gw,
			 struct cfg_src_gw *src)
{
	static const char *const keys[] = {
		"name", "vrf", "prefixes", "instances", "health_interval_ms", "health_multiplier",
		NULL};
	char path[CFG_PATH_LEN];
	const config_setting_t *pl;
	const char *v;
	int line;

	gw->line = cfg_line(g->s);
	if (cfg_keys(g, keys) < 0 || cfg_name(g, "name", gw->name, &src->name_line) < 0 ||
	    cfg_str(g, "vrf", true, &v, &line) < 0)
		return -EINVAL;
	gw->vrf = erdp_config_vrf_by_name(g->c->cfg, v);
	if (gw->vrf < 0) {
		cfg_path_key(path, g->path, "vrf");
		return cfg_fail(g->c, line, path, "vrf names an entry of vrfs", "no VRF named '%s'",
				v);
	}
	/* The prefixes become routes later; check the shape of the list now. */
	if (cfg_scalar_seq(g, "prefixes", false, &pl) < 0)
		return -EINVAL;
	if (parse_health(g, gw) < 0)
		return -EINVAL;
	return parse_instances(g, gw, src);
}

int cfg_parse_gateways(struct cfg_ctx *c, const struct cfg_grp *root)
{
	const config_setting_t *list;
	int rc = cfg_group_list(root, "gateways", false, &list);
	int n;

	if (rc <= 0)
		return rc;
	n = config_setting_length(list);
	if (n > ERDP_MAX_GATEWAYS)
		return cfg_fail(c, cfg_line(list), "gateways", "at most 4096 gateways",
				"%d gateways given", n);
	c->cfg->gateways = calloc((size_t)n + 1, sizeof(*c->cfg->gateways));
	c->src.gw = calloc((size_t)n + 1, sizeof(*c->src.gw));
	if (c->cfg->gateways == NULL || c->src.gw == NULL)
		return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
	for (int i = 0; i < n; i++) {
		struct cfg_grp g;

		if (cfg_elem_group(root, list, "gateways", i, &g) < 0 ||
		    parse_gateway(&g, &c->cfg->gateways[i], &c->src.gw[i]) < 0)
			return -EINVAL;
		c->cfg->n_gateways = i + 1;
	}
	return cfg_validate_gateways(c);
}

/* ---- routes ---- */

/* Parses s into r's family and prefix; a prefix with host bits set is an error. */
static int route_prefix(struct cfg_ctx *c, const config_setting_t *s, const char *path,
			struct erdp_route_conf *r)
{
	struct erdp_route_prefix rp;

	r->line = cfg_line(s);
	if (cfg_prefix(c, s, path, &rp) < 0)
		return -EINVAL;
	r->v6 = rp.v6;
	r->p4 = rp.p4;
	r->p6 = rp.p6;
	return 0;
}

static int other_vrf(const struct cfg_grp *g, const char *key, int line, const char *what,
		     const char *name, int vrf, int want)
{
	const struct erdp_config *cfg = g->c->cfg;
	char path[CFG_PATH_LEN];

	cfg_path_key(path, g->path, key);
	return cfg_fail(g->c, line, path, "a route's peering or gateway must be in the route's VRF",
			"%s '%s' is in VRF '%s', not in '%s'", what, name, cfg->vrfs[vrf].name,
			cfg->vrfs[want].name);
}

static int resolve_target(const struct cfg_grp *g, const char *key, struct erdp_route_conf *r)
{
	const struct erdp_config *cfg = g->c->cfg;
	bool peering = strcmp(key, "peering") == 0;
	char path[CFG_PATH_LEN];
	const char *v;
	int line, vrf;

	if (cfg_str(g, key, true, &v, &line) < 0)
		return -EINVAL;
	r->target = peering ? ERDP_TARGET_PEERING : ERDP_TARGET_GATEWAY;
	r->target_idx =
		peering ? erdp_config_peering_by_name(cfg, v) : erdp_config_gateway_by_name(cfg, v);
	if (r->target_idx < 0) {
		cfg_path_key(path, g->path, key);
		return cfg_fail(
			g->c, line, path,
			peering ? "peering is \"<circuit>/private\" or \"<circuit>/microsoft\""
				: "gateway names an entry of gateways",
			"no %s named '%s'", key, v);
	}
	vrf = peering ? cfg->peerings[r->target_idx].vrf : cfg->gateways[r->target_idx].vrf;
	if (vrf != r->vrf)
		return other_vrf(g, key, line, key, v, vrf, r->vrf);
	return 0;
}

#define TARGET_RULE "a route has exactly one of peering, gateway, blackhole = true"

static int parse_route(const struct cfg_grp *g, struct erdp_route_conf *r)
{
	static const char *const keys[] = {"prefix", "peering", "gateway", "blackhole", NULL};
	const config_setting_t *s;
	char path[CFG_PATH_LEN];
	bool has_p = config_setting_get_member(g->s, "peering") != NULL;
	bool has_g = config_setting_get_member(g->s, "gateway") != NULL;
	bool bh = false;
	int line = cfg_line(g->s);

	if (cfg_keys(g, keys) < 0 || cfg_member(g, "prefix", true, &s) < 0)
		return -EINVAL;
	cfg_path_key(path, g->path, "prefix");
	if (route_prefix(g->c, s, path, r) < 0 || cfg_bool(g, "blackhole", false, &bh, &line) < 0)
		return -EINVAL;
	if ((int)has_p + (int)has_g + (int)bh != 1)
		return cfg_fail(g->c, line, g->path, TARGET_RULE, "route to %s has %s",
				config_setting_get_string(s),
				has_p + has_g + bh == 0 ? "no target" : "more than one target");
	if (bh) {
		r->target = ERDP_TARGET_BLACKHOLE;
		r->target_idx = -1;
		return 0;
	}
	return resolve_target(g, has_p ? "peering" : "gateway", r);
}

static int parse_vrf_routes(struct cfg_ctx *c, const struct cfg_grp *vg, int vrf)
{
	struct erdp_config *cfg = c->cfg;
	const config_setting_t *list;
	int rc = cfg_group_list(vg, "routes", false, &list);

	if (rc <= 0)
		return rc;
	for (int i = 0; i < config_setting_length(list); i++) {
		struct erdp_route_conf *r = &cfg->routes[cfg->n_routes];
		struct cfg_grp g;

		c->src.route[cfg->n_routes] = (struct cfg_src_route){.owner = vrf, .pos = i};
		r->vrf = vrf;
		if (cfg_elem_group(vg, list, "routes", i, &g) < 0 || parse_route(&g, r) < 0)
			return -EINVAL;
		cfg->n_routes++;
	}
	return 0;
}

static int parse_gw_prefixes(struct cfg_ctx *c, const struct cfg_grp *gg, int gw)
{
	struct erdp_config *cfg = c->cfg;
	const config_setting_t *seq = config_setting_get_member(gg->s, "prefixes");
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];

	if (seq == NULL)
		return 0;
	cfg_path_key(path, gg->path, "prefixes");
	for (int i = 0; i < config_setting_length(seq); i++) {
		struct erdp_route_conf *r = &cfg->routes[cfg->n_routes];

		c->src.route[cfg->n_routes] =
			(struct cfg_src_route){.from_gw = true, .owner = gw, .pos = i};
		r->vrf = cfg->gateways[gw].vrf;
		r->target = ERDP_TARGET_GATEWAY;
		r->target_idx = gw;
		cfg_path_idx(epath, path, i);
		if (route_prefix(c, config_setting_get_elem(seq, (unsigned int)i), epath, r) < 0)
			return -EINVAL;
		cfg->n_routes++;
	}
	return 0;
}

/* Both kinds of routes share one array: size it before reading. */
static int count_routes(const config_setting_t *vl, const config_setting_t *gl)
{
	int total = 0;

	for (int i = 0; vl != NULL && i < config_setting_length(vl); i++) {
		const config_setting_t *rl = config_setting_get_member(
			config_setting_get_elem(vl, (unsigned int)i), "routes");

		total += rl != NULL ? config_setting_length(rl) : 0;
	}
	for (int i = 0; gl != NULL && i < config_setting_length(gl); i++) {
		const config_setting_t *pl = config_setting_get_member(
			config_setting_get_elem(gl, (unsigned int)i), "prefixes");

		total += pl != NULL ? config_setting_length(pl) : 0;
	}
	return total;
}

int cfg_parse_routes(struct cfg_ctx *c, const struct cfg_grp *root)
{
	struct erdp_config *cfg = c->cfg;
	const config_setting_t *vl = config_setting_get_member(root->s, "vrfs");
	const config_setting_t *gl = config_setting_get_member(root->s, "gateways");
	int n = count_routes(vl, gl);

	cfg->routes = calloc((size_t)n + 1, sizeof(*cfg->routes));
	c->src.route = calloc((size_t)n + 1, sizeof(*c->src.route));
	if (cfg->routes == NULL || c->src.route == NULL)
		return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
	for (int i = 0; i < cfg->n_vrfs; i++) {
		struct cfg_grp g;

		cfg_elem_group(root, vl, "vrfs", i, &g);
		if (parse_vrf_routes(c, &g, i) < 0)
			return -EINVAL;
	}
	for (int i = 0; i < cfg->n_gateways; i++) {
		struct cfg_grp g;

		cfg_elem_group(root, gl, "gateways", i, &g);
		if (parse_gw_prefixes(c, &g, i) < 0)
			return -EINVAL;
	}
	return cfg_validate_routes(c);
}
