/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading a configuration: read the text, let libconfig parse it, then walk
 * the sections in dependency order (ports and VRFs before the circuits that
 * name them, gateways before the routes that name them). Each section runs
 * its cross-object checks right after it is read, so that references are
 * resolved against names already known to be unique.
 *
 * This file holds the entry points and the sections without references:
 * eal, dataplane, port_pair, ports and the VRF headers.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

static void set_defaults(struct erdp_config *cfg)
{
	snprintf(cfg->eal.lcores, sizeof(cfg->eal.lcores), "0-1");
	snprintf(cfg->eal.file_prefix, sizeof(cfg->eal.file_prefix), "erdp");
	cfg->eal.huge = true;
	cfg->dp.burst = 32;
	cfg->dp.mbufs = 16383;
	cfg->dp.rx_desc = 1024;
	cfg->dp.tx_desc = 1024;
	cfg->dp.stats_interval_ms = 1000;
	cfg->pair.n_outer_tpids = 1;
	cfg->pair.outer_tpids[0] = 0x8100;
	cfg->pair.egress_tpid = 0x8100;
	cfg->pair.oversubscription = CFG_DEFAULT_OVERSUB;
	cfg->pair.primary_port = -1;
	cfg->pair.secondary_port = -1;
}

/* ---- eal ---- */

static bool valid_lcores(const char *s)
{
	if (s[0] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && strchr(",-@()", *s) == NULL)
			return false;
	return true;
}

static int parse_eal_args(struct cfg_ctx *c, const struct cfg_grp *g)
{
	struct erdp_eal_conf *eal = &c->cfg->eal;
	const config_setting_t *seq;
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];
	int rc = cfg_scalar_seq(g, "args", false, &seq);
	int n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "args");
	n = config_setting_length(seq);
	if (n > ERDP_MAX_EAL_ARGS)
		return cfg_fail(c, cfg_line(seq), path, "at most 32 extra EAL arguments",
				"%d arguments given", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(seq, (unsigned int)i);
		const char *v;

		cfg_path_idx(epath, path, i);
		if (cfg_as_str(c, e, epath, &v) < 0)
			return -EINVAL;
		if (v[0] == '\0')
			return cfg_fail(c, cfg_line(e), epath,
					"EAL arguments are non-empty strings", "empty argument");
		eal->args[i] = strdup(v);
		if (eal->args[i] == NULL)
			return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
		eal->n_args = i + 1;
	}
	return 0;
}

int cfg_parse_eal(struct cfg_ctx *c, const struct cfg_grp *root)
{
	static const char *const keys[] = {"lcores", "memory_mb", "file_prefix",
					   "huge",   "args",	  NULL};
	struct erdp_eal_conf *eal = &c->cfg->eal;
	struct cfg_grp g = {.c = c, .path = "eal"};
	char path[CFG_PATH_LEN];
	int64_t v;
	int rc, line;

	if (cfg_member(root, "eal", false, &g.s) == 0)
		return 0;
	if (config_setting_type(g.s) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, cfg_line(g.s), "eal", "wrong type", "expected a group { }");
	if (cfg_keys(&g, keys) < 0)
		return -EINVAL;
	rc = cfg_strcpy(&g, "lcores", false, eal->lcores, sizeof(eal->lcores), &line);
	if (rc < 0)
		return rc;
	cfg_path_key(path, g.path, "lcores");
	if (rc > 0 && !valid_lcores(eal->lcores))
		return cfg_fail(c, line, path,
				"EAL lcore list such as \"0-1\", \"0,2\" or \"(0-1)@0\"",
				"invalid lcore list '%s'", eal->lcores);
	rc = cfg_int(&g, "memory_mb", false, 0, 1048576, NULL, &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		eal->memory_mb = (uint32_t)v;
	if (config_setting_get_member(g.s, "file_prefix") != NULL &&
	    cfg_name(&g, "file_prefix", eal->file_prefix, NULL) < 0)
		return -EINVAL;
	if (cfg_bool(&g, "huge", false, &eal->huge, NULL) < 0)
		return -EINVAL;
	return parse_eal_args(c, &g);
}

/* ---- dataplane ---- */

static int parse_desc(const struct cfg_grp *g, const char *key, uint16_t *out)
{
	char path[CFG_PATH_LEN];
	int64_t v;
	int line;
	int rc = cfg_int(g, key, false, 64, 16384, "descriptors: a power of 2 in 64..16384", &v,
			 &line);

	if (rc <= 0)
		return rc;
	if ((v & (v - 1)) != 0) {
		cfg_path_key(path, g->path, key);
		return cfg_fail(g->c, line, path, "descriptors: a power of 2 in 64..16384",
				"%lld is not a power of 2", (long long)v);
	}
	*out = (uint16_t)v;
	return 0;
}

int cfg_parse_dataplane(struct cfg_ctx *c, const struct cfg_grp *root)
{
	static const char *const keys[] = {
		"burst", "mbufs", "rx_desc", "tx_desc", "stats_interval_ms", NULL};
	struct erdp_dataplane_conf *dp = &c->cfg->dp;
	struct cfg_grp g = {.c = c, .path = "dataplane"};
	int64_t v;
	int rc;

	if (cfg_member(root, "dataplane", false, &g.s) == 0)
		return 0;
	if (config_setting_type(g.s) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, cfg_line(g.s), "dataplane", "wrong type",
				"expected a group { }");
	if (cfg_keys(&g, keys) < 0)
		return -EINVAL;
	rc = cfg_int(&g, "burst", false, 1, 64, "burst: 1..64 packets", &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		dp->burst = (uint16_t)v;
	rc = cfg_int(&g, "mbufs", false, 511, 16777215, NULL, &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		dp->mbufs = (uint32_t)v;
	if (parse_desc(&g, "rx_desc", &dp->rx_desc) < 0 ||
	    parse_desc(&g, "tx_desc", &dp->tx_desc) < 0)
		return -EINVAL;
	rc = cfg_int(&g, "stats_interval_ms", false, 0, 3600000, NULL, &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		dp->stats_interval_ms = (uint32_t)v;
	return 0;
}

/* ---- port_pair ---- */

static bool known_tpid(int64_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

#define TPID_RULE "TPIDs: 0x8100, 0x88a8 or 0x9100"

static int parse_tpids(struct cfg_ctx *c, const struct cfg_grp *g)
{
	struct erdp_port_pair_conf *pair = &c->cfg->pair;
	const config_setting_t *seq;
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];
	int rc = cfg_scalar_seq(g, "outer_tpids", false, &seq);
	int n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "outer_tpids");
	n = config_setting_length(seq);
	if (n < 1 || n > ERDP_MAX_OUTER_TPIDS)
		return cfg_fail(c, cfg_line(seq), path, "outer_tpids lists 1 to 4 TPIDs",
				"%d TPIDs given", n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(seq, (unsigned int)i);
		int64_t t;

		cfg_path_idx(epath, path, i);
		if (cfg_as_int(c, e, epath, 0, 0xffff, TPID_RULE, &t) < 0)
			return -EINVAL;
		if (!known_tpid(t))
			return cfg_fail(c, cfg_line(e), epath, TPID_RULE,
					"TPID 0x%04llx is not accepted", (long long)t);
		for (int k = 0; k < i; k++)
			if (pair->outer_tpids[k] == t)
				return cfg_fail(c, cfg_line(e), epath, "no duplicate TPIDs",
						"TPID 0x%04llx is listed twice", (long long)t);
		pair->outer_tpids[i] = (uint16_t)t;
	}
	pair->n_outer_tpids = n;
	return 0;
}

static int parse_egress_tpid(struct cfg_ctx *c, const struct cfg_grp *g)
{
	struct erdp_port_pair_conf *pair = &c->cfg->pair;
	char path[CFG_PATH_LEN];
	int64_t t;
	int line;
	int rc = cfg_int(g, "egress_tpid", false, 0, 0xffff, TPID_RULE, &t, &line);

	pair->egress_tpid = pair->outer_tpids[0];
	if (rc <= 0)
		return rc;
	for (int i = 0; i < pair->n_outer_tpids; i++) {
		if (pair->outer_tpids[i] == t) {
			pair->egress_tpid = (uint16_t)t;
			return 0;
		}
	}
	cfg_path_key(path, g->path, "egress_tpid");
	return cfg_fail(c, line, path, "egress_tpid must be one of outer_tpids",
			"TPID 0x%04llx is not in outer_tpids", (long long)t);
}

static int parse_encap_speed(struct cfg_ctx *c, const struct cfg_grp *g)
{
	struct erdp_port_pair_conf *pair = &c->cfg->pair;
	char path[CFG_PATH_LEN];
	const char *v;
	int line;

	if (cfg_str(g, "encapsulation", true, &v, &line) < 0)
		return -EINVAL;
	if (strcmp(v, "qinq") == 0) {
		pair->encap = ERDP_ENCAP_QINQ;
	} else if (strcmp(v, "dot1q") == 0) {
		pair->encap = ERDP_ENCAP_DOT1Q;
	} else {
		cfg_path_key(path, g->path, "encapsulation");
		return cfg_fail(c, line, path, "encapsulation: \"qinq\" or \"dot1q\"",
				"unknown encapsulation '%s'", v);
	}
	if (cfg_str(g, "speed", true, &v, &line) < 0)
		return -EINVAL;
	if (strcmp(v, "10G") == 0) {
		pair->speed_gbps = 10;
	} else if (strcmp(v, "100G") == 0) {
		pair->speed_gbps = 100;
	} else {
		cfg_path_key(path, g->path, "speed");
		return cfg_fail(c, line, path, "port speed: \"10G\" or \"100G\"",
				"unknown speed '%s'", v);
	}
	return 0;
}

int cfg_parse_port_pair(struct cfg_ctx *c, const struct cfg_grp *root)
{
	static const char *const keys[] = {
		"encapsulation", "speed", "outer_tpids", "egress_tpid", "oversubscription", NULL};
	struct cfg_grp g = {.c = c, .path = "port_pair"};
	int64_t v;
	int rc;

	if (cfg_member(root, "port_pair", true, &g.s) < 0)
		return -EINVAL;
	if (config_setting_type(g.s) != CONFIG_TYPE_GROUP)
		return cfg_fail(c, cfg_line(g.s), "port_pair", "wrong type",
				"expected a group { }");
	if (cfg_keys(&g, keys) < 0 || parse_encap_speed(c, &g) < 0 || parse_tpids(c, &g) < 0 ||
	    parse_egress_tpid(c, &g) < 0)
		return -EINVAL;
	rc = cfg_int(&g, "oversubscription", false, 1, 4096, NULL, &v, NULL);
	if (rc > 0)
		c->cfg->pair.oversubscription = (uint32_t)v;
	return rc < 0 ? rc : 0;
}

/* ---- ports ---- */

static bool hex_run(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* DDDD:BB:DD.F or BB:DD.F, device 0..1f, function 0..7. */
static bool valid_pci(const char *s, size_t n)
{
	if (n == 12) {
		if (!hex_run(s, 4) || s[4] != ':')
			return false;
		s += 5;
		n -= 5;
	}
	if (n != 7 || !hex_run(s, 2) || s[2] != ':' || !hex_run(s + 3, 2) || s[5] != '.')
		return false;
	/* The device number has 5 bits: its first hex digit is 0 or 1. */
	return (s[3] == '0' || s[3] == '1') && s[6] >= '0' && s[6] <= '7';
}

/* net_<driver><id>: the name DPDK gives the virtual device. */
static bool valid_vdev(const char *s, size_t n)
{
	if (n < 6 || strncmp(s, "net_", 4) != 0 || !isalpha((unsigned char)s[4]) ||
	    !isdigit((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 4; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool valid_device(const char *dev)
{
	const char *comma = strchr(dev, ',');
	size_t n = comma != NULL ? (size_t)(comma - dev) : strlen(dev);

	if (comma != NULL && comma[1] == '\0')
		return false;
	for (const char *p = dev; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return false;
	return valid_pci(dev, n) || valid_vdev(dev, n);
}

static int parse_role(const struct cfg_grp *g, enum erdp_port_role *role, int *line)
{
	static const char *const names[] = {"primary", "secondary", "gateway"};
	char path[CFG_PATH_LEN];
	const char *v;

	if (cfg_str(g, "role", true, &v, line) < 0)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (strcmp(v, names[i]) == 0) {
			*role = (enum erdp_port_role)i;
			return 0;
		}
	}
	cfg_path_key(path, g->path, "role");
	return cfg_fail(g->c, *line, path, "role: \"primary\", \"secondary\" or \"gateway\"",
			"unknown role '%s'", v);
}

static int parse_port_mac(const struct cfg_grp *g, struct erdp_port_conf *p)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int rc = cfg_member(g, "mac", false, &s);

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "mac");
	p->has_mac = true;
	return cfg_mac(g->c, s, path, &p->mac);
}

static int parse_port(const struct cfg_grp *g, struct erdp_port_conf *p, struct cfg_src_port *src)
{
	static const char *const keys[] = {"name", "device", "role",	    "rx_queues",
					   "mtu",  "mac",    "promiscuous", NULL};
	char path[CFG_PATH_LEN];
	int64_t v;
	int rc, line = 0;

	p->line = cfg_line(g->s);
	p->rx_queues = 1;
	p->mtu = 1500;
	if (cfg_keys(g, keys) < 0 || cfg_name(g, "name", p->name, &src->name_line) < 0 ||
	    cfg_strcpy(g, "device", true, p->device, sizeof(p->device), &src->device_line) < 0)
		return -EINVAL;
	if (!valid_device(p->device)) {
		cfg_path_key(path, g->path, "device");
		return cfg_fail(g->c, src->device_line, path,
				"device: PCI address DDDD:BB:DD.F or BB:DD.F, or vdev "
				"net_<driver><id>[,args]",
				"invalid device '%s'", p->device);
	}
	if (parse_role(g, &p->role, &src->role_line) < 0)
		return -EINVAL;
	rc = cfg_int(g, "rx_queues", false, 1, 16, NULL, &v, &line);
	if (rc < 0)
		return rc;
	if (rc > 0)
		p->rx_queues = (uint16_t)v;
	/*
	 * DPDK 22.11's memif leaves an RX queue that the peer did not open
	 * pointing at the first queue's ring: with a one-queue peer, every
	 * frame is received twice. Nothing tells erdp how many the peer opened.
	 */
	if (p->rx_queues > 1 && strncmp(p->device, "net_memif", 9) == 0) {
		cfg_path_key(path, g->path, "rx_queues");
		return cfg_fail(g->c, line, path,
				"rx_queues: 1 on net_memif ports (DPDK 22.11's memif reads the "
				"first queue's ring again from RX queues the peer did not open)",
				"%u RX queues on memif device '%.40s'", p->rx_queues, p->device);
	}
	rc = cfg_int(g, "mtu", false, 576, 9000, "IP MTU: 576..9000", &v, NULL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		p->mtu = (uint16_t)v;
	if (cfg_bool(g, "promiscuous", false, &p->promiscuous, NULL) < 0)
		return -EINVAL;
	return parse_port_mac(g, p);
}

int cfg_parse_ports(struct cfg_ctx *c, const struct cfg_grp *root)
{
	const config_setting_t *list;
	int n;

	if (cfg_group_list(root, "ports", true, &list) < 0)
		return -EINVAL;
	c->src.ports_line = cfg_line(list);
	n = config_setting_length(list);
	if (n > ERDP_MAX_PORTS)
		return cfg_fail(c, cfg_line(list), "ports", "at most 16 ports", "%d ports given",
				n);
	for (int i = 0; i < n; i++) {
		struct cfg_grp g;

		if (cfg_elem_group(root, list, "ports", i, &g) < 0 ||
		    parse_port(&g, &c->cfg->ports[i], &c->src.port[i]) < 0)
			return -EINVAL;
		c->cfg->n_ports = i + 1;
	}
	return cfg_validate_ports(c);
}

/* ---- vrfs (names and capacities; routes come after circuits and gateways) ---- */

static int parse_vrf(const struct cfg_grp *g, struct erdp_vrf_conf *v, struct cfg_src_vrf *src)
{
	static const char *const keys[] = {"name", "ipv4_routes", "ipv6_routes", "routes", NULL};
	int64_t cap;
	int rc;

	v->line = cfg_line(g->s);
	v->ipv4_routes = 4096;
	v->ipv6_routes = 1024;
	if (cfg_keys(g, keys) < 0 || cfg_name(g, "name", v->name, &src->name_line) < 0)
		return -EINVAL;
	rc = cfg_int(g, "ipv4_routes", false, 1, 2000000, NULL, &cap, &src->v4cap_line);
	if (rc < 0)
		return rc;
	if (rc > 0)
		v->ipv4_routes = (uint32_t)cap;
	rc = cfg_int(g, "ipv6_routes", false, 1, 1000000, NULL, &cap, &src->v6cap_line);
	if (rc < 0)
		return rc;
	if (rc > 0)
		v->ipv6_routes = (uint32_t)cap;
	return 0;
}

int cfg_parse_vrfs(struct cfg_ctx *c, const struct cfg_grp *root)
{
	const config_setting_t *list;
	int rc = cfg_group_list(root, "vrfs", false, &list);
	int n;

	if (rc <= 0)
		return rc;
	n = config_setting_length(list);
	if (n > ERDP_MAX_VRFS)
		return cfg_fail(c, cfg_line(list), "vrfs", "at most 4096 VRFs", "%d VRFs given", n);
	c->cfg->vrfs = calloc((size_t)n + 1, sizeof(*c->cfg->vrfs));
	c->src.vrf = calloc((size_t)n + 1, sizeof(*c->src.vrf));
	if (c->cfg->vrfs == NULL || c->src.vrf == NULL)
		return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
	for (int i = 0; i < n; i++) {
		struct cfg_grp g;

		if (cfg_elem_group(root, list, "vrfs", i, &g) < 0 ||
		    parse_vrf(&g, &c->cfg->vrfs[i], &c->src.vrf[i]) < 0)
			return -EINVAL;
		c->cfg->n_vrfs = i + 1;
	}
	return cfg_validate_vrfs(c);
}

/* ---- entry points ---- */

static int parse_all(struct cfg_ctx *c, const config_setting_t *root_setting)
{
	static const char *const keys[] = {"eal",      "dataplane", "port_pair", "ports", "vrfs",
					   "circuits", "gateways",  "bgp",	 NULL};
	struct cfg_grp root = {.c = c, .s = root_setting, .path = ""};

	if (cfg_keys(&root, keys) < 0 || cfg_parse_eal(c, &root) < 0 ||
	    cfg_parse_dataplane(c, &root) < 0 || cfg_parse_bgp(c, &root) < 0 ||
	    cfg_parse_port_pair(c, &root) < 0 || cfg_parse_ports(c, &root) < 0 ||
	    cfg_parse_vrfs(c, &root) < 0 || cfg_parse_circuits(c, &root) < 0 ||
	    cfg_validate_bgp(c) < 0 || cfg_parse_gateways(c, &root) < 0 ||
	    cfg_parse_routes(c, &root) < 0)
		return -EINVAL;
	return 0;
}

static void free_src(struct cfg_src *src)
{
	free(src->vrf);
	free(src->circuit);
	free(src->peering);
	free(src->gw);
	free(src->route);
}

static int syntax_error(const config_t *lc, const char *name, struct erdp_err *err)
{
	const char *file = config_error_file(lc);

	return erdp_errf(err, EINVAL, "%s:%d: %s (libconfig syntax)", file != NULL ? file : name,
			 config_error_line(lc), config_error_text(lc));
}

/* incdir: where @include looks for files, NULL for the working directory. */
static int load_text(const char *text, const char *name, const char *incdir,
		     struct erdp_config **out, struct erdp_err *err)
{
	struct cfg_ctx c = {.err = err, .file = name};
	char *wide;
	config_t lc;
	int rc;

	*out = NULL;
	erdp_err_clear(err);
	if (cfg_widen_literals(text, name, &wide, err) < 0)
		return -EINVAL;
	c.cfg = calloc(1, sizeof(*c.cfg));
	if (c.cfg == NULL) {
		free(wide);
		return erdp_errf(err, ENOMEM, "%s: out of memory", name);
	}
	snprintf(c.cfg->path, sizeof(c.cfg->path), "%s", name);
	set_defaults(c.cfg);
	config_init(&lc);
	if (incdir != NULL)
		config_set_include_dir(&lc, incdir);
	if (config_read_string(&lc, wide) == CONFIG_FALSE)
		rc = syntax_error(&lc, name, err);
	else
		rc = parse_all(&c, config_root_setting(&lc));
	config_destroy(&lc);
	free(wide);
	free_src(&c.src);
	if (rc < 0) {
		erdp_config_free(c.cfg);
		return rc;
	}
	*out = c.cfg;
	return 0;
}

int erdp_config_load_string(const char *text, const char *name, struct erdp_config **out,
			    struct erdp_err *err)
{
	return load_text(text, name != NULL ? name : "<string>", NULL, out, err);
}

static char *read_all(FILE *f)
{
	size_t cap = 65536, len = 0, n;
	char *buf = malloc(cap), *nb;

	while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 > 0)
			continue;
		cap *= 2;
		nb = realloc(buf, cap);
		if (nb == NULL)
			free(buf);
		buf = nb;
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

int erdp_config_load(const char *path, struct erdp_config **out, struct erdp_err *err)
{
	char dir[512];
	FILE *f;
	char *text;
	int rc;

	*out = NULL;
	f = fopen(path, "r");
	if (f == NULL)
		return erdp_errf(err, errno, "%s: cannot open the configuration file: %s", path,
				 strerror(errno));
	text = read_all(f);
	rc = ferror(f) ? errno : 0;
	fclose(f);
	if (text == NULL || rc != 0) {
		free(text);
		return erdp_errf(err, rc != 0 ? rc : ENOMEM,
				 "%s: cannot read the configuration file: %s", path,
				 strerror(rc != 0 ? rc : ENOMEM));
	}
	/* @include paths are relative to the including file, as one would expect. */
	snprintf(dir, sizeof(dir), "%s", path);
	rc = load_text(text, path, dirname(dir), out, err);
	free(text);
	return rc;
}
