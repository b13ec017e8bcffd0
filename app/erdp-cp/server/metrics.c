/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GET /metrics over HTTP (libmicrohttpd). Contract in metrics.h.
 *
 * Why a thread of its own: erdp-cp's event loop must answer erdpctl and
 * feed erdp whatever a scraper does. libmicrohttpd's internal polling
 * thread serves every connection from one event loop of its own (no thread
 * per connection): a client that sends half a request or reads its answer
 * slowly holds a connection slot, not the thread, until METRICS_TIMEOUT_S;
 * at most METRICS_MAX_CONNECTIONS are served at once (METRICS_MAX_PER_IP of
 * one address), each with at most METRICS_MEMORY_LIMIT bytes of request.
 * A scrape itself runs on that thread, one at a time, on a connection of
 * its own to erdp's telemetry (a page a command, as erdpctl show reads it):
 * scrapes never take more than one of the few that DPDK's telemetry serves.
 *
 * What the thread may read of erdp-cp: cp->cfg, cp->instance, cp->tel_path
 * (set before metrics_open, unchanged until metrics_close) and the
 * snapshot below, which the event loop refreshes every METRICS_SNAPSHOT_S
 * under snap_lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/bgp.h"
#include "bgp/frrconf.h"
#include "cp.h"
#include "metrics.h"

#define METRICS_PATH	     "/metrics"
#define METRICS_SNAPSHOT_S   0.05	 /* how stale erdp-cp's own values may be */
#define METRICS_ADDR_DEFAULT "127.0.0.1" /* for --metrics PORT */

/* erdp-cp's state as the event loop last saw it. */
struct snap {
	int dp_state; /* enum chan_state */
	bool sync_in_progress;
	uint64_t n_syncs, n_sent, n_acked, n_rejected, queued, in_flight;
	uint32_t *vrf_routes;	      /* [vrf * 2 + (ipv6)] */
	uint32_t *gw_up, *gw_routes;  /* per config gateway */
	uint32_t *peering_routes;     /* per config peering */
	struct bgp_session_stat *bgp; /* bgp_sessions() (bgp/bgp.h): at most 4 per peering */
	size_t n_bgp;
};

static struct {
	struct MHD_Daemon *daemon;
	pthread_mutex_t snap_lock;
	struct snap live; /* written by the event loop under snap_lock */
	struct snap copy; /* the scraping thread's */
	double last_refresh;
} M = {.snap_lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- listen address ---- */

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* host (no brackets) and port into sa; -1 when host is not an address of its family. */
static int fill_addr(struct sockaddr_storage *sa, const char *host, bool v6, uint16_t port)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

	if (v6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -1;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	if (host[0] == '\0') /* ":9111": every address */
		return 0;
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

int metrics_parse_listen(const char *s, struct sockaddr_storage *sa, bool *off, char *why,
			 size_t why_len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':'), *port_s = colon != NULL ? colon + 1 : s;
	size_t hlen = colon != NULL ? (size_t)(colon - s) : 0;
	bool v6 = hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']';
	uint16_t port;

	memset(sa, 0, sizeof(*sa));
	*off = strcmp(s, "off") == 0 || strcmp(s, "0") == 0;
	if (*off)
		return 0;
	if (parse_port(port_s, &port) != 0) {
		snprintf(why, why_len, "'%s': the port is not a number 0..65535", s);
		return -1;
	}
	if (colon == NULL)
		snprintf(host, sizeof(host), "%s", METRICS_ADDR_DEFAULT);
	else if (hlen < sizeof(host))
		snprintf(host, sizeof(host), "%.*s", (int)(v6 ? hlen - 2 : hlen), v6 ? s + 1 : s);
	else
		host[0] = '?';
	if (fill_addr(sa, host, v6, port) == 0)
		return 0;
	snprintf(why, why_len,
		 "'%s': not ADDR:PORT, [IPv6]:PORT, :PORT (every address), PORT (on %s) or off", s,
		 METRICS_ADDR_DEFAULT);
	return -1;
}

/* ---- erdp-cp's snapshot ---- */

static int snap_alloc(struct snap *s, const struct erdp_config *cfg)
{
	s->vrf_routes = calloc((size_t)cfg->n_vrfs * 2 + 1, sizeof(uint32_t));
	s->gw_up = calloc((size_t)cfg->n_gateways + 1, sizeof(uint32_t));
	s->gw_routes = calloc((size_t)cfg->n_gateways + 1, sizeof(uint32_t));
	s->peering_routes = calloc((size_t)cfg->n_peerings + 1, sizeof(uint32_t));
	s->bgp = calloc((size_t)cfg->n_peerings * FRR_MAX_SESSIONS + 1, sizeof(*s->bgp));
	return s->vrf_routes && s->gw_up && s->gw_routes && s->peering_routes && s->bgp ? 0
											: -ENOMEM;
}

static void snap_free(struct snap *s)
{
	free(s->vrf_routes);
	free(s->gw_up);
	free(s->gw_routes);
	free(s->peering_routes);
	free(s->bgp);
	memset(s, 0, sizeof(*s));
}

/* dst = src, arrays included (same config, same sizes). */
static void snap_copy(struct snap *dst, const struct snap *src, const struct erdp_config *cfg)
{
	struct snap keep = *dst;

	*dst = *src;
	dst->vrf_routes = keep.vrf_routes;
	dst->gw_up = keep.gw_up;
	dst->gw_routes = keep.gw_routes;
	dst->peering_routes = keep.peering_routes;
	dst->bgp = keep.bgp;
	memcpy(dst->bgp, src->bgp, src->n_bgp * sizeof(*src->bgp));
	memcpy(dst->vrf_routes, src->vrf_routes, (size_t)cfg->n_vrfs * 2 * sizeof(uint32_t));
	memcpy(dst->gw_up, src->gw_up, (size_t)cfg->n_gateways * sizeof(uint32_t));
	memcpy(dst->gw_routes, src->gw_routes, (size_t)cfg->n_gateways * sizeof(uint32_t));
	memcpy(dst->peering_routes, src->peering_routes,
	       (size_t)cfg->n_peerings * sizeof(uint32_t));
}

void metrics_refresh(struct cp *cp)
{
	const struct erdp_config *cfg = cp->cfg;
	const struct chan *ch = &cp->chan;
	struct snap *s = &M.live;
	double now = cp_now();

	if (s->vrf_routes == NULL || now - M.last_refresh < METRICS_SNAPSHOT_S)
		return; /* not serving, or refreshed a moment ago */
	M.last_refresh = now;
	pthread_mutex_lock(&M.snap_lock);
	s->dp_state = ch->state;
	s->sync_in_progress = ch->sync_end != UINT64_MAX;
	s->n_syncs = ch->n_syncs;
	s->n_sent = ch->n_sent;
	s->n_acked = ch->n_acked;
	s->n_rejected = ch->n_rejected;
	s->queued = ch->q.head - ch->q.sent;
	s->in_flight = ch->q.sent - ch->q.tail;
	for (int v = 0; v < cfg->n_vrfs; v++)
		for (int f = 0; f < 2; f++)
			s->vrf_routes[v * 2 + f] =
				(uint32_t)rib_count_vrf(cp->state.rib, (uint16_t)v, f ? 6 : 4);
	for (int g = 0; g < cfg->n_gateways; g++) {
		uint32_t up = 0;

		for (int i = 0; i < cfg->gateways[g].n_instances; i++)
			up += cp->state.gw_up[g][i];
		s->gw_up[g] = up;
		s->gw_routes[g] = cp->state.gw_routes[g];
	}
	memcpy(s->peering_routes, cp->state.peering_routes,
	       (size_t)cfg->n_peerings * sizeof(uint32_t));
	s->n_bgp = bgp_sessions(cp, s->bgp, (size_t)cfg->n_peerings * FRR_MAX_SESSIONS);
	pthread_mutex_unlock(&M.snap_lock);
}

/* ---- what erdp says (the scraping thread) ---- */

struct dp_data {
	bool up;	  /* every command answered */
	json_t *ports;	  /* array of /erdp/port,NAME objects, config order, with "link" */
	json_t *circuits; /* arrays of list entries */
	json_t *peerings;
	json_t *links;
	json_t *workers; /* /erdp/workers */
	json_t *ctl;	 /* /erdp/ctl */
};

static void append(json_t *entry, void *arr)
{
	json_array_append(arr, entry);
}

static int gather_ports(const struct cp *cp, struct tel *t, struct dp_data *d, struct erdp_err *err)
{
	json_t *list = json_array();
	int rc = tel_list(t, "/erdp/ports", "ports", append, list, err);

	for (int p = 0; rc == 0 && p < cp->cfg->n_ports; p++) {
		const char *name = cp->cfg->ports[p].name;
		char cmd[128];
		json_t *one, *obj, *e;
		size_t i;

		snprintf(cmd, sizeof(cmd), "/erdp/port,%s", name);
		rc = tel_cmd(t, cmd, &one, err);
		if (rc != 0)
			break;
		obj = json_object_get(one, "object");
		if (!json_is_object(obj)) { /* erdp runs another config: say so, go on */
			char *text = json_dumps(one, JSON_COMPACT);

			cp_log("metrics: erdp has no port '%s' (%.200s)", name, text ? text : "?");
			free(text);
			json_decref(one);
			continue;
		}
		json_array_foreach(list, i, e) if (json_equal(json_object_get(e, "name"),
							      json_object_get(obj, "name")))
			json_object_set(obj, "link", json_object_get(e, "link"));
		json_array_append(d->ports, obj);
		json_decref(one);
	}
	json_decref(list);
	return rc;
}

/* Everything erdp says; d->up false when any of it could not be read (logged once). */
static void gather(const struct cp *cp, struct dp_data *d)
{
	static bool was_down;
	struct erdp_err err = {0};
	struct tel *t = tel_open(cp, &err);

	d->ports = json_array();
	d->circuits = json_array();
	d->peerings = json_array();
	d->links = json_array();
	d->up = t != NULL && gather_ports(cp, t, d, &err) == 0 &&
		tel_list(t, "/erdp/circuits", "circuits", append, d->circuits, &err) == 0 &&
		tel_list(t, "/erdp/peerings", "peerings", append, d->peerings, &err) == 0 &&
		tel_list(t, "/erdp/links", "links", append, d->links, &err) == 0 &&
		tel_cmd(t, "/erdp/workers", &d->workers, &err) == 0 &&
		tel_cmd(t, "/erdp/ctl", &d->ctl, &err) == 0;
	tel_close(t);
	if (!d->up && !was_down)
		cp_log("metrics: erdp's counters left out (erdp_up 0): %s", err.msg);
	else if (d->up && was_down)
		cp_log("metrics: erdp's counters are back");
	was_down = !d->up;
}

static void dp_data_free(struct dp_data *d)
{
	json_decref(d->ports);
	json_decref(d->circuits);
	json_decref(d->peerings);
	json_decref(d->links);
	json_decref(d->workers);
	json_decref(d->ctl);
}

/* ---- rendering ---- */

/* A counter of erdp's (an integer, or a real when its reply had a u64 above INT64_MAX). */
static uint64_t u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	d = json_number_value(v);
	return d > 0 && d < 0x1p64 ? (uint64_t)d : 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The identifying labels of one entry of a list. */
typedef void (*labels_fn)(json_t *e, struct mt_labels *l, char *scratch, size_t n);

static void port_labels(json_t *e, struct mt_labels *l, char *scratch, size_t n)
{
	mt_label(l, "port", str(e, "name"));
}

static void circuit_labels(json_t *e, struct mt_labels *l, char *scratch, size_t n)
{
	mt_label(l, "circuit", str(e, "name"));
}

/* A peering is named CIRCUIT/TYPE: its circuit is the part before the last '/'. */
static void peering_labels(json_t *e, struct mt_labels *l, char *scratch, size_t n)
{
	const char *name = str(e, "name"), *slash = strrchr(name, '/');

	snprintf(scratch, n, "%.*s", slash != NULL ? (int)(slash - name) : 0, name);
	mt_label(l, "circuit", scratch);
	mt_label(l, "peering", name);
}

static void link_labels(json_t *e, struct mt_labels *l, char *scratch, size_t n)
{
	peering_labels(e, l, scratch, n);
	mt_label(l, "link", str(e, "link"));
}

/* Which counters a kind of object has, under which names. */
struct kind {
	const char *prefix; /* "erdp_port" */
	const char *what;   /* "port", for HELP */
	labels_fn labels;
};

static void labels_of(const struct kind *k, json_t *e, struct mt_labels *l, char *scratch, size_t n)
{
	memset(l, 0, sizeof(*l));
	k->labels(e, l, scratch, n);
}

/* erdp_<x>_packets_total{direction}, _bytes_total{direction}, _local_packets_total. */
static void render_traffic(struct mtext *m, const struct kind *k, json_t *list)
{
	static const struct {
		const char *suffix, *rx, *tx, *help;
	} fam[] = {
		{"packets_total", "rx_packets", "tx_packets",
		 "Frames received (rx) and sent (tx), by "},
		{"bytes_total", "rx_bytes", "tx_bytes",
		 "Bytes of the frames received and sent (Ethernet header to payload, no FCS), by "},
	};
	char name[96], help[160], scratch[128];
	struct mt_labels l;
	json_t *e;
	size_t i;

	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		snprintf(name, sizeof(name), "%s_%s", k->prefix, fam[f].suffix);
		snprintf(help, sizeof(help), "%s%s.", fam[f].help, k->what);
		mt_family(m, name, MT_COUNTER, help);
		json_array_foreach(list, i, e)
		{
			for (int dir = 0; dir < 2; dir++) {
				labels_of(k, e, &l, scratch, sizeof(scratch));
				mt_label(&l, "direction", dir ? "tx" : "rx");
				mt_u64(m, &l, u64(e, dir ? fam[f].tx : fam[f].rx));
			}
		}
	}
	snprintf(name, sizeof(name), "%s_local_packets_total", k->prefix);
	snprintf(help, sizeof(help),
		 "Frames addressed to erdp itself (ARP, ND, echo it answered), by %s.", k->what);
	mt_family(m, name, MT_COUNTER, help);
	json_array_foreach(list, i, e)
	{
		labels_of(k, e, &l, scratch, sizeof(scratch));
		mt_u64(m, &l, u64(e, "local_packets"));
	}
}

/* erdp_<x>_drops_total{reason}: the reasons erdp lists for each entry. */
static void render_drops(struct mtext *m, const struct kind *k, json_t *list)
{
	char name[96], help[200], scratch[128];
	struct mt_labels l;
	json_t *e, *v;
	const char *reason;
	size_t i;

	snprintf(name, sizeof(name), "%s_drops_total", k->prefix);
	snprintf(help, sizeof(help),
		 "Frames dropped, by %s and reason (lib/stats/erdp_drop.h); a reason appears "
		 "once it is non-zero%s.",
		 k->what, strcmp(k->what, "port") == 0 ? " (ports: every reason, from 0)" : "");
	mt_family(m, name, MT_COUNTER, help);
	json_array_foreach(list, i, e)
	{
		json_object_foreach(json_object_get(e, "drops"), reason, v)
		{
			labels_of(k, e, &l, scratch, sizeof(scratch));
			mt_label(&l, "reason", reason);
			mt_u64(m, &l, u64(json_object_get(e, "drops"), reason));
		}
	}
}

static void render_counters(struct mtext *m, const struct kind *k, json_t *list)
{
	render_traffic(m, k, list);
	render_drops(m, k, list);
}

static void render_ports(struct mtext *m, const struct erdp_config *cfg, json_t *ports)
{
	static const struct kind k = {"erdp_port", "port", port_labels};
	struct mt_labels l;
	json_t *e;
	size_t i;

	mt_family(m, "erdp_port_info", MT_GAUGE, "Ports of the config: role and DPDK device.");
	json_array_foreach(ports, i, e)
	{
		int p = erdp_config_port_by_name(cfg, str(e, "name"));

		memset(&l, 0, sizeof(l));
		mt_label(&l, "port", str(e, "name"));
		mt_label(&l, "role", str(e, "role"));
		mt_label(&l, "device", p >= 0 ? cfg->ports[p].device : "");
		mt_u64(m, &l, 1);
	}
	mt_family(m, "erdp_port_up", MT_GAUGE,
		  "1 when erdp sends on the port (link up and admin up), else 0.");
	json_array_foreach(ports, i, e)
		mt_u64_1(m, "port", str(e, "name"), strcmp(str(e, "link"), "up") == 0);
	render_counters(m, &k, ports);
}

static void render_circuits(struct mtext *m, json_t *circuits)
{
	static const struct kind k = {"erdp_circuit", "circuit", circuit_labels};
	struct mt_labels l;
	json_t *e;
	size_t i;

	mt_family(m, "erdp_circuit_info", MT_GAUGE, "Circuits of the config and their S-tag.");
	json_array_foreach(circuits, i, e)
	{
		memset(&l, 0, sizeof(l));
		mt_label(&l, "circuit", str(e, "name"));
		mt_label_u64(&l, "s_tag", u64(e, "s_tag"));
		mt_u64(m, &l, 1);
	}
	mt_family(m, "erdp_circuit_bandwidth_bytes_per_second", MT_GAUGE,
		  "The circuit's bandwidth (its SKU: 1 Gbit/s is 125000000).");
	json_array_foreach(circuits, i, e)
		mt_u64_1(m, "circuit", str(e, "name"), u64(e, "bandwidth_mbps") * (1000000 / 8));
	render_counters(m, &k, circuits);
}

static void render_peerings(struct mtext *m, json_t *peerings, json_t *links)
{
	static const struct kind kp = {"erdp_peering", "peering", peering_labels};
	static const struct kind kl = {"erdp_peering_link", "peering link", link_labels};
	char scratch[128];
	struct mt_labels l;
	json_t *e;
	size_t i;

	mt_family(m, "erdp_peering_info", MT_GAUGE, "Peerings of the config: type, VLAN, VRF.");
	json_array_foreach(peerings, i, e)
	{
		labels_of(&kp, e, &l, scratch, sizeof(scratch));
		mt_label(&l, "type", str(e, "type"));
		mt_label_u64(&l, "vlan", u64(e, "vlan"));
		mt_label(&l, "vrf", str(e, "vrf"));
		mt_u64(m, &l, 1);
	}
	render_counters(m, &kp, peerings);
	mt_family(m, "erdp_peering_link_admin_up", MT_GAUGE,
		  "1 when the peering link is administratively up in erdp, else 0.");
	json_array_foreach(links, i, e)
	{
		labels_of(&kl, e, &l, scratch, sizeof(scratch));
		mt_u64(m, &l, strcmp(str(e, "admin"), "up") == 0);
	}
	render_counters(m, &kl, links);
}

static void render_workers(struct mtext *m, json_t *w)
{
	static const struct {
		const char *name, *key, *help;
	} fam[] = {
		{"erdp_worker_rx_packets_total", "rx_packets", "Frames received by the worker."},
		{"erdp_worker_busy_cycles_total", "busy_cycles",
		 "TSC cycles of the worker's loop turns that had frames."},
		{"erdp_worker_idle_polls_total", "idle_polls",
		 "Loop turns of the worker that found no frame."},
		{"erdp_worker_loops_total", "loops",
		 "Loop turns of the worker (each ends with a TX flush)."},
	};
	double hz = (double)u64(w, "tsc_hz");
	struct mt_labels l;
	const char *k;
	json_t *e;

	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		mt_family(m, fam[f].name, MT_COUNTER, fam[f].help);
		json_object_foreach(w, k, e) if (json_is_object(e))
		{
			memset(&l, 0, sizeof(l));
			mt_label_u64(&l, "lcore", u64(e, "lcore"));
			mt_u64(m, &l, u64(e, fam[f].key));
		}
	}
	mt_family(m, "erdp_worker_busy_seconds_total", MT_COUNTER,
		  "Time of the worker's loop turns that had frames (busy cycles / TSC rate).");
	json_object_foreach(w, k, e) if (json_is_object(e) && hz > 0)
	{
		memset(&l, 0, sizeof(l));
		mt_label_u64(&l, "lcore", u64(e, "lcore"));
		mt_f64(m, &l, (double)u64(e, "busy_cycles") / hz);
	}
}

/* A family of one unlabelled sample. */
struct single {
	const char *name;
	enum mt_type type;
	const char *key; /* render_ctl: the /erdp/ctl key */
	const char *help;
};

static void render_ctl(struct mtext *m, json_t *c)
{
	static const struct single fam[] = {
		{"erdp_control_up", MT_GAUGE, "enabled",
		 "1 when erdp's end of the control channel is open, else 0."},
		{"erdp_control_messages_applied_total", MT_COUNTER, "applied",
		 "Control messages erdp applied."},
		{"erdp_control_batches_total", MT_COUNTER, "batches",
		 "Batches of control messages erdp applied."},
		{"erdp_control_routes_swept_total", MT_COUNTER, "swept",
		 "Routes erdp removed at the end of a full sync (not replayed)."},
		{"erdp_control_sync_in_progress", MT_GAUGE, "syncing",
		 "1 while erdp is between SYNC_BEGIN and SYNC_END, else 0."},
		{"erdp_routes", MT_GAUGE, "routes", "Routes erdp holds (all VRFs)."},
	};
	static const char rejected_prefix[] = "rejected_";
	const char *k;
	json_t *v;

	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		mt_family(m, fam[f].name, fam[f].type, fam[f].help);
		mt_u64(m, NULL, u64(c, fam[f].key));
	}
	mt_family(m, "erdp_control_messages_rejected_total", MT_COUNTER,
		  "Control messages erdp rejected, by reason.");
	json_object_foreach(c, k,
			    v) if (strncmp(k, rejected_prefix, sizeof(rejected_prefix) - 1) == 0)
		mt_u64_1(m, "reason", k + sizeof(rejected_prefix) - 1, u64(c, k));
}

static void render_cp(struct mtext *m, const struct erdp_config *cfg, const struct snap *s)
{
	static const struct {
		const char *name;
		enum mt_type type;
		size_t off;
		const char *help;
	} fam[] = {
		{"erdp_cp_full_syncs_total", MT_COUNTER, offsetof(struct snap, n_syncs),
		 "Full syncs erdp-cp ran (its start, erdp's restarts)."},
		{"erdp_cp_messages_sent_total", MT_COUNTER, offsetof(struct snap, n_sent),
		 "Control messages erdp-cp sent to erdp."},
		{"erdp_cp_messages_acknowledged_total", MT_COUNTER, offsetof(struct snap, n_acked),
		 "Control messages erdp acknowledged."},
		{"erdp_cp_messages_rejected_total", MT_COUNTER, offsetof(struct snap, n_rejected),
		 "Control messages erdp rejected."},
		{"erdp_cp_messages_queued", MT_GAUGE, offsetof(struct snap, queued),
		 "Control messages waiting for room in the ring."},
		{"erdp_cp_messages_in_flight", MT_GAUGE, offsetof(struct snap, in_flight),
		 "Control messages in the ring, not yet acknowledged."},
	};
	static const struct {
		const char *name, *help;
	} gw_fam[3] = {
		{"erdp_cp_gateway_instances", "Instances of the gateway."},
		{"erdp_cp_gateway_instances_up", "Instances of the gateway administratively up."},
		{"erdp_cp_gateway_routes", "Routes whose target is the gateway."},
	};
	struct mt_labels l;

	mt_family(m, "erdp_cp_dataplane_up", MT_GAUGE,
		  "1 when erdp-cp is connected to erdp over the control channel, else 0.");
	mt_u64(m, NULL, s->dp_state == CHAN_UP);
	mt_family(m, "erdp_cp_sync_in_progress", MT_GAUGE,
		  "1 while a full sync is on its way to erdp, else 0.");
	mt_u64(m, NULL, s->sync_in_progress);
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		mt_family(m, fam[f].name, fam[f].type, fam[f].help);
		mt_u64(m, NULL, *(const uint64_t *)((const char *)s + fam[f].off));
	}
	mt_family(m, "erdp_cp_routes", MT_GAUGE, "Routes in erdp-cp's RIB, by VRF and family.");
	for (int v = 0; v < cfg->n_vrfs; v++)
		for (int f = 0; f < 2; f++) {
			memset(&l, 0, sizeof(l));
			mt_label(&l, "vrf", cfg->vrfs[v].name);
			mt_label(&l, "family", f ? "ipv6" : "ipv4");
			mt_u64(m, &l, s->vrf_routes[v * 2 + f]);
		}
	for (int f = 0; f < 3; f++) {
		mt_family(m, gw_fam[f].name, MT_GAUGE, gw_fam[f].help);
		for (int g = 0; g < cfg->n_gateways; g++)
			mt_u64_1(m, "gateway", cfg->gateways[g].name,
				 f == 0	  ? (uint64_t)cfg->gateways[g].n_instances
				 : f == 1 ? s->gw_up[g]
					  : s->gw_routes[g]);
	}
	mt_family(m, "erdp_cp_peering_routes", MT_GAUGE, "Routes whose target is the peering.");
	for (int p = 0; p < cfg->n_peerings; p++) {
		memset(&l, 0, sizeof(l));
		mt_label(&l, "circuit", cfg->circuits[cfg->peerings[p].circuit].name);
		mt_label(&l, "peering", cfg->peerings[p].name);
		mt_u64(m, &l, s->peering_routes[p]);
	}
}

/* The customer's BGP sessions (bgp.enabled): one sample per session and family. */
static void render_bgp(struct mtext *m, const struct snap *s)
{
	static const struct {
		const char *name;
		enum mt_type type;
		const char *help;
	} fam[] = {
		{"erdp_cp_bgp_session_up", MT_GAUGE,
		 "1 when the customer's BGP session is Established, else 0."},
		{"erdp_cp_bgp_prefixes_received", MT_GAUGE, "Prefixes the MSEE accepted from it."},
		{"erdp_cp_bgp_prefixes_advertised", MT_GAUGE, "Prefixes the MSEE sent it."},
		{"erdp_cp_bgp_prefix_limit", MT_GAUGE,
		 "ExpressRoute's prefix limit of the session."},
		{"erdp_cp_bgp_prefix_limit_drops_total", MT_COUNTER,
		 "Times the session was dropped for exceeding its prefix limit."},
		{"erdp_cp_bgp_session_drops_total", MT_COUNTER,
		 "Times the session left Established."},
		{"erdp_cp_bgp_maintenance", MT_GAUGE,
		 "1 while the session advertises with the maintenance AS path."},
		{"erdp_cp_bgp_admin_down", MT_GAUGE, "1 while the session is shut down (admin)."},
		{"erdp_cp_bgp_bfd_up", MT_GAUGE, "1 when the session's BFD is up, else 0."},
	};

	if (s->n_bgp == 0)
		return;
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		mt_family(m, fam[f].name, fam[f].type, fam[f].help);
		for (size_t i = 0; i < s->n_bgp; i++) {
			const struct bgp_session_stat *b = &s->bgp[i];
			const uint64_t v[] = {
				b->established,	 b->prefixes_received,	b->prefixes_advertised,
				b->prefix_limit, b->prefix_limit_drops, b->session_drops,
				b->maintenance,	 b->admin_down,		strcmp(b->bfd, "up") == 0};
			struct mt_labels l;

			memset(&l, 0, sizeof(l));
			mt_label(&l, "peering", b->peering);
			mt_label(&l, "link", b->link);
			mt_label(&l, "family", b->family == 6 ? "ipv6" : "ipv4");
			mt_label(&l, "neighbor", b->neighbor);
			mt_u64(m, &l, v[f]);
		}
	}
}

/* The whole document (malloc'ed), or NULL when out of memory. */
static char *scrape(const struct cp *cp, bool openmetrics, size_t *len)
{
	struct mtext *m = mt_new(openmetrics);
	struct dp_data d = {0};
	double start = cp_now();
	struct mt_labels l = {0};
	char *out;

	if (m == NULL)
		return NULL;
	gather(cp, &d);
	mt_family(m, "erdp_up", MT_GAUGE,
		  "1 when erdp answered on its telemetry socket for this scrape, else 0.");
	mt_u64(m, NULL, d.up);
	if (d.up) {
		render_ports(m, cp->cfg, d.ports);
		render_circuits(m, d.circuits);
		render_peerings(m, d.peerings, d.links);
		render_workers(m, d.workers);
		render_ctl(m, d.ctl);
	}
	dp_data_free(&d);
	pthread_mutex_lock(&M.snap_lock);
	snap_copy(&M.copy, &M.live, cp->cfg);
	pthread_mutex_unlock(&M.snap_lock);
	render_cp(m, cp->cfg, &M.copy);
	render_bgp(m, &M.copy);
	mt_family(m, "erdp_cp_info", MT_GAUGE, "erdp-cp and the erdp instance it serves.");
	mt_label(&l, "instance", cp->instance);
	mt_u64(m, &l, 1);
	mt_family(m, "erdp_cp_scrape_duration_seconds", MT_GAUGE,
		  "Time this scrape took to read erdp's telemetry and write the answer.");
	mt_f64(m, NULL, cp_now() - start);
	out = mt_finish(m, len);
	mt_free(m);
	return out;
}

/* ---- HTTP ---- */

static enum MHD_Result answer(struct MHD_Connection *c, unsigned int status, const char *type,
			      char *body, size_t len, bool must_free)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static char not_found[] = "erdp-cp: the metrics are at " METRICS_PATH "\n";
	static char bad_method[] = "erdp-cp: " METRICS_PATH " answers GET and HEAD only\n";
	static int seen;
	const struct cp *cp = cls;
	const char *accept;
	bool om;
	char *body;
	size_t len = 0;

	if (*req_cls == NULL) { /* headers only so far: answer once the request is complete */
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) { /* a body we do not want: read and ignore it */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
			      strlen(bad_method), false);
	if (strcmp(url, METRICS_PATH) != 0)
		return answer(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, strlen(not_found),
			      false);
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept != NULL && strstr(accept, "application/openmetrics-text") != NULL;
	body = scrape(cp, om, &len);
	if (body == NULL) {
		static char oom[] = "erdp-cp: out of memory\n";

		return answer(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", oom, strlen(oom),
			      false);
	}
	return answer(c, MHD_HTTP_OK, mt_content_type(om), body, len, true);
}

static int listen_socket(const struct sockaddr_storage *sa, struct erdp_err *err)
{
	socklen_t len = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	int one = 1, fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	char addr[INET6_ADDRSTRLEN];
	uint16_t port =
		ntohs(sa->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
						: ((const struct sockaddr_in *)sa)->sin_port);

	inet_ntop(sa->ss_family,
		  sa->ss_family == AF_INET6
			  ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
			  : (const void *)&((const struct sockaddr_in *)sa)->sin_addr,
		  addr, sizeof(addr));
	if (fd < 0)
		return erdp_errf(err, errno, "metrics: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sa, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		int e = errno;

		close(fd);
		return erdp_errf(err, e, "metrics: cannot listen on %s%s%s:%u: %s%s",
				 sa->ss_family == AF_INET6 ? "[" : "", addr,
				 sa->ss_family == AF_INET6 ? "]" : "", port, strerror(e),
				 e == EADDRINUSE ? " (another erdp-cp? --metrics ADDR:PORT or off)"
						 : "");
	}
	return fd;
}

int metrics_open(struct cp *cp, const struct sockaddr_storage *sa, struct erdp_err *err)
{
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	char addr[INET6_ADDRSTRLEN];
	int fd;

	if (snap_alloc(&M.live, cp->cfg) != 0 || snap_alloc(&M.copy, cp->cfg) != 0) {
		snap_free(&M.live);
		snap_free(&M.copy);
		return erdp_errf(err, ENOMEM, "metrics: out of memory");
	}
	fd = listen_socket(sa, err);
	if (fd < 0) {
		snap_free(&M.live);
		snap_free(&M.copy);
		return fd;
	}
	M.last_refresh = -1;
	metrics_refresh(cp); /* the first scrape may come at once */
	M.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			(sa->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, on_request, cp, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_MAX_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEMORY_LIMIT,
		MHD_OPTION_STRICT_FOR_CLIENT, 1, /* HTTP/1.1 by the book: no Host is a 400 */
		MHD_OPTION_END);
	if (M.daemon == NULL) { /* the socket is libmicrohttpd's now, closed or not: left alone */
		snap_free(&M.live);
		snap_free(&M.copy);
		return erdp_errf(err, EIO, "metrics: libmicrohttpd did not start");
	}
	getsockname(fd, (struct sockaddr *)&bound, &blen);
	inet_ntop(bound.ss_family,
		  bound.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&bound)->sin6_addr
					      : (void *)&((struct sockaddr_in *)&bound)->sin_addr,
		  addr, sizeof(addr));
	cp_log("metrics on http://%s%s%s:%u%s", bound.ss_family == AF_INET6 ? "[" : "", addr,
	       bound.ss_family == AF_INET6 ? "]" : "",
	       ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						 : ((struct sockaddr_in *)&bound)->sin_port),
	       METRICS_PATH);
	return 0;
}

void metrics_close(void)
{
	if (M.daemon == NULL)
		return;
	MHD_stop_daemon(M.daemon); /* joins its thread, closes the listening socket */
	M.daemon = NULL;
	snap_free(&M.live);
	snap_free(&M.copy);
}
