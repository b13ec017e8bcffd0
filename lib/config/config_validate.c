/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules that span objects. Each check reports the occurrence that comes
 * last in the file and names the one it clashes with, so the operator edits
 * the line the message points at. Uniqueness is checked with direct
 * 4096-entry tables (VLAN IDs) or by sorting, never by comparing all pairs:
 * a port pair with thousands of peerings loads in milliseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

static int no_memory(struct cfg_ctx *c)
{
	return erdp_errf(c->err, ENOMEM, "%s: out of memory", c->file);
}

/* ---- unique names ---- */

struct name_ref {
	const char *name;
	int idx;
};

static int cmp_name_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d != 0 ? d : x->idx - y->idx;
}

/*
 * Names sit at base + i * stride. Returns the first element (in list order)
 * whose name an earlier element already has, with that earlier one in
 * *first; -1 when names are unique, -2 on allocation failure.
 */
static int first_dup_name(const char *base, size_t stride, int n, int *first)
{
	struct name_ref *refs = malloc(sizeof(*refs) * ((size_t)n + 1));
	int dup = -1;

	if (refs == NULL)
		return -2;
	for (int i = 0; i < n; i++)
		refs[i] = (struct name_ref){base + (size_t)i * stride, i};
	qsort(refs, (size_t)n, sizeof(*refs), cmp_name_ref);
	for (int i = 1, run = 0; i < n; i++) {
		if (strcmp(refs[i].name, refs[run].name) != 0) {
			run = i;
		} else if (dup < 0 || refs[i].idx < dup) {
			dup = refs[i].idx;
			*first = refs[run].idx;
		}
	}
	free(refs);
	return dup;
}

/* list: "circuits"; lines: the name line of each element, by index. */
static int unique_names(struct cfg_ctx *c, const char *list, const char *base, size_t stride, int n,
			const int *lines, size_t line_stride, const char *rule)
{
	char path[CFG_PATH_LEN];
	int first = -1;
	int dup = first_dup_name(base, stride, n, &first);

	if (dup == -2)
		return no_memory(c);
	if (dup < 0)
		return 0;
	snprintf(path, sizeof(path), "%s[%d].name", list, dup);
	return cfg_fail(c, *(const int *)((const char *)lines + (size_t)dup * line_stride), path,
			rule, "name '%s' is already used by %s[%d] at line %d",
			base + (size_t)dup * stride, list, first,
			*(const int *)((const char *)lines + (size_t)first * line_stride));
}

/* ---- ports ---- */

/* The device name before the arguments, in one spelling: "01:00.0" is "0000:01:00.0". */
static void device_key(const char *dev, char *out, size_t len)
{
	size_t n = strcspn(dev, ",");
	bool short_pci = n == 7 && dev[2] == ':' && dev[5] == '.';

	snprintf(out, len, "%s%.*s", short_pci ? "0000:" : "", (int)n, dev);
	for (char *p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
}

static int unique_devices(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	char a[ERDP_DEVARGS_LEN], b[ERDP_DEVARGS_LEN], path[CFG_PATH_LEN];

	for (int i = 1; i < cfg->n_ports; i++) {
		device_key(cfg->ports[i].device, a, sizeof(a));
		for (int k = 0; k < i; k++) {
			device_key(cfg->ports[k].device, b, sizeof(b));
			if (strcmp(a, b) != 0)
				continue;
			snprintf(path, sizeof(path), "ports[%d].device", i);
			return cfg_fail(c, c->src.port[i].device_line, path,
					"a device backs one port",
					"device '%s' is already used by port '%s' at line %d", a,
					cfg->ports[k].name, c->src.port[k].device_line);
		}
	}
	return 0;
}

static int role_counts(struct cfg_ctx *c)
{
	static const char *const rule[] = {
		"a port pair has exactly one primary port",
		"a port pair has at most one secondary port",
		"at least one port has role \"gateway\"",
	};
	struct erdp_config *cfg = c->cfg;
	int first[3] = {-1, -1, -1};
	char path[CFG_PATH_LEN];

	for (int i = 0; i < cfg->n_ports; i++) {
		enum erdp_port_role r = cfg->ports[i].role;

		if (first[r] < 0 || r == ERDP_ROLE_GATEWAY) {
			if (first[r] < 0)
				first[r] = i;
			continue;
		}
		snprintf(path, sizeof(path), "ports[%d].role", i);
		return cfg_fail(c, c->src.port[i].role_line, path, rule[r],
				"port '%s' at line %d already has role \"%s\"",
				cfg->ports[first[r]].name, c->src.port[first[r]].role_line,
				erdp_role_str(r));
	}
	if (first[ERDP_ROLE_PRIMARY] < 0)
		return cfg_fail(c, c->src.ports_line, "ports", rule[0],
				"no port with role \"primary\"");
	if (first[ERDP_ROLE_GATEWAY] < 0)
		return cfg_fail(c, c->src.ports_line, "ports", rule[2],
				"no port with role \"gateway\"");
	cfg->pair.primary_port = first[ERDP_ROLE_PRIMARY];
	cfg->pair.secondary_port = first[ERDP_ROLE_SECONDARY];
	return 0;
}

int cfg_validate_ports(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;

	if (unique_names(c, "ports", cfg->ports[0].name, sizeof(cfg->ports[0]), cfg->n_ports,
			 &c->src.port[0].name_line, sizeof(c->src.port[0]),
			 "port names must be unique") < 0 ||
	    unique_devices(c) < 0)
		return -EINVAL;
	return role_counts(c);
}

int cfg_validate_vrfs(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;

	return unique_names(c, "vrfs", cfg->vrfs[0].name, sizeof(cfg->vrfs[0]), cfg->n_vrfs,
			    &c->src.vrf[0].name_line, sizeof(c->src.vrf[0]),
			    "VRF names must be unique");
}

/* ---- circuits: tags ---- */

static void peering_path(const struct cfg_ctx *c, int p, const char *key, char *buf)
{
	snprintf(buf, CFG_PATH_LEN, "circuits[%d].peerings[%d].%s", c->cfg->peerings[p].circuit,
		 c->src.peering[p].pos, key);
}

static int unique_s_tags(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	int owner[ERDP_VLAN_TABLE] = {0}; /* circuit index + 1 */
	char path[CFG_PATH_LEN];

	for (int i = 0; i < cfg->n_circuits; i++) {
		int o = owner[cfg->circuits[i].s_tag] - 1;

		if (o < 0) {
			owner[cfg->circuits[i].s_tag] = i + 1;
			continue;
		}
		snprintf(path, sizeof(path), "circuits[%d].s_tag", i);
		return cfg_fail(c, c->src.circuit[i].s_tag_line, path,
				"S-tags must be unique within the port pair",
				"S-tag %u is already used by circuit '%s' at line %d",
				cfg->circuits[i].s_tag, cfg->circuits[o].name,
				c->src.circuit[o].s_tag_line);
	}
	return 0;
}

/* A circuit has at most two peerings: one comparison per circuit. */
static int unique_c_tags(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	char path[CFG_PATH_LEN];

	for (int i = 0; i < cfg->n_circuits; i++) {
		int a = cfg->circuits[i].peering[0], b = cfg->circuits[i].peering[1];

		if (a < 0 || b < 0 || cfg->peerings[a].vlan != cfg->peerings[b].vlan)
			continue;
		if (a > b) {
			int t = a;

			a = b;
			b = t;
		}
		peering_path(c, b, "c_tag", path);
		return cfg_fail(c, c->src.peering[b].tag_line, path,
				"C-tags must be unique within a circuit",
				"C-tag %u is already used by peering '%s' at line %d",
				cfg->peerings[b].vlan, cfg->peerings[a].name,
				c->src.peering[a].tag_line);
	}
	return 0;
}

static int unique_dot1q_vlans(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	int owner[ERDP_VLAN_TABLE] = {0}; /* peering index + 1 */
	char path[CFG_PATH_LEN];

	for (int i = 0; i < cfg->n_peerings; i++) {
		int o = owner[cfg->peerings[i].vlan] - 1;

		if (o < 0) {
			owner[cfg->peerings[i].vlan] = i + 1;
			continue;
		}
		peering_path(c, i, "vlan", path);
		return cfg_fail(c, c->src.peering[i].tag_line, path,
				"dot1q VLANs must be unique across the port pair",
				"VLAN %u is already used by peering '%s' at line %d",
				cfg->peerings[i].vlan, cfg->peerings[o].name,
				c->src.peering[o].tag_line);
	}
	return 0;
}

static int bandwidth_sum(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	uint64_t limit = (uint64_t)cfg->pair.oversubscription * cfg->pair.speed_gbps * 1000;
	uint64_t sum = 0;
	char path[CFG_PATH_LEN], rule[128];

	for (int i = 0; i < cfg->n_circuits; i++) {
		sum += cfg->circuits[i].bandwidth_mbps;
		if (sum <= limit)
			continue;
		snprintf(path, sizeof(path), "circuits[%d].bandwidth", i);
		snprintf(rule, sizeof(rule),
			 "circuit bandwidths may add up to %u x the %uG port speed",
			 cfg->pair.oversubscription, cfg->pair.speed_gbps);
		return cfg_fail(c, c->src.circuit[i].bw_line, path, rule,
				"circuit bandwidths add up to %lluG, over the %lluG limit",
				(unsigned long long)(sum / 1000),
				(unsigned long long)(limit / 1000));
	}
	return 0;
}

/* ---- circuits: link subnets ---- */

/* One link subnet; all v4 ones are /30 and all v6 ones /126, so overlap is equality. */
struct subnet_ref {
	int vrf;
	uint8_t key[16];
	int peering;
	int link;
};

static int cmp_subnet_ref(const void *a, const void *b)
{
	const struct subnet_ref *x = a, *y = b;
	int d = x->vrf - y->vrf;

	if (d == 0)
		d = memcmp(x->key, y->key, sizeof(x->key));
	if (d == 0)
		d = x->peering - y->peering;
	return d != 0 ? d : x->link - y->link;
}

static bool ref_before(const struct subnet_ref *x, const struct subnet_ref *y)
{
	return x->peering < y->peering || (x->peering == y->peering && x->link < y->link);
}

static void subnet_key(const struct erdp_peering_conf *p, bool v6, int link, uint8_t key[16])
{
	memset(key, 0, 16);
	if (v6) {
		memcpy(key, p->v6[link].addr, 16);
	} else {
		key[0] = (uint8_t)(p->v4[link].addr >> 24);
		key[1] = (uint8_t)(p->v4[link].addr >> 16);
		key[2] = (uint8_t)(p->v4[link].addr >> 8);
		key[3] = (uint8_t)p->v4[link].addr;
	}
}

static void subnet_str(const struct erdp_peering_conf *p, bool v6, int link, char *buf, size_t len)
{
	if (v6)
		cfg_p6_str(&p->v6[link], buf, len);
	else
		cfg_p4_str(&p->v4[link], buf, len);
}

static int overlap_error(struct cfg_ctx *c, bool v6, const struct subnet_ref *dup,
			 const struct subnet_ref *orig)
{
	const struct cfg_src_peering *ds = &c->src.peering[dup->peering];
	const struct cfg_src_peering *os = &c->src.peering[orig->peering];
	const struct erdp_peering_conf *dp = &c->cfg->peerings[dup->peering];
	const struct erdp_peering_conf *op = &c->cfg->peerings[orig->peering];
	char path[CFG_PATH_LEN], key[16], mine[64], theirs[64];

	snprintf(key, sizeof(key), "%s", v6 ? "ipv6" : "ipv4");
	if (v6 ? ds->v6_list : ds->v4_list)
		snprintf(key, sizeof(key), "%s[%d]", v6 ? "ipv6" : "ipv4", dup->link);
	peering_path(c, dup->peering, key, path);
	subnet_str(dp, v6, dup->link, mine, sizeof(mine));
	subnet_str(op, v6, orig->link, theirs, sizeof(theirs));
	return cfg_fail(c, v6 ? ds->v6_line[dup->link] : ds->v4_line[dup->link], path,
			"peering subnets must not overlap within a VRF",
			"%s overlaps %s of peering '%s' at line %d", mine, theirs, op->name,
			v6 ? os->v6_line[orig->link] : os->v4_line[orig->link]);
}

static int subnet_overlaps(struct cfg_ctx *c, bool v6)
{
	const struct erdp_config *cfg = c->cfg;
	struct subnet_ref *refs =
		malloc(sizeof(*refs) * ((size_t)cfg->n_peerings * ERDP_LINKS + 1));
	const struct subnet_ref *dup = NULL, *orig = NULL;
	int n = 0, rc = 0;

	if (refs == NULL)
		return no_memory(c);
	for (int p = 0; p < cfg->n_peerings; p++) {
		for (int l = 0; l < ERDP_LINKS && (!v6 || cfg->peerings[p].has_v6); l++) {
			refs[n] = (struct subnet_ref){
				.vrf = cfg->peerings[p].vrf, .peering = p, .link = l};
			subnet_key(&cfg->peerings[p], v6, l, refs[n++].key);
		}
	}
	qsort(refs, (size_t)n, sizeof(*refs), cmp_subnet_ref);
	for (int i = 1, run = 0; i < n; i++) {
		if (refs[i].vrf != refs[run].vrf || memcmp(refs[i].key, refs[run].key, 16) != 0)
			run = i;
		else if (dup == NULL || ref_before(&refs[i], dup))
			dup = &refs[i], orig = &refs[run];
	}
	if (dup != NULL)
		rc = overlap_error(c, v6, dup, orig);
	free(refs);
	return rc;
}

int cfg_validate_circuits(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	bool qinq = cfg->pair.encap == ERDP_ENCAP_QINQ;

	if (unique_names(c, "circuits", cfg->circuits[0].name, sizeof(cfg->circuits[0]),
			 cfg->n_circuits, &c->src.circuit[0].name_line, sizeof(c->src.circuit[0]),
			 "circuit names must be unique") < 0)
		return -EINVAL;
	if (qinq && (unique_s_tags(c) < 0 || unique_c_tags(c) < 0))
		return -EINVAL;
	if (!qinq && unique_dot1q_vlans(c) < 0)
		return -EINVAL;
	if (bandwidth_sum(c) < 0 || subnet_overlaps(c, false) < 0 || subnet_overlaps(c, true) < 0)
		return -EINVAL;
	return 0;
}

/* ---- gateways ---- */

/* Gateway-side frames are mapped to a VRF by (port, VLAN): one VRF per pair. */
static int gateway_vlans(struct cfg_ctx *c, int *owner)
{
	const struct erdp_config *cfg = c->cfg;
	char path[CFG_PATH_LEN], vlan[16];

	for (int g = 0; g < cfg->n_gateways; g++) {
		const struct erdp_gateway_conf *gw = &cfg->gateways[g];

		for (int i = 0; i < gw->n_instances; i++) {
			const struct cfg_src_inst *s = &c->src.gw[g].inst[i];
			int slot = gw->inst[i].port * ERDP_VLAN_TABLE + gw->inst[i].vlan;
			int o = owner[slot] - 1, og = o / ERDP_MAX_GW_INSTANCES;

			if (o < 0) {
				owner[slot] = g * ERDP_MAX_GW_INSTANCES + i + 1;
				continue;
			}
			if (cfg->gateways[og].vrf == gw->vrf)
				continue;
			snprintf(path, sizeof(path), "gateways[%d].instances[%d].%s", g, i,
				 gw->inst[i].vlan != 0 ? "vlan" : "port");
			snprintf(vlan, sizeof(vlan), "VLAN %u", gw->inst[i].vlan);
			return cfg_fail(c, gw->inst[i].vlan != 0 ? s->vlan_line : s->port_line,
					path, "a gateway-side (port, VLAN) belongs to one VRF",
					"port '%s' %s already maps to VRF '%s' through gateway "
					"'%s' at line %d",
					cfg->ports[gw->inst[i].port].name,
					gw->inst[i].vlan != 0 ? vlan : "untagged",
					cfg->vrfs[cfg->gateways[og].vrf].name,
					cfg->gateways[og].name,
					cfg->gateways[og].inst[o % ERDP_MAX_GW_INSTANCES].line);
		}
	}
	return 0;
}

int cfg_validate_gateways(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	int *owner;
	int rc;

	if (unique_names(c, "gateways", cfg->gateways[0].name, sizeof(cfg->gateways[0]),
			 cfg->n_gateways, &c->src.gw[0].name_line, sizeof(c->src.gw[0]),
			 "gateway names must be unique") < 0)
		return -EINVAL;
	owner = calloc((size_t)ERDP_MAX_PORTS * ERDP_VLAN_TABLE, sizeof(*owner));
	if (owner == NULL)
		return no_memory(c);
	rc = gateway_vlans(c, owner);
	free(owner);
	return rc;
}

/* ---- routes ---- */

struct route_ref {
	int vrf;
	int v6;
	uint8_t key[16];
	int len;
	int route;
};

static int cmp_route_ref(const void *a, const void *b)
{
	const struct route_ref *x = a, *y = b;
	int d = x->vrf - y->vrf;

	if (d == 0)
		d = x->v6 - y->v6;
	if (d == 0)
		d = memcmp(x->key, y->key, sizeof(x->key));
	if (d == 0)
		d = x->len - y->len;
	return d != 0 ? d : x->route - y->route;
}

static void route_ref(const struct erdp_route_conf *r, int idx, struct route_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->vrf = r->vrf;
	out->v6 = r->v6;
	out->route = idx;
	if (r->v6) {
		memcpy(out->key, r->p6.addr, 16);
		out->len = r->p6.len;
	} else {
		out->key[0] = (uint8_t)(r->p4.addr >> 24);
		out->key[1] = (uint8_t)(r->p4.addr >> 16);
		out->key[2] = (uint8_t)(r->p4.addr >> 8);
		out->key[3] = (uint8_t)r->p4.addr;
		out->len = r->p4.len;
	}
}

static int duplicate_error(struct cfg_ctx *c, int dup, int orig)
{
	const struct erdp_route_conf *r = &c->cfg->routes[dup];
	char path[CFG_PATH_LEN], opath[CFG_PATH_LEN], pfx[64];

	cfg_route_path(c, dup, path);
	cfg_route_path(c, orig, opath);
	if (r->v6)
		cfg_p6_str(&r->p6, pfx, sizeof(pfx));
	else
		cfg_p4_str(&r->p4, pfx, sizeof(pfx));
	return cfg_fail(c, r->line, path,
			"a prefix appears once per VRF, gateway prefixes included",
			"%s is already routed in VRF '%s' by %s at line %d", pfx,
			c->cfg->vrfs[r->vrf].name, opath, c->cfg->routes[orig].line);
}

static int duplicate_routes(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	struct route_ref *refs = malloc(sizeof(*refs) * ((size_t)cfg->n_routes + 1));
	int dup = -1, orig = -1, rc = 0;

	if (refs == NULL)
		return no_memory(c);
	for (int i = 0; i < cfg->n_routes; i++)
		route_ref(&cfg->routes[i], i, &refs[i]);
	qsort(refs, (size_t)cfg->n_routes, sizeof(*refs), cmp_route_ref);
	for (int i = 1, run = 0; i < cfg->n_routes; i++) {
		struct route_ref a = refs[i], b = refs[run];

		a.route = b.route = 0;
		if (memcmp(&a, &b, sizeof(a)) != 0)
			run = i;
		else if (dup < 0 || refs[i].route < dup)
			dup = refs[i].route, orig = refs[run].route;
	}
	free(refs);
	if (dup >= 0)
		rc = duplicate_error(c, dup, orig);
	return rc;
}

static int capacity_error(struct cfg_ctx *c, int r, uint32_t count)
{
	const struct erdp_route_conf *rt = &c->cfg->routes[r];
	const struct erdp_vrf_conf *v = &c->cfg->vrfs[rt->vrf];
	const struct cfg_src_vrf *s = &c->src.vrf[rt->vrf];
	int cap_line = rt->v6 ? s->v6cap_line : s->v4cap_line;
	char path[CFG_PATH_LEN], where[32] = "default";

	if (cap_line > 0)
		snprintf(where, sizeof(where), "line %d", cap_line);
	cfg_route_path(c, r, path);
	return cfg_fail(c, rt->line, path,
			"routes and gateway prefixes of a VRF must fit its capacity",
			"VRF '%s' would hold %u IPv%d routes, its capacity %s = %u (%s)", v->name,
			count, rt->v6 ? 6 : 4, rt->v6 ? "ipv6_routes" : "ipv4_routes",
			rt->v6 ? v->ipv6_routes : v->ipv4_routes, where);
}

static int route_capacity(struct cfg_ctx *c)
{
	const struct erdp_config *cfg = c->cfg;
	uint32_t *count = calloc((size_t)cfg->n_vrfs * 2 + 1, sizeof(*count));
	int rc = 0;

	if (count == NULL)
		return no_memory(c);
	for (int i = 0; i < cfg->n_routes && rc == 0; i++) {
		const struct erdp_route_conf *r = &cfg->routes[i];
		uint32_t n = ++count[r->vrf * 2 + (r->v6 ? 1 : 0)];

		if (n > (r->v6 ? cfg->vrfs[r->vrf].ipv6_routes : cfg->vrfs[r->vrf].ipv4_routes))
			rc = capacity_error(c, i, n);
	}
	free(count);
	return rc;
}

int cfg_validate_routes(struct cfg_ctx *c)
{
	if (duplicate_routes(c) < 0)
		return -EINVAL;
	return route_capacity(c);
}
