/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The circuits section: circuits and their peerings. What depends on the
 * encapsulation (S-tag and C-tag in qinq, one VLAN per peering in dot1q)
 * and on the port speed (bandwidth SKUs) is checked here; uniqueness,
 * bandwidth sum and subnet overlaps are the validator's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

#define VLAN_RULE "VLAN IDs are 1..4094"

struct sku {
	const char *name;
	uint32_t mbps;
};

/* Bandwidths Azure offers for circuits on an ExpressRoute Direct pair. */
static const struct sku skus_10g[] = {
	{"1G", 1000}, {"2G", 2000}, {"5G", 5000}, {"10G", 10000}, {NULL, 0}};
static const struct sku skus_100g[] = {
	{"5G", 5000}, {"10G", 10000}, {"40G", 40000}, {"100G", 100000}, {NULL, 0}};

static int parse_bandwidth(const struct cfg_grp *g, struct erdp_circuit_conf *ci, int *line)
{
	uint32_t speed = g->c->cfg->pair.speed_gbps;
	const struct sku *skus = speed == 10 ? skus_10g : skus_100g;
	char path[CFG_PATH_LEN], rule[96];
	const char *v;
	size_t off;

	if (cfg_str(g, "bandwidth", true, &v, line) < 0)
		return -EINVAL;
	for (int i = 0; skus[i].name != NULL; i++) {
		if (strcmp(v, skus[i].name) == 0) {
			ci->bandwidth_mbps = skus[i].mbps;
			return 0;
		}
	}
	off = (size_t)snprintf(rule, sizeof(rule), "SKUs offered on a %uG port pair:", speed);
	for (int i = 0; skus[i].name != NULL; i++)
		off += (size_t)snprintf(rule + off, sizeof(rule) - off, "%s %s", i > 0 ? "," : "",
					skus[i].name);
	cfg_path_key(path, g->path, "bandwidth");
	return cfg_fail(g->c, *line, path, rule, "bandwidth '%s' is not offered on a %uG port pair",
			v, speed);
}

/* A key that the other encapsulation uses: refuse it rather than ignore it. */
static int forbid(const struct cfg_grp *g, const char *key, const char *rule)
{
	char path[CFG_PATH_LEN];
	const config_setting_t *s = config_setting_get_member(g->s, key);

	if (s == NULL)
		return 0;
	cfg_path_key(path, g->path, key);
	return cfg_fail(g->c, cfg_line(s), path, rule, "not allowed with encapsulation \"%s\"",
			erdp_encap_str(g->c->cfg->pair.encap));
}

static int parse_tag(const struct cfg_grp *g, struct erdp_peering_conf *p, int *line)
{
	bool qinq = g->c->cfg->pair.encap == ERDP_ENCAP_QINQ;
	const char *key = qinq ? "c_tag" : "vlan";
	int64_t v;

	if (qinq && forbid(g, "vlan", "qinq peerings take c_tag; vlan is for dot1q") < 0)
		return -EINVAL;
	if (!qinq && forbid(g, "c_tag", "dot1q peerings take vlan; c_tag is for qinq") < 0)
		return -EINVAL;
	if (cfg_int(g, key, true, 1, ERDP_MAX_VLAN, VLAN_RULE, &v, line) < 0)
		return -EINVAL;
	p->vlan = (uint16_t)v;
	return 0;
}

static int parse_type(const struct cfg_grp *g, struct erdp_peering_conf *p, int pidx)
{
	const struct erdp_config *cfg = g->c->cfg;
	struct erdp_circuit_conf *ci = &g->c->cfg->circuits[p->circuit];
	char path[CFG_PATH_LEN];
	const char *v;
	int line, other;

	if (cfg_str(g, "type", true, &v, &line) < 0)
		return -EINVAL;
	cfg_path_key(path, g->path, "type");
	if (strcmp(v, "private") == 0)
		p->type = ERDP_PEERING_PRIVATE;
	else if (strcmp(v, "microsoft") == 0)
		p->type = ERDP_PEERING_MICROSOFT;
	else
		return cfg_fail(g->c, line, path, "peering type: \"private\" or \"microsoft\"",
				"unknown peering type '%s'", v);
	other = ci->peering[p->type];
	if (other >= 0)
		return cfg_fail(g->c, line, path,
				"at most one private and one microsoft peering per circuit",
				"circuit '%s' already has a %s peering at line %d", ci->name, v,
				cfg->peerings[other].line);
	ci->peering[p->type] = pidx;
	snprintf(p->name, sizeof(p->name), "%s/%s", ci->name, v);
	return 0;
}

static int parse_vrf_ref(const struct cfg_grp *g, int *vrf)
{
	char path[CFG_PATH_LEN];
	const char *v;
	int line;

	if (cfg_str(g, "vrf", true, &v, &line) < 0)
		return -EINVAL;
	*vrf = erdp_config_vrf_by_name(g->c->cfg, v);
	if (*vrf >= 0)
		return 0;
	cfg_path_key(path, g->path, "vrf");
	return cfg_fail(g->c, line, path, "vrf names an entry of vrfs", "no VRF named '%s'", v);
}

/* One link subnet string of exactly /want, host bits zero. */
static int link_subnet(struct cfg_ctx *c, const config_setting_t *s, const char *path, bool v6,
		       int want, const char *rule, struct erdp_prefix4 *p4, struct erdp_prefix6 *p6)
{
	const char *v;
	int len;

	if (cfg_as_str(c, s, path, &v) < 0)
		return -EINVAL;
	if (v6 ? cfg_parse_p6_loose(v, p6) < 0 : cfg_parse_p4_loose(v, p4) < 0)
		return cfg_fail(c, cfg_line(s), path, rule, "'%s' is not an %s prefix", v,
				v6 ? "IPv6" : "IPv4");
	len = v6 ? p6->len : p4->len;
	if (len != want)
		return cfg_fail(c, cfg_line(s), path, rule, "%s is a /%d, expected a /%d", v, len,
				want);
	if (v6 ? cfg_p6_host_bits(p6) : (p4->addr & ~cfg_p4_mask(p4->len)) != 0)
		return cfg_fail(c, cfg_line(s), path, "subnet host bits must be zero",
				"%s has host bits set", v);
	return 0;
}

/* The /29 (/125) form: first half for the primary link, second for the secondary. */
static void split_whole(struct erdp_peering_conf *p, bool v6)
{
	if (v6) {
		p->v6[0].len = 126;
		p->v6[1] = p->v6[0];
		p->v6[1].addr[15] += 4; /* a /125 is 8-aligned: no carry */
	} else {
		p->v4[0].len = 30;
		p->v4[1].addr = p->v4[0].addr + 4;
		p->v4[1].len = 30;
	}
}

static int parse_link_list(const struct cfg_grp *g, const config_setting_t *s, const char *path,
			   bool v6, const char *rule, struct erdp_peering_conf *p, int *lines)
{
	char epath[CFG_PATH_LEN];
	int n = config_setting_length(s);

	if (n != ERDP_LINKS)
		return cfg_fail(g->c, cfg_line(s), path, rule,
				"expected two subnets [primary, secondary], got %d", n);
	for (int i = 0; i < ERDP_LINKS; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);

		cfg_path_idx(epath, path, i);
		lines[i] = cfg_line(e);
		if (link_subnet(g->c, e, epath, v6, v6 ? 126 : 30, rule, &p->v4[i], &p->v6[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_links(const struct cfg_grp *g, bool v6, struct erdp_peering_conf *p,
		       struct cfg_src_peering *src)
{
	const char *key = v6 ? "ipv6" : "ipv4";
	const char *rule = v6 ? "ipv6: one /125 or a list of two /126 [primary, secondary]"
			      : "ipv4: one /29 or a list of two /30 [primary, secondary]";
	int *lines = v6 ? src->v6_line : src->v4_line;
	char path[CFG_PATH_LEN];
	const config_setting_t *s;
	int rc = cfg_member(g, key, !v6, &s);
	int t;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, key);
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY) {
		*(v6 ? &src->v6_list : &src->v4_list) = true;
		rc = parse_link_list(g, s, path, v6, rule, p, lines);
	} else {
		lines[0] = lines[1] = cfg_line(s);
		rc = link_subnet(g->c, s, path, v6, v6 ? 125 : 29, rule, &p->v4[0], &p->v6[0]);
		if (rc == 0)
			split_whole(p, v6);
	}
	if (rc == 0 && v6)
		p->has_v6 = true;
	return rc;
}

static int parse_asn(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	char path[CFG_PATH_LEN];
	int64_t v;
	int line;

	if (cfg_int(g, "peer_asn", true, 1, 4294967295LL, NULL, &v, &line) < 0)
		return -EINVAL;
	cfg_path_key(path, g->path, "peer_asn");
	if (v >= ERDP_RESERVED_ASN_MIN && v <= ERDP_RESERVED_ASN_MAX)
		return cfg_fail(g->c, line, path, "ASNs 65515..65520 are reserved by Azure",
				"ASN %lld is reserved", (long long)v);
	if (v == 12076)
		return cfg_fail(g->c, line, path,
				"12076 is Microsoft's ASN, the peer needs its own",
				"ASN %lld is reserved", (long long)v);
	p->peer_asn = (uint32_t)v;
	return 0;
}

static int parse_customer_macs(const struct cfg_grp *g, struct erdp_peering_conf *p)
{
	char path[CFG_PATH_LEN], epath[CFG_PATH_LEN];
	const config_setting_t *seq;
	int rc = cfg_scalar_seq(g, "customer_mac", false, &seq);
	int n;

	if (rc <= 0)
		return rc;
	cfg_path_key(path, g->path, "customer_mac");
	n = config_setting_length(seq);
	if (n < 1 || n > ERDP_LINKS)
		return cfg_fail(g->c, cfg_line(seq), path,
				"customer_mac: [primary] or [primary, secondary]", "%d MACs given",
				n);
	for (int i = 0; i < n; i++) {
		cfg_path_idx(epath, path, i);
		if (cfg_mac(g->c, config_setting_get_elem(seq, (unsigned int)i), epath,
			    &p->customer_mac[i]) < 0)
			return -EINVAL;
		p->has_customer_mac[i] = true;
	}
	return 0;
}

static int parse_peering(const struct cfg_grp *g, int circuit, int pidx, int pos)
{
	static const char *const keys[] = {"type",    "c_tag",	   "vlan",	  "vrf",
					   "ipv4",    "ipv6",	   "peer_asn",	  "customer_mac",
					   "md5_key", "advertise", "communities", NULL};
	struct erdp_peering_conf *p = &g->c->cfg->peerings[pidx];
	struct cfg_src_peering *src = &g->c->src.peering[pidx];

	p->circuit = circuit;
	p->line = cfg_line(g->s);
	src->pos = pos;
	if (cfg_keys(g, keys) < 0 || parse_type(g, p, pidx) < 0 ||
	    parse_tag(g, p, &src->tag_line) < 0 || parse_vrf_ref(g, &p->vrf) < 0 ||
	    parse_links(g, false, p, src) < 0 || parse_links(g, true, p, src) < 0 ||
	    parse_asn(g, p) < 0 || parse_customer_macs(g, p) < 0 ||
	    cfg_parse_peering_bgp(g, p) < 0) /* last: it allocates */
		return -EINVAL;
	return 0;
}

static int parse_peerings(const struct cfg_grp *g, int circuit)
{
	struct erdp_config *cfg = g->c->cfg;
	char path[CFG_PATH_LEN];
	const config_setting_t *list;
	int n;

	if (cfg_group_list(g, "peerings", true, &list) < 0)
		return -EINVAL;
	n = config_setting_length(list);
	if (n == 0) {
		cfg_path_key(path, g->path, "peerings");
		return cfg_fail(g->c, cfg_line(list), path, "a circuit needs at least one peering",
				"empty list");
	}
	for (int i = 0; i < n; i++) {
		struct cfg_grp pg;

		if (cfg_elem_group(g, list, "peerings", i, &pg) < 0 ||
		    parse_peering(&pg, circuit, cfg->n_peerings, i) < 0)
			return -EINVAL;
		cfg->n_peerings++;
	}
	return 0;
}

static int parse_circuit(const struct cfg_grp *g, int idx)
{
	static const char *const keys[] = {"name",    "s_tag",	  "bandwidth", "rate_limit",
					   "premium", "peerings", NULL};
	struct erdp_circuit_conf *ci = &g->c->cfg->circuits[idx];
	struct cfg_src_circuit *src = &g->c->src.circuit[idx];
	int64_t v;

	ci->line = cfg_line(g->s);
	ci->peering[0] = ci->peering[1] = -1;
	if (cfg_keys(g, keys) < 0 || cfg_name(g, "name", ci->name, &src->name_line) < 0)
		return -EINVAL;
	if (g->c->cfg->pair.encap == ERDP_ENCAP_QINQ) {
		if (cfg_int(g, "s_tag", true, 1, ERDP_MAX_VLAN, VLAN_RULE, &v, &src->s_tag_line) <
		    0)
			return -EINVAL;
		ci->s_tag = (uint16_t)v;
	} else if (forbid(g, "s_tag", "dot1q circuits have no S-tag; each peering takes vlan") <
		   0) {
		return -EINVAL;
	}
	if (parse_bandwidth(g, ci, &src->bw_line) < 0 ||
	    cfg_bool(g, "rate_limit", false, &ci->rate_limit, NULL) < 0 ||
	    cfg_bool(g, "premium", false, &ci->premium, NULL) < 0)
		return -EINVAL;
	return parse_peerings(g, idx);
}

/* Peerings live in one array: size it from the lists before reading them. */
static int count_peerings(const config_setting_t *list)
{
	int n = config_setting_length(list), total = 0;

	for (int i = 0; i < n; i++) {
		const config_setting_t *ci = config_setting_get_elem(list, (unsigned int)i);
		const config_setting_t *pl = config_setting_is_group(ci)
						     ? config_setting_get_member(ci, "peerings")
						     : NULL;

		if (pl != NULL && config_setting_is_aggregate(pl))
			total += config_setting_length(pl);
	}
	return total;
}

int cfg_parse_circuits(struct cfg_ctx *c, const struct cfg_grp *root)
{
	const config_setting_t *list;
	int rc = cfg_group_list(root, "circuits", false, &list);
	int n, np;

	if (rc <= 0)
		return rc;
	c->src.circuits_line = cfg_line(list);
	n = config_setting_length(list);
	if (n > ERDP_MAX_CIRCUITS)
		return cfg_fail(c, cfg_line(list), "circuits", "at most 4094 circuits",
				"%d circuits given", n);
	np = count_peerings(list);
	c->cfg->circuits = calloc((size_t)n + 1, sizeof(*c->cfg->circuits));
	c->src.circuit = calloc((size_t)n + 1, sizeof(*c->src.circuit));
	c->cfg->peerings = calloc((size_t)np + 1, sizeof(*c->cfg->peerings));
	c->src.peering = calloc((size_t)np + 1, sizeof(*c->src.peering));
	if (c->cfg->circuits == NULL || c->src.circuit == NULL || c->cfg->peerings == NULL ||
	    c->src.peering == NULL)
		return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
	for (int i = 0; i < n; i++) {
		struct cfg_grp g;

		if (cfg_elem_group(root, list, "circuits", i, &g) < 0 || parse_circuit(&g, i) < 0)
			return -EINVAL;
		c->cfg->n_circuits = i + 1;
	}
	return cfg_validate_circuits(c);
}
