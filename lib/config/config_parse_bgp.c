/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MSEE's BGP and BFD toward the customer: the top-level `bgp` group
 * (timers, namespaces, the exception-path policer, FRR's paths) and the
 * BGP keys of a peering (md5_key, advertise, communities). erdp uses the
 * namespaces and the policer; erdp-cp the rest. Defaults are Azure's where
 * Azure documents one (keepalive 60 s, hold 180 s, BFD 300 ms x 3).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

#define BGP_KEEPALIVE_MAX 21845 /* 65535 / 3: the hold time must be 3 x the keepalive */
#define BGP_HOLD_MIN	  3	/* RFC 4271: 0 or at least 3 s; the MSEE never uses 0 */
#define BGP_HOLD_MAX	  65535
#define MAINT_PREPEND_MAX 10
#define HOST_RATE_MAX	  1000000
#define HOST_BURST_MAX	  100000

static void bgp_defaults(struct erdp_config *cfg)
{
	struct erdp_bgp_conf *b = &cfg->bgp;

	b->keepalive = 60;
	b->hold_time = 180;
	b->min_hold_time = 10;
	b->bfd_interval_ms = 300;
	b->bfd_multiplier = 3;
	b->maintenance_prepend = 3;
	b->host_rate_pps = 2000;
	b->host_burst = 500;
	b->fpm_port = 2620;
	snprintf(b->frr_path, sizeof(b->frr_path), "/usr/lib/frr");
	snprintf(b->state_dir, sizeof(b->state_dir), "/run/erdp/frr");
	/* eal is read before bgp: its file prefix names the instance. */
	snprintf(b->namespace_prefix, sizeof(b->namespace_prefix), "%s", cfg->eal.file_prefix);
}

/* An optional integer key in min..max into *out (a uint32_t); its line into *line. */
static int opt_u32(const struct cfg_grp *g, const char *key, int64_t min, int64_t max,
		   uint32_t *out, int *line)
{
	int64_t v;
	int rc = cfg_int(g, key, false, min, max, NULL, &v, line);

	if (rc > 0)
		*out = (uint32_t)v;
	return rc < 0 ? rc : 0;
}

/* An optional absolute path. */
static int opt_path(const struct cfg_grp *g, const char *key, char *buf)
{
	char tmp[ERDP_PATH_LEN], path[CFG_PATH_LEN];
	int line, rc = cfg_strcpy(g, key, false, tmp, sizeof(tmp), &line);

	if (rc <= 0)
		return rc;
	if (tmp[0] != '/') {
		cfg_path_key(path, g->path, key);
		return cfg_fail(g->c, line, path, "an absolute path, starting with /",
				"'%s' is not an absolute path", tmp);
	}
	memcpy(buf, tmp, strlen(tmp) + 1);
	return 0;
}

static int parse_bfd(const struct cfg_grp *g)
{
	static const char *const keys[] = {"interval_ms", "multiplier", NULL};
	struct erdp_bgp_conf *b = &g->c->cfg->bgp;
	struct cfg_grp bg = {.c = g->c};

	if (cfg_member(g, "bfd", false, &bg.s) == 0)
		return 0;
	cfg_path_key(bg.path, g->path, "bfd");
	if (config_setting_type(bg.s) != CONFIG_TYPE_GROUP)
		return cfg_fail(g->c, cfg_line(bg.s), bg.path, "wrong type",
				"expected a group { }");
	if (cfg_keys(&bg, keys) < 0 ||
	    opt_u32(&bg, "interval_ms", 50, 10000, &b->bfd_interval_ms, NULL) < 0 ||
	    opt_u32(&bg, "multiplier", 2, 255, &b->bfd_multiplier, NULL) < 0)
		return -EINVAL;
	return 0;
}

/* RFC 4271: the hold time is 0 or at least 3 keepalives; the customer's may go down to min. */
static int check_timers(const struct cfg_grp *g)
{
	const struct erdp_bgp_conf *b = &g->c->cfg->bgp;
	const struct cfg_src_bgp *src = &g->c->src.bgp;
	char path[CFG_PATH_LEN];

	if (b->hold_time < 3 * b->keepalive) {
		bool at_hold = src->hold_line > 0;

		cfg_path_key(path, g->path, at_hold ? "hold_time" : "keepalive");
		return cfg_fail(g->c, at_hold ? src->hold_line : src->keepalive_line, path,
				"hold_time >= 3 x keepalive",
				"hold_time %u%s is less than 3 x keepalive %u", b->hold_time,
				at_hold ? "" : " (default)", b->keepalive);
	}
	if (b->min_hold_time > b->hold_time) {
		bool at_min = src->min_hold_line > 0;

		cfg_path_key(path, g->path, at_min ? "min_hold_time" : "hold_time");
		return cfg_fail(g->c, at_min ? src->min_hold_line : src->hold_line, path,
				"min_hold_time <= hold_time",
				"min_hold_time %u%s is above hold_time %u", b->min_hold_time,
				at_min ? "" : " (default)", b->hold_time);
	}
	return 0;
}

static int parse_host_policer(const struct cfg_grp *g)
{
	struct erdp_bgp_conf *b = &g->c->cfg->bgp;

	if (opt_u32(g, "host_rate_pps", 1, HOST_RATE_MAX, &b->host_rate_pps, NULL) < 0 ||
	    opt_u32(g, "host_burst", 1, HOST_BURST_MAX, &b->host_burst, NULL) < 0)
		return -EINVAL;
	return 0;
}

int cfg_parse_bgp(struct cfg_ctx *c, const struct cfg_grp *root)
{
	static const char *const keys[] = {"enabled",
					   "namespace_prefix",
					   "keepalive",
					   "hold_time",
					   "min_hold_time",
					   "bfd",
					   "maintenance_prepend",
					   "host_rate_pps",
					   "host_burst",
					   "frr_path",
					   "state_dir",
					   "fpm_port",
					   NULL};
	struct erdp_bgp_conf *b = &c->cfg->bgp;
	struct cfg_src_bgp *src = &c->src.bgp;
	struct cfg_grp g = {.c = c, .path = "bgp"};
	uint32_t port;

	bgp_defaults(c->cfg);
	port = b->fpm_port; /* the default unless the group sets it */
	if (cfg_member(root, "bgp", false, &g.s) == 0)
		return 0;
	src->group_line = cfg_line(g.s);
	if (config_setting_type(g.s) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, cfg_line(g.s), "bgp", "wrong type", "expected a group { }");
	if (cfg_keys(&g, keys) < 0 || cfg_bool(&g, "enabled", false, &b->enabled, NULL) < 0)
		return -EINVAL;
	if (config_setting_get_member(g.s, "namespace_prefix") != NULL &&
	    cfg_name(&g, "namespace_prefix", b->namespace_prefix, &src->prefix_line) < 0)
		return -EINVAL;
	if (opt_u32(&g, "keepalive", 1, BGP_KEEPALIVE_MAX, &b->keepalive, &src->keepalive_line) <
		    0 ||
	    opt_u32(&g, "hold_time", BGP_HOLD_MIN, BGP_HOLD_MAX, &b->hold_time, &src->hold_line) <
		    0 ||
	    opt_u32(&g, "min_hold_time", BGP_HOLD_MIN, BGP_HOLD_MAX, &b->min_hold_time,
		    &src->min_hold_line) < 0 ||
	    check_timers(&g) < 0 || parse_bfd(&g) < 0 ||
	    opt_u32(&g, "maintenance_prepend", 1, MAINT_PREPEND_MAX, &b->maintenance_prepend,
		    NULL) < 0 ||
	    parse_host_policer(&g) < 0 || opt_path(&g, "frr_path", b->frr_path) < 0 ||
	    opt_path(&g, "state_dir", b->state_dir) < 0 ||
	    opt_u32(&g, "fpm_port", 1, 65535, &port, NULL) < 0)
		return -EINVAL;
	b->fpm_port = (uint16_t)port;
	return 0;
}

/* ---- a peering's BGP keys ---- */

/* RFC 2385 keys as FRR's `neighbor X password WORD` takes them: one printable word. */
static int parse_md5(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	char path[CFG_PATH_LEN];
	const char *v;
	int line, rc = cfg_str(g, "md5_key", false, &v, &line);
	size_t n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "md5_key");
	n = strlen(v);
	if (n == 0 || n > ERDP_MD5_KEY_MAX)
		return cfg_fail(g->c, line, path, "md5_key: 1 to 80 printable ASCII characters",
				"key of %zu characters", n);
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)v[i]))
			return cfg_fail(g->c, line, path,
					"md5_key: printable ASCII, no spaces or control characters",
					"character %zu is 0x%02x", i + 1, (unsigned char)v[i]);
	memcpy(p->md5_key, v, n + 1);
	return 0;
}

static bool same_prefix(const struct erdp_route_prefix *a, const struct erdp_route_prefix *b)
{
	if (a->v6 != b->v6)
		return false;
	if (a->v6)
		return a->p6.len == b->p6.len && memcmp(a->p6.addr, b->p6.addr, 16) == 0;
	return a->p4.len == b->p4.len && a->p4.addr == b->p4.addr;
}

static int parse_advertise(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];
	const config_setting_t *seq;
	int rc = cfg_scalar_seq(g, "advertise", false, &seq);
	int n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "advertise");
	if (p->type != ERDP_PEERING_MICROSOFT)
		return cfg_fail(g->c, cfg_line(seq), path,
				"advertise is for Microsoft peerings; a private peering advertises "
				"its VRF's gateway prefixes",
				"not allowed on a %s peering", erdp_peering_type_str(p->type));
	n = config_setting_length(seq);
	if (n > ERDP_MAX_ADVERTISE)
		return cfg_fail(g->c, cfg_line(seq), path,
				"at most 200 prefixes per Microsoft peering session",
				"%d prefixes given", n);
	p->advertise = calloc((size_t)n + 1, sizeof(*p->advertise));
	if (p->advertise == NULL)
		return erdp_errf(g->c->err, ENOMEM, "%s: out of memory", g->c->file);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(seq, (unsigned int)i);
		struct erdp_route_prefix *rp = &p->advertise[i];

		cfg_path_idx(epath, path, i);
		if (cfg_prefix(g->c, e, epath, rp) < 0)
			return -EINVAL;
		for (int k = 0; k < i; k++)
			if (same_prefix(&p->advertise[k], rp))
				return cfg_fail(g->c, cfg_line(e), epath,
						"each advertised prefix once",
						"the same prefix as advertise[%d]", k);
		p->n_advertise = i + 1;
	}
	return 0;
}

/* "A:B" with A and B in 0..65535, nothing else. */
static int parse_community(const char *s, uint32_t *out)
{
	unsigned long a, b;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]) || a > 0xffff)
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || b > 0xffff)
		return -EINVAL;
	*out = (uint32_t)(a << 16 | b);
	return 0;
}

static int parse_communities(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];
	const config_setting_t *seq;
	int rc = cfg_scalar_seq(g, "communities", false, &seq);
	int n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "communities");
	n = config_setting_length(seq);
	if (n > ERDP_MAX_COMMUNITIES)
		return cfg_fail(g->c, cfg_line(seq), path, "at most 16 communities",
				"%d communities given", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(seq, (unsigned int)i);
		const char *v;

		cfg_path_idx(epath, path, i);
		if (cfg_as_str(g->c, e, epath, &v) < 0)
			return -EINVAL;
		if (parse_community(v, &p->communities[i]) < 0)
			return cfg_fail(g->c, cfg_line(e), epath,
					"communities are \"A:B\" with A and B in 0..65535",
					"'%s' is not a community", v);
		p->n_communities = i + 1;
	}
	return 0;
}

int cfg_parse_peering_bgp(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	if (parse_md5(g, p) < 0 || parse_communities(g, p) < 0 || parse_advertise(g, p) < 0) {
		/* A failed peering owns nothing: the config's free counts parsed peerings only. */
		free(p->advertise);
		p->advertise = NULL;
		p->n_advertise = 0;
		return -EINVAL;
	}
	return 0;
}

/* ---- across objects ---- */

/* Every peering's namespace name fits (checked only when erdp and erdp-cp will create them). */
int cfg_validate_bgp(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	char ns[ERDP_NETNS_NAME_MAX * 2], path[CFG_PATH_LEN];

	if (!cfg->bgp.enabled)
		return 0;
	for (int i = 0; i < cfg->n_peerings; i++) {
		const struct erdp_peering_conf *pe = &cfg->peerings[i];

		if (erdp_peering_namespace(cfg, i, ns, sizeof(ns)) == 0)
			continue;
		snprintf(path, sizeof(path), "circuits[%d].name", pe->circuit);
		return cfg_fail(
			c, c->src.circuit[pe->circuit].name_line, path,
			"with bgp.enabled each peering gets a network namespace "
			"\"<bgp.namespace_prefix>-<circuit>-<type>\" of at most 63 characters",
			"namespace '%s-%s-%s' of peering '%s' is too long",
			cfg->bgp.namespace_prefix, cfg->circuits[pe->circuit].name,
			erdp_peering_type_str(pe->type), pe->name);
	}
	return 0;
}
