/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Human-readable output: aligned tables built from erdp-cp's JSON results.
 * Column widths come from the data; numbers are right-aligned. Anything a
 * script needs is in --json, which passes the result through untouched.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erdpctl.h"

struct col {
	const char *head;
	const char *path; /* key, or "a.b" into nested objects */
};

static json_t *get_path(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_object_get(o, path);
}

static char *cell(json_t *v)
{
	char buf[64];

	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v)[0] ? json_string_value(v) : "-");
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.3f", json_real_value(v));
		return strdup(buf);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	if (json_is_array(v)) {
		size_t i, n = 0;
		json_t *e;
		char *s = calloc(1, 1);

		json_array_foreach(v, i, e)
		{
			char *c = cell(e);

			s = realloc(s, n + strlen(c) + 2);
			n += (size_t)sprintf(s + n, "%s%s", i ? "," : "", c);
			free(c);
		}
		return s;
	}
	return json_dumps(v, JSON_COMPACT);
}

static bool numeric(json_t *v)
{
	return json_is_integer(v) || json_is_real(v);
}

static void table(json_t *rows, const struct col *cols, size_t nc)
{
	size_t nr = json_array_size(rows), w[32] = {0};
	char **cells = calloc(nr * nc + 1, sizeof(char *));
	bool *right = calloc(nc, sizeof(bool));

	for (size_t c = 0; c < nc; c++)
		w[c] = strlen(cols[c].head);
	for (size_t r = 0; r < nr; r++)
		for (size_t c = 0; c < nc; c++) {
			json_t *v = get_path(json_array_get(rows, r), cols[c].path);

			cells[r * nc + c] = cell(v);
			right[c] |= numeric(v);
			if (strlen(cells[r * nc + c]) > w[c])
				w[c] = strlen(cells[r * nc + c]);
		}
	for (size_t c = 0; c < nc; c++) {
		if (right[c])
			printf("%s%*s", c ? "  " : "", (int)w[c], cols[c].head);
		else
			printf("%s%-*s", c ? "  " : "", c + 1 < nc ? (int)w[c] : 0, cols[c].head);
	}
	printf("\n");
	for (size_t r = 0; r < nr; r++) {
		for (size_t c = 0; c < nc; c++) {
			const char *s = cells[r * nc + c];

			if (right[c])
				printf("%s%*s", c ? "  " : "", (int)w[c], s);
			else
				printf("%s%-*s", c ? "  " : "", c + 1 < nc ? (int)w[c] : 0, s);
			free(cells[r * nc + c]);
		}
		printf("\n");
	}
	free(cells);
	free(right);
}

#define TABLE(rows, ...)                                                                           \
	do {                                                                                       \
		static const struct col cols_[] = {__VA_ARGS__};                                   \
		table(rows, cols_, sizeof(cols_) / sizeof(cols_[0]));                              \
	} while (0)

/* Peerings: one row per link, the peering's own columns on its first row only. */
static void render_peerings(json_t *arr)
{
	json_t *rows = json_array(), *p;
	size_t i;

	json_array_foreach(arr, i, p)
	{
		const char *ln[2] = {"primary", "secondary"};

		for (int l = 0; l < 2; l++) {
			json_t *lo = json_object_get(json_object_get(p, "links"), ln[l]);
			json_t *row = json_object();
			char tags[32];

			if (l == 0) {
				json_int_t s = json_integer_value(json_object_get(p, "s_tag"));
				json_int_t v = json_integer_value(json_object_get(p, "vlan"));

				if (s)
					snprintf(tags, sizeof(tags),
						 "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
						 s, v);
				else
					snprintf(tags, sizeof(tags), "%" JSON_INTEGER_FORMAT, v);
				json_object_set_new(row, "tags", json_string(tags));
				for (const char *const *k =
					     (const char *const[]){"name", "vrf", "rx_packets",
								   "tx_packets", "drops", "routes",
								   NULL};
				     *k; k++)
					json_object_set(row, *k, json_object_get(p, *k));
			}
			json_object_set_new(row, "link", json_string(ln[l]));
			json_object_update(row, lo);
			json_array_append_new(rows, row);
		}
	}
	TABLE(rows, {"PEERING", "name"}, {"VRF", "vrf"}, {"TAGS", "tags"}, {"LINK", "link"},
	      {"ADMIN", "admin"}, {"PORT", "port"}, {"PORT-LINK", "port_link"},
	      {"SUBNET", "subnet"}, {"CUSTOMER-IP", "arp.ip"}, {"MAC", "arp.mac"},
	      {"ARP", "arp.state"}, {"ND", "nd.state"}, {"ROUTES", "routes"},
	      {"RX-PKTS", "rx_packets"}, {"TX-PKTS", "tx_packets"}, {"DROPS", "drops"});
	json_decref(rows);
}

/* Gateways: one row per instance. */
static void render_gateways(json_t *arr)
{
	json_t *rows = json_array(), *g, *in;
	size_t i, k;

	json_array_foreach(arr, i, g)
	{
		json_array_foreach(json_object_get(g, "instances"), k, in)
		{
			json_t *row = json_deep_copy(in);

			if (k == 0) {
				json_object_set(row, "gateway", json_object_get(g, "name"));
				json_object_set(row, "vrf", json_object_get(g, "vrf"));
				json_object_set(row, "routes", json_object_get(g, "routes"));
			}
			json_array_append_new(rows, row);
		}
	}
	TABLE(rows, {"GATEWAY", "gateway"}, {"VRF", "vrf"}, {"ROUTES", "routes"},
	      {"INSTANCE", "instance"}, {"PORT", "port"}, {"VLAN", "vlan"}, {"MAC", "mac"},
	      {"ZONE", "zone"}, {"ADMIN", "admin"});
	json_decref(rows);
}

static void render_counters(json_t *r)
{
	json_t *tot = json_object_get(r, "total"), *drops = json_object_get(r, "drops"), *v;
	json_t *rows = json_array();
	const char *k;

	printf("rx_packets %" JSON_INTEGER_FORMAT "  tx_packets %" JSON_INTEGER_FORMAT
	       "  drops %" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(tot, "rx_packets")),
	       json_integer_value(json_object_get(tot, "tx_packets")),
	       json_integer_value(json_object_get(tot, "drops")));
	json_object_foreach(drops, k, v) if (json_integer_value(v) != 0)
		json_array_append_new(rows, json_pack("{s:s,s:O}", "reason", k, "n", v));
	if (json_array_size(rows) != 0) {
		printf("\n");
		TABLE(rows, {"DROP-REASON", "reason"}, {"PACKETS", "n"});
	}
	json_decref(rows);
}

static void render_routes(json_t *r)
{
	json_t *next = json_object_get(r, "next");

	printf("VRF %s: %" JSON_INTEGER_FORMAT " IPv4 and %" JSON_INTEGER_FORMAT " IPv6 routes\n\n",
	       json_string_value(json_object_get(r, "vrf")),
	       json_integer_value(json_object_get(r, "ipv4_routes")),
	       json_integer_value(json_object_get(r, "ipv6_routes")));
	TABLE(json_object_get(r, "routes"), {"PREFIX", "prefix"}, {"TARGET", "target"},
	      {"ORIGIN", "origin"});
	if (next != NULL)
		printf("\n(more: erdpctl show routes %s --after %s)\n",
		       json_string_value(json_object_get(r, "vrf")), json_string_value(next));
}

static void render_lookup(json_t *r)
{
	json_t *m = json_object_get(r, "match");

	if (json_is_null(m) || m == NULL) {
		printf("%s in VRF %s: no route (dropped as no_route)\n",
		       json_string_value(json_object_get(r, "address")),
		       json_string_value(json_object_get(r, "vrf")));
		return;
	}
	printf("%s in VRF %s: %s -> %s (%s)\n", json_string_value(json_object_get(r, "address")),
	       json_string_value(json_object_get(r, "vrf")),
	       json_string_value(json_object_get(m, "prefix")),
	       json_string_value(json_object_get(m, "target")),
	       json_string_value(json_object_get(m, "origin")));
}

static void render_verify(json_t *r)
{
	printf("VRF %s: the RIB and erdp agree: %" JSON_INTEGER_FORMAT
	       " routes (%" JSON_INTEGER_FORMAT " VRF/family tables listed route by route) in "
	       "%.3f s\n",
	       json_string_value(json_object_get(r, "vrf")),
	       json_integer_value(json_object_get(r, "rib_routes")),
	       json_integer_value(json_object_get(r, "listed")),
	       json_real_value(json_object_get(r, "seconds")));
}

static void render_runtime(json_t *r)
{
	json_t *more = json_object_get(r, "more");

	printf("state file %s: %" JSON_INTEGER_FORMAT " runtime routes, %" JSON_INTEGER_FORMAT
	       " config routes deleted\n\n",
	       json_string_value(json_object_get(r, "state_file")),
	       json_integer_value(json_object_get(r, "runtime_routes")),
	       json_integer_value(json_object_get(r, "deleted_config_routes")));
	TABLE(json_object_get(r, "routes"), {"VRF", "vrf"}, {"PREFIX", "prefix"},
	      {"TARGET", "target"}, {"CONFIG", "config"});
	if (more != NULL)
		printf("(%" JSON_INTEGER_FORMAT " more: --limit N, or erdpctl runtime export)\n",
		       json_integer_value(more));
	if (json_array_size(json_object_get(r, "admin")) != 0) {
		printf("\n");
		TABLE(json_object_get(r, "admin"), {"ADMIN", "kind"}, {"NAME", "name"},
		      {"MEMBER", "member"}, {"STATE", "state"});
	}
	if (json_array_size(json_object_get(r, "set_aside")) != 0) {
		printf("\nset aside (they do not fit the config; retried at every start):\n");
		TABLE(json_object_get(r, "set_aside"), {"VRF", "vrf"}, {"PREFIX", "prefix"},
		      {"TARGET", "target"}, {"REASON", "reason"});
	}
}

static void render_status(json_t *r)
{
	const char *k;
	json_t *v;

	json_object_foreach(r, k, v)
	{
		char *c = cell(v);

		printf("%-22s %s\n", k, c);
		free(c);
	}
}

static void render_change(const char *cmd, json_t *r)
{
	double secs = json_real_value(json_object_get(r, "seconds"));

	if (strcmp(cmd, "route-load") == 0)
		printf("%s: %" JSON_INTEGER_FORMAT " routes: %" JSON_INTEGER_FORMAT
		       " added, %" JSON_INTEGER_FORMAT " replaced, %" JSON_INTEGER_FORMAT
		       " unchanged, %" JSON_INTEGER_FORMAT " withdrawn, %" JSON_INTEGER_FORMAT
		       " not found\n",
		       json_string_value(json_object_get(r, "file")),
		       json_integer_value(json_object_get(r, "routes")),
		       json_integer_value(json_object_get(r, "added")),
		       json_integer_value(json_object_get(r, "replaced")),
		       json_integer_value(json_object_get(r, "unchanged")),
		       json_integer_value(json_object_get(r, "withdrawn")),
		       json_integer_value(json_object_get(r, "not_found")));
	else if (json_object_get(r, "route") != NULL)
		printf("route %s\n", json_string_value(json_object_get(r, "route")));
	if (json_object_get(r, "store_error") != NULL)
		fprintf(stderr, "erdpctl: warning: not saved to the state file: %s\n",
			json_string_value(json_object_get(r, "store_error")));
	if (json_is_true(json_object_get(r, "applied")))
		printf("%" JSON_INTEGER_FORMAT " message%s acknowledged by erdp in %.3f s\n",
		       json_integer_value(json_object_get(r, "messages")),
		       json_integer_value(json_object_get(r, "messages")) == 1 ? "" : "s", secs);
	else
		fprintf(stderr, "erdpctl: warning: %s\n",
			json_string_value(json_object_get(r, "warning")));
}

/* show bgp: one row per session, then one per peering for FRR and FPM. */
static void render_bgp(json_t *r)
{
	json_t *sessions = json_array(), *peerings = json_array(), *p, *s;
	size_t i, k;

	json_array_foreach(json_object_get(r, "peerings"), i, p)
	{
		json_t *fpm = json_object_get(p, "fpm"), *row;
		char routes[64];

		json_array_foreach(json_object_get(p, "sessions"), k, s)
		{
			row = json_deep_copy(s);
			json_object_set(row, "peering", json_object_get(p, "name"));
			json_object_set_new(
				row, "afi",
				json_string(json_integer_value(json_object_get(s, "family")) == 6
						    ? "ipv6"
						    : "ipv4"));
			json_object_set_new(row, "uptime",
					    json_integer((json_int_t)json_real_value(
						    json_object_get(s, "uptime_s"))));
			json_object_set_new(
				row, "maint",
				json_string(json_is_true(json_object_get(s, "maintenance")) ? "on"
											    : "-"));
			json_array_append_new(sessions, row);
		}
		snprintf(routes, sizeof(routes), "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(json_object_get(p, "routes"), "ipv4")),
			 json_integer_value(json_object_get(json_object_get(p, "routes"), "ipv6")));
		row = json_pack("{s:O,s:O,s:O,s:O,s:s,s:O,s:O,s:O}", "peering",
				json_object_get(p, "name"), "namespace",
				json_object_get(p, "namespace"), "frr",
				json_object_get(json_object_get(p, "frr"), "state"), "restarts",
				json_object_get(json_object_get(p, "frr"), "restarts"), "routes",
				routes, "fpm", json_object_get(fpm, "state"), "connections",
				json_object_get(fpm, "connections"), "last_close",
				json_object_get(fpm, "last_close"));
		json_array_append_new(peerings, row);
	}
	TABLE(sessions, {"PEERING", "peering"}, {"LINK", "link"}, {"AFI", "afi"},
	      {"NEIGHBOR", "neighbor"}, {"STATE", "state"}, {"UP-S", "uptime"},
	      {"RCVD", "prefixes_received"}, {"SENT", "prefixes_advertised"},
	      {"LIMIT", "prefix_limit"}, {"LIMIT-DROPS", "prefix_limit_drops"},
	      {"DROPS", "session_drops"}, {"MAINT", "maint"}, {"ADMIN", "admin"}, {"BFD", "bfd"},
	      {"LAST-ERROR", "last_error"});
	printf("\n");
	TABLE(peerings, {"PEERING", "peering"}, {"NAMESPACE", "namespace"}, {"FRR", "frr"},
	      {"RESTARTS", "restarts"}, {"ROUTES-V4/V6", "routes"}, {"FPM", "fpm"},
	      {"CONNECTIONS", "connections"}, {"LAST-CLOSE", "last_close"});
	json_decref(sessions);
	json_decref(peerings);
}

void render(const char *cmd, json_t *r)
{
	if (strcmp(cmd, "show-ports") == 0)
		TABLE(json_object_get(r, "ports"), {"PORT", "name"}, {"ROLE", "role"},
		      {"ADMIN", "admin"}, {"LINK", "link"}, {"RX-PKTS", "rx_packets"},
		      {"TX-PKTS", "tx_packets"}, {"RX-BYTES", "rx_bytes"}, {"TX-BYTES", "tx_bytes"},
		      {"DROPS", "drops"});
	else if (strcmp(cmd, "show-circuits") == 0)
		TABLE(json_object_get(r, "circuits"), {"CIRCUIT", "name"}, {"S-TAG", "s_tag"},
		      {"MBPS", "bandwidth_mbps"}, {"RATE-LIMIT", "rate_limit"},
		      {"PEERINGS", "peerings"}, {"RX-PKTS", "rx_packets"},
		      {"TX-PKTS", "tx_packets"}, {"DROPS", "drops"});
	else if (strcmp(cmd, "show-peerings") == 0)
		render_peerings(json_object_get(r, "peerings"));
	else if (strcmp(cmd, "show-neighbors") == 0)
		TABLE(json_object_get(r, "neighbors"), {"PEERING", "peering"}, {"LINK", "link"},
		      {"FAMILY", "family"}, {"IP", "ip"}, {"MAC", "mac"}, {"STATE", "state"},
		      {"AGE-S", "age_s"});
	else if (strcmp(cmd, "show-gateways") == 0)
		render_gateways(json_object_get(r, "gateways"));
	else if (strcmp(cmd, "show-counters") == 0)
		render_counters(r);
	else if (strcmp(cmd, "show-routes") == 0)
		render_routes(r);
	else if (strcmp(cmd, "lookup") == 0)
		render_lookup(r);
	else if (strcmp(cmd, "status") == 0)
		render_status(r);
	else if (strcmp(cmd, "verify") == 0)
		render_verify(r);
	else if (strcmp(cmd, "show-runtime") == 0)
		render_runtime(r);
	else if (strcmp(cmd, "show-bgp") == 0)
		render_bgp(r);
	else if (strcmp(cmd, "show-bfd") == 0)
		TABLE(json_object_get(r, "sessions"), {"PEERING", "peering"}, {"LINK", "link"},
		      {"PEER", "peer"}, {"LOCAL", "local"}, {"STATUS", "status"},
		      {"UPTIME-S", "uptime"}, {"DOWNTIME-S", "downtime"}, {"DIAG", "diagnostic"},
		      {"REMOTE-DIAG", "remote-diagnostic"}, {"RX-MS", "receive-interval"},
		      {"TX-MS", "transmit-interval"}, {"MULT", "detect-multiplier"});
	else if (strcmp(cmd, "maintenance") == 0)
		printf("maintenance %s for the %s link: %" JSON_INTEGER_FORMAT
		       " sessions advertise %s (+%" JSON_INTEGER_FORMAT " x 12076 when on)\n",
		       json_string_value(json_object_get(r, "maintenance")),
		       json_string_value(json_object_get(r, "link")),
		       json_integer_value(json_object_get(r, "sessions")),
		       strcmp(json_string_value(json_object_get(r, "maintenance")), "on") == 0
			       ? "with the longer AS path"
			       : "normally",
		       json_integer_value(json_object_get(r, "prepend")));
	else
		render_change(cmd, r);
}
