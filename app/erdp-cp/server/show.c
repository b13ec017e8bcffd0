/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "show" requests. Counters, neighbours and link states come from erdp's
 * telemetry at the time of the request; names, tags, subnets and admin
 * states come from the config and erdp-cp's own state. Results are arrays
 * of flat-ish objects so that erdpctl can print them as tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "bgp/bgp.h"
#include "server.h"

static const char *const base_ctr[] = {"rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
				       "local_packets"};

/*
 * erdp's counters of one object -> {rx_packets.., drops: total, drop_reasons:
 * {reason: n}} with the non-zero reasons. Reads both layouts erdp has used:
 * reasons in a "drops" dict (with "drops_total"), or as keys of the object.
 */
static json_t *counters(json_t *tel)
{
	json_t *o = json_object(), *reasons = json_object(), *v,
	       *dd = json_object_get(tel, "drops");
	json_int_t drops = 0;
	const char *k;

	for (size_t i = 0; i < sizeof(base_ctr) / sizeof(base_ctr[0]); i++) {
		v = json_object_get(tel, base_ctr[i]);
		json_object_set_new(o, base_ctr[i], json_integer(json_integer_value(v)));
	}
	json_object_foreach(json_is_object(dd) ? dd : tel, k, v)
	{
		bool base = strcmp(k, "drops_total") == 0;

		for (size_t i = 0; i < sizeof(base_ctr) / sizeof(base_ctr[0]); i++)
			base |= strcmp(k, base_ctr[i]) == 0;
		if (base || !json_is_integer(v))
			continue;
		drops += json_integer_value(v);
		if (json_integer_value(v) != 0)
			json_object_set_new(reasons, k, json_integer(json_integer_value(v)));
	}
	json_object_set_new(o, "drops", json_integer(drops));
	json_object_set_new(o, "drop_reasons", reasons);
	return o;
}

static void merge(json_t *dst, json_t *src)
{
	json_object_update(dst, src);
	json_decref(src);
}

/* Every entry of one of erdp's paged lists (a list that fails half-way is cut short). */
static void tel_each(struct tel *t, const char *list_cmd, const char *key,
		     void (*fn)(json_t *entry, void *acc), json_t *acc)
{
	struct erdp_err err;

	tel_list(t, list_cmd, key, fn, acc, &err);
}

static void by_name(json_t *e, void *acc)
{
	json_t *all = acc;

	if (json_is_string(json_object_get(e, "name")))
		json_object_set(all, json_string_value(json_object_get(e, "name")), e);
}

/* name -> erdp's entry for every object of a list (ports, circuits, peerings). */
static json_t *tel_objects(struct tel *t, const char *list_cmd, const char *key)
{
	json_t *all = json_object();

	tel_each(t, list_cmd, key, by_name, all);
	return all;
}

static void by_peering_link(json_t *e, void *acc)
{
	json_t *all = acc;
	const char *pn = json_string_value(json_object_get(e, "peering"));
	const char *ln = json_string_value(json_object_get(e, "link"));
	const char *ip = json_string_value(json_object_get(e, "ip"));
	json_t *pd, *ld;

	if (pn == NULL || ln == NULL || ip == NULL)
		return;
	if ((pd = json_object_get(all, pn)) == NULL)
		json_object_set_new(all, pn, pd = json_object());
	if ((ld = json_object_get(pd, ln)) == NULL)
		json_object_set_new(pd, ln, ld = json_object());
	json_object_set(ld, strchr(ip, ':') ? "ipv6" : "ipv4", e);
}

/* peering -> link -> {ipv4: entry, ipv6: entry}, from /erdp/neighbors. */
static json_t *tel_neighbors(struct tel *t)
{
	json_t *all = json_object();

	tel_each(t, "/erdp/neighbors", "neighbors", by_peering_link, all);
	return all;
}

static struct tel *tel_or_error(struct cp *cp, json_t **err)
{
	struct erdp_err e = {0};
	struct tel *t = tel_open(cp, &e);

	if (t == NULL)
		*err = reply_error("%s", e.msg);
	return t;
}

static json_t *link_state(json_t *entry)
{
	const char *s = json_string_value(json_object_get(entry, "link"));

	return json_string(s != NULL ? s : "unknown");
}

static json_t *show_ports(struct cp *cp)
{
	json_t *err = NULL, *tel, *arr;
	struct tel *t = tel_or_error(cp, &err);

	if (t == NULL)
		return err;
	tel = tel_objects(t, "/erdp/ports", "ports");
	tel_close(t);
	arr = json_array();
	for (int p = 0; p < cp->cfg->n_ports; p++) {
		const struct erdp_port_conf *pc = &cp->cfg->ports[p];
		json_t *e = json_object_get(tel, pc->name);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "name", pc->name, "role",
				      erdp_role_str(pc->role), "device", pc->device, "admin",
				      cp->state.port_up[p] ? "up" : "down");

		json_object_set_new(o, "link", link_state(e));
		merge(o, counters(e));
		json_array_append_new(arr, o);
	}
	json_decref(tel);
	return reply_ok(json_pack("{s:o}", "ports", arr));
}

static json_t *show_circuits(struct cp *cp)
{
	json_t *err = NULL, *tel, *arr;
	struct tel *t = tel_or_error(cp, &err);

	if (t == NULL)
		return err;
	tel = tel_objects(t, "/erdp/circuits", "circuits");
	tel_close(t);
	arr = json_array();
	for (int i = 0; i < cp->cfg->n_circuits; i++) {
		const struct erdp_circuit_conf *cc = &cp->cfg->circuits[i];
		json_t *peerings = json_array();
		json_t *o;

		for (int k = 0; k < ERDP_PEERINGS_PER_CIRCUIT; k++)
			if (cc->peering[k] >= 0)
				json_array_append_new(
					peerings,
					json_string(cp->cfg->peerings[cc->peering[k]].name));
		o = json_pack("{s:s,s:i,s:i,s:b,s:o}", "name", cc->name, "s_tag", cc->s_tag,
			      "bandwidth_mbps", cc->bandwidth_mbps, "rate_limit", cc->rate_limit,
			      "peerings", peerings);
		merge(o, counters(json_object_get(tel, cc->name)));
		json_array_append_new(arr, o);
	}
	json_decref(tel);
	return reply_ok(json_pack("{s:o}", "circuits", arr));
}

static char *p4_str(const struct erdp_prefix4 *p, char *buf, size_t n)
{
	uint32_t a = htonl(p->addr);

	return prefix_format(4, (const uint8_t *)&a, p->len, buf, n);
}

/* One neighbour entry, with peering, link and family. */
static json_t *neigh_entry(json_t *e, const char *peering, const char *link, const char *fam)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "peering", peering, "link", link, "family", fam);

	json_object_update(o, e);
	return o;
}

static json_t *show_peerings(struct cp *cp)
{
	json_t *err = NULL, *tel, *arr, *neigh, *ports;
	const struct erdp_config *cfg = cp->cfg;
	struct tel *t = tel_or_error(cp, &err);

	if (t == NULL)
		return err;
	tel = tel_objects(t, "/erdp/peerings", "peerings");
	ports = tel_objects(t, "/erdp/ports", "ports");
	neigh = tel_neighbors(t);
	tel_close(t);
	arr = json_array();
	for (int i = 0; i < cfg->n_peerings; i++) {
		const struct erdp_peering_conf *pe = &cfg->peerings[i];
		const struct erdp_circuit_conf *cc = &cfg->circuits[pe->circuit];
		json_t *o, *links = json_object();

		o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:I}", "name", pe->name, "circuit",
			      cc->name, "type", erdp_peering_type_str(pe->type), "vrf",
			      cfg->vrfs[pe->vrf].name, "s_tag", cc->s_tag, "vlan", pe->vlan,
			      "peer_asn", (json_int_t)pe->peer_asn);
		for (int l = 0; l < ERDP_LINKS; l++) {
			const char *ln = l ? "secondary" : "primary";
			int port = l ? cfg->pair.secondary_port : cfg->pair.primary_port;
			json_t *n = json_object_get(json_object_get(neigh, pe->name), ln);
			char s4[CP_PREFIX_STR], s6[CP_PREFIX_STR];
			json_t *lo;

			lo = json_pack("{s:s,s:s,s:s}", "admin",
				       cp->state.plink_up[i * ERDP_LINKS + l] ? "up" : "down",
				       "port", port >= 0 ? cfg->ports[port].name : "", "subnet",
				       p4_str(&pe->v4[l], s4, sizeof(s4)));
			json_object_set_new(
				lo, "port_admin",
				json_string(port >= 0 && !cp->state.port_up[port] ? "down" : "up"));
			json_object_set_new(lo, "port_link",
					    port >= 0 ? link_state(json_object_get(
								ports, cfg->ports[port].name))
						      : json_string("none"));
			if (pe->has_v6)
				json_object_set_new(
					lo, "subnet6",
					json_string(prefix_format(6, pe->v6[l].addr, pe->v6[l].len,
								  s6, sizeof(s6))));
			if (json_object_get(n, "ipv4") != NULL)
				json_object_set(lo, "arp", json_object_get(n, "ipv4"));
			if (json_object_get(n, "ipv6") != NULL)
				json_object_set(lo, "nd", json_object_get(n, "ipv6"));
			json_object_set_new(links, ln, lo);
		}
		json_object_set_new(o, "links", links);
		merge(o, counters(json_object_get(tel, pe->name)));
		json_object_set_new(o, "routes", json_integer(cp->state.peering_routes[i]));
		json_array_append_new(arr, o);
	}
	json_decref(ports);
	json_decref(tel);
	json_decref(neigh);
	return reply_ok(json_pack("{s:o}", "peerings", arr));
}

static json_t *show_neighbors(struct cp *cp)
{
	json_t *err = NULL, *tel, *arr;
	struct tel *t = tel_or_error(cp, &err);

	if (t == NULL)
		return err;
	tel = tel_neighbors(t);
	tel_close(t);
	arr = json_array();
	/* In config order. */
	for (int i = 0; i < cp->cfg->n_peerings; i++) {
		const char *pn = cp->cfg->peerings[i].name;
		json_t *pd = json_object_get(tel, pn);

		for (int l = 0; l < ERDP_LINKS; l++) {
			const char *ln = l ? "secondary" : "primary";
			json_t *ld = json_object_get(pd, ln), *e;

			if ((e = json_object_get(ld, "ipv4")) != NULL)
				json_array_append_new(arr, neigh_entry(e, pn, ln, "ipv4"));
			if ((e = json_object_get(ld, "ipv6")) != NULL)
				json_array_append_new(arr, neigh_entry(e, pn, ln, "ipv6"));
		}
	}
	json_decref(tel);
	return reply_ok(json_pack("{s:o}", "neighbors", arr));
}

static json_t *show_counters(struct cp *cp)
{
	json_t *err = NULL, *drops = NULL, *ports, *tot, *v;
	struct tel *t = tel_or_error(cp, &err);
	json_int_t rx = 0, tx = 0, d = 0;
	struct erdp_err e;
	const char *k;

	if (t == NULL)
		return err;
	if (tel_cmd(t, "/erdp/drops", &drops, &e) != 0) {
		tel_close(t);
		return reply_error("%s", e.msg);
	}
	ports = tel_objects(t, "/erdp/ports", "ports");
	tel_close(t);
	json_object_foreach(ports, k, v)
	{
		rx += json_integer_value(json_object_get(v, "rx_packets"));
		tx += json_integer_value(json_object_get(v, "tx_packets"));
	}
	json_object_foreach(drops, k, v) d += json_integer_value(v);
	tot = json_pack("{s:I,s:I,s:I}", "rx_packets", rx, "tx_packets", tx, "drops", d);
	json_decref(ports);
	return reply_ok(json_pack("{s:o,s:o}", "total", tot, "drops", drops));
}

static json_t *show_gateways(struct cp *cp)
{
	const struct erdp_config *cfg = cp->cfg;
	json_t *arr = json_array();

	for (int g = 0; g < cfg->n_gateways; g++) {
		const struct erdp_gateway_conf *gc = &cfg->gateways[g];
		json_t *inst = json_array();
		int up = 0;

		for (int i = 0; i < gc->n_instances; i++) {
			const struct erdp_gw_instance_conf *ic = &gc->inst[i];
			char mac[18];

			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ic->mac.b[0],
				 ic->mac.b[1], ic->mac.b[2], ic->mac.b[3], ic->mac.b[4],
				 ic->mac.b[5]);
			up += cp->state.gw_up[g][i];
			json_array_append_new(
				inst, json_pack("{s:i,s:s,s:i,s:s,s:s,s:s,s:s}", "instance", i,
						"port", cfg->ports[ic->port].name, "vlan", ic->vlan,
						"mac", mac, "zone", ic->zone, "admin",
						cp->state.gw_up[g][i] ? "up" : "down", "port_admin",
						cp->state.port_up[ic->port] ? "up" : "down"));
		}
		json_array_append_new(
			arr, json_pack("{s:s,s:i,s:s,s:i,s:i,s:o}", "name", gc->name, "id", g,
				       "vrf", cfg->vrfs[gc->vrf].name, "instances_up", up, "routes",
				       (int)cp->state.gw_routes[g], "instances", inst));
	}
	return reply_ok(json_pack("{s:o}", "gateways", arr));
}

static json_t *route_json(struct cp *cp, const struct rib_route *rt)
{
	char p[CP_PREFIX_STR], t[200];

	return json_pack("{s:s,s:s,s:s}", "prefix",
			 prefix_format(rt->family, rt->addr, rt->len, p, sizeof(p)), "target",
			 target_format(cp->cfg, rt->nh, t, sizeof(t)), "origin",
			 rib_origin_str(rt->origin));
}

/*
 * One of erdp's connected routes, as the data plane uses it: a link subnet
 * goes to the customer over that link, the MSEE address is erdp's own, the
 * subnet's network and broadcast addresses are dropped.
 */
static json_t *connected_json(struct cp *cp, const struct rib_route *rt)
{
	struct erdp_connected c = {0};
	char p[CP_PREFIX_STR], t[200];
	int pe = 0;

	state_connected_find(&cp->state, cp->cfg, rt->vrf, rt->family, rt->addr, rt->len, &c, &pe);
	switch (c.kind) {
	case ERDP_CONNECTED_MSEE:
		snprintf(t, sizeof(t), "local (the MSEE's address on peering:%s)",
			 cp->cfg->peerings[pe].name);
		break;
	case ERDP_CONNECTED_BROADCAST:
		snprintf(t, sizeof(t), "drop (directed broadcast of peering:%s, %s link)",
			 cp->cfg->peerings[pe].name,
			 c.link == ERDP_LINK_SECONDARY ? "secondary" : "primary");
		break;
	default:
		snprintf(t, sizeof(t), "peering:%s (%s link)", cp->cfg->peerings[pe].name,
			 c.link == ERDP_LINK_SECONDARY ? "secondary" : "primary");
		break;
	}
	return json_pack("{s:s,s:s,s:s}", "prefix",
			 prefix_format(rt->family, rt->addr, rt->len, p, sizeof(p)), "target", t,
			 "origin", "connected");
}

#define ROUTES_MAX_LIMIT 100000

json_t *req_routes(struct cp *cp, json_t *req)
{
	json_t *err = NULL, *arr, *res;
	int vrf = req_vrf(cp, req, &err);
	long long limit;
	struct rib_route after, *page;
	bool has_after = false;
	size_t n;

	if (vrf < 0)
		return err;
	if (req_int(req, "limit", 1, ROUTES_MAX_LIMIT, 100, true, &limit, &err) != 0)
		return err;
	if (json_object_get(req, "after") != NULL) {
		const char *a = req_str(req, "after", &err);
		struct cp_prefix p;
		char why[300];

		if (a == NULL)
			return err;
		if (prefix_parse(a, &p, why, sizeof(why)) != 0)
			return reply_error("after: %s", why);
		memset(&after, 0, sizeof(after));
		after.family = p.family;
		after.len = p.len;
		memcpy(after.addr, p.addr, 16);
		has_after = true;
	}
	page = malloc((size_t)limit * sizeof(*page));
	if (page == NULL)
		return reply_error("erdp-cp: out of memory for %lld routes", limit);
	n = rib_page(cp->state.rib, (uint16_t)vrf, has_after ? &after : NULL, page, (size_t)limit);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, route_json(cp, &page[i]));
	res = json_pack("{s:s,s:I,s:I,s:o}", "vrf", cp->cfg->vrfs[vrf].name, "ipv4_routes",
			(json_int_t)rib_count_vrf(cp->state.rib, (uint16_t)vrf, 4), "ipv6_routes",
			(json_int_t)rib_count_vrf(cp->state.rib, (uint16_t)vrf, 6), "routes", arr);
	if (n == (size_t)limit) {
		char p[CP_PREFIX_STR];

		json_object_set_new(res, "next",
				    json_string(prefix_format(page[n - 1].family, page[n - 1].addr,
							      page[n - 1].len, p, sizeof(p))));
	}
	free(page);
	return reply_ok(res);
}

json_t *req_lookup(struct cp *cp, json_t *req)
{
	json_t *err = NULL, *res;
	int vrf = req_vrf(cp, req, &err);
	const char *as = vrf >= 0 ? req_str(req, "address", &err) : NULL;
	const struct rib_route *rt, *conn;
	struct cp_prefix a;
	char why[300];

	if (as == NULL)
		return err;
	if (prefix_parse_addr(as, &a, why, sizeof(why)) != 0)
		return reply_error("address: %s", why);
	rt = rib_lookup(cp->state.rib, (uint16_t)vrf, a.family, a.addr);
	conn = rib_lookup(cp->state.connected, (uint16_t)vrf, a.family, a.addr);
	res = json_pack("{s:s,s:s}", "vrf", cp->cfg->vrfs[vrf].name, "address", as);
	if (conn != NULL && (rt == NULL || conn->len > rt->len))
		json_object_set_new(res, "match", connected_json(cp, conn));
	else
		json_object_set_new(res, "match", rt != NULL ? route_json(cp, rt) : json_null());
	return reply_ok(res);
}

json_t *req_show(struct cp *cp, const char *what, json_t *req)
{
	if (strcmp(what, "ports") == 0)
		return show_ports(cp);
	if (strcmp(what, "circuits") == 0)
		return show_circuits(cp);
	if (strcmp(what, "peerings") == 0)
		return show_peerings(cp);
	if (strcmp(what, "neighbors") == 0)
		return show_neighbors(cp);
	if (strcmp(what, "counters") == 0)
		return show_counters(cp);
	if (strcmp(what, "gateways") == 0)
		return show_gateways(cp);
	if (strcmp(what, "routes") == 0)
		return req_routes(cp, req);
	if (strcmp(what, "runtime") == 0)
		return req_runtime(cp, req);
	if (strcmp(what, "bgp") == 0 || strcmp(what, "bfd") == 0) {
		if (!bgp_enabled(cp))
			return reply_error("BGP is off in %s (bgp.enabled)", cp->cfg->path);
		return reply_ok(what[1] == 'g' ? bgp_show(cp) : bgp_show_bfd(cp));
	}
	return reply_error("unknown command 'show-%s' (show-ports, show-circuits, show-peerings, "
			   "show-neighbors, show-counters, show-gateways, show-routes, "
			   "show-runtime, show-bgp, show-bfd)",
			   what);
}
