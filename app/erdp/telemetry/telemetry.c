/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live counters through DPDK telemetry (dpdk-telemetry.py, or any client
 * of /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2).
 *
 * DPDK allows only [A-Za-z0-9_/] in dictionary keys, at most 256 dict and
 * 512 array entries, and 16 KiB per reply, while erdp names may contain
 * '-' or '.' and there may be thousands of circuits; an array of containers
 * cannot sit inside a dict either. So a list is a dict of entries keyed by
 * their position ("0", "1", ...), each carrying its name as a value, one
 * page at a time:
 *
 *   /erdp/ports                  every port (at most 16)
 *   /erdp/circuits[,START]       circuits START.. (ERDP_TEL_PAGE per reply)
 *   /erdp/peerings[,START]       peerings START..
 *   /erdp/links[,START]          peering links START.. (2 a peering: primary, secondary)
 *   /erdp/neighbors[,START]      customer ARP/ND entries of peerings START..
 *   /erdp/circuit,NAME  /erdp/peering,CIRCUIT/TYPE  /erdp/port,NAME
 *                                one object with every drop reason
 *   /erdp/drops                  totals by drop reason
 *   /erdp/workers                per worker: frames, busy cycles, idle polls
 *   /erdp/host[,START]           bgp.enabled: each peering link's host interface (tap),
 *                                its state and counters, for peerings START..
 *
 * A paged reply has "total", "start" and, when more follow, "next". An
 * unknown name gets {"error": "..."}.
 *
 * Shutdown: DPDK's telemetry threads (one per client connection) call the
 * handlers at any time and outlive main(), and DPDK 22.11 cannot
 * unregister a command. Every /erdp/ command therefore runs through one
 * gate (dispatch() below): erdp_telemetry_close(), called before the
 * teardown frees the configuration, counters and workers, waits for the
 * handlers inside to finish and turns every later call away with
 * {"error": "erdp is shutting down"}.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_telemetry.h>

#include "slowpath/slowpath.h"
#include "telemetry.h"

#define ERDP_TEL_PAGE	    8 /* worst case ~1.5 KiB an entry (every reason non-zero): < 16 KiB */
#define ERDP_TEL_NEIGH_PAGE 16
#define ERDP_TEL_MAX_CMDS   16

/* ---- the gate between the telemetry threads and the teardown ---- */

static struct {
	const char *cmd;
	telemetry_cb fn;
} tel_cmds[ERDP_TEL_MAX_CMDS];
static unsigned int tel_n_cmds;
static uint32_t tel_inside; /* handlers running now */
static bool tel_closed;

/*
 * A handler announces itself, then looks at the flag; the closer sets the
 * flag, then looks at the count (both sequentially consistent): either the
 * handler sees the flag and backs out, or the closer sees the handler and
 * waits for it. New handlers cannot starve the closer: they all back out.
 */
static bool tel_enter(void)
{
	__atomic_add_fetch(&tel_inside, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&tel_closed, __ATOMIC_SEQ_CST))
		return true;
	__atomic_sub_fetch(&tel_inside, 1, __ATOMIC_RELEASE);
	return false;
}

static void tel_leave(void)
{
	__atomic_sub_fetch(&tel_inside, 1, __ATOMIC_RELEASE);
}

void erdp_telemetry_close(void)
{
	__atomic_store_n(&tel_closed, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&tel_inside, __ATOMIC_SEQ_CST) != 0)
		rte_pause();
}

static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc = -EINVAL;

	if (!tel_enter()) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "error", "erdp is shutting down");
		return 0;
	}
	for (unsigned int i = 0; i < tel_n_cmds; i++)
		if (strcmp(tel_cmds[i].cmd, cmd) == 0) {
			rc = tel_cmds[i].fn(cmd, params, d);
			break;
		}
	tel_leave();
	return rc;
}

int erdp_telemetry_register(const char *cmd, telemetry_cb fn, const char *help)
{
	if (tel_n_cmds == ERDP_TEL_MAX_CMDS)
		return -ENOSPC;
	tel_cmds[tel_n_cmds].cmd = cmd;
	tel_cmds[tel_n_cmds].fn = fn;
	tel_n_cmds++;
	return rte_telemetry_register_cmd(cmd, dispatch, help);
}

typedef void (*item_fn)(int i, const char **name, struct erdp_ctr *c, uint64_t *drops);

static void item_port(int i, const char **name, struct erdp_ctr *c, uint64_t *drops)
{
	*name = erdp.cfg->ports[i].name;
	*c = erdp.sum->port[i];
	memcpy(drops, erdp.sum->port_drop[i], sizeof(uint64_t) * ERDP_DROP_MAX);
}

static void item_circuit(int i, const char **name, struct erdp_ctr *c, uint64_t *drops)
{
	*name = erdp.cfg->circuits[i].name;
	erdp_counters_circuit(erdp.sum, erdp.cfg, i, c, drops);
}

static void item_peering(int i, const char **name, struct erdp_ctr *c, uint64_t *drops)
{
	*name = erdp.cfg->peerings[i].name;
	erdp_counters_peering(erdp.sum, i, c, drops);
}

/* Peering link i (erdp_plink() order: a peering's primary, then its secondary). */
static void item_link(int i, const char **name, struct erdp_ctr *c, uint64_t *drops)
{
	*name = erdp.cfg->peerings[erdp_plink_peering((unsigned int)i)].name;
	*c = erdp.sum->plink[i];
	memcpy(drops, erdp.sum->plink_drop[i], sizeof(uint64_t) * ERDP_DROP_MAX);
}

/* Counters of one object into dict d; every reason when `all`, else the non-zero ones. */
static void put_ctr(struct rte_tel_data *d, const struct erdp_ctr *c, const uint64_t *drops,
		    bool all)
{
	struct rte_tel_data *dr = rte_tel_data_alloc();
	uint64_t tot = 0;

	rte_tel_data_add_dict_u64(d, "rx_packets", c->rx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bytes", c->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", c->tx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_bytes", c->tx_bytes);
	rte_tel_data_add_dict_u64(d, "local_packets", c->local_pkts);
	if (dr != NULL)
		rte_tel_data_start_dict(dr);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++) {
		tot += drops[r];
		if (dr != NULL && (all || drops[r] != 0))
			rte_tel_data_add_dict_u64(dr, erdp_drop_name((unsigned int)r), drops[r]);
	}
	rte_tel_data_add_dict_u64(d, "drops_total", tot);
	if (dr != NULL)
		rte_tel_data_add_dict_container(d, "drops", dr, 0);
}

/* Extra identifying fields of list entries. */
static void put_ident(struct rte_tel_data *e, item_fn fn, int i)
{
	const struct erdp_config *cfg = erdp.cfg;

	if (fn == item_port) {
		rte_tel_data_add_dict_string(e, "role", erdp_role_str(cfg->ports[i].role));
		rte_tel_data_add_dict_string(e, "link", erdp_port_usable(&erdp, i) ? "up" : "down");
	} else if (fn == item_circuit) {
		rte_tel_data_add_dict_u64(e, "s_tag", cfg->circuits[i].s_tag);
		rte_tel_data_add_dict_u64(e, "bandwidth_mbps", cfg->circuits[i].bandwidth_mbps);
	} else if (fn == item_link) {
		rte_tel_data_add_dict_string(
			e, "link", erdp_plink_link((unsigned int)i) ? "secondary" : "primary");
		rte_tel_data_add_dict_string(e, "admin", erdp.plink_admin_up[i] ? "up" : "down");
	} else {
		const struct erdp_peering_conf *pe = &cfg->peerings[i];

		rte_tel_data_add_dict_string(e, "type", erdp_peering_type_str(pe->type));
		rte_tel_data_add_dict_u64(e, "vlan", pe->vlan);
		rte_tel_data_add_dict_string(e, "vrf", cfg->vrfs[pe->vrf].name);
	}
}

/* Add entry e to the index-keyed list dict. */
static void list_add(struct rte_tel_data *list, int idx, struct rte_tel_data *e)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", idx);
	rte_tel_data_add_dict_container(list, key, e, 0);
}

static int parse_start(const char *params, int n)
{
	long v = params != NULL && *params != '\0' ? strtol(params, NULL, 10) : 0;

	return v < 0 ? 0 : v > n ? n : (int)v;
}

/* A page's envelope: "total", "start", "next" when more follow, and the entries under key. */
static void page_end(struct rte_tel_data *d, const char *key, struct rte_tel_data *arr, int n,
		     int start, int end)
{
	rte_tel_data_add_dict_u64(d, "total", (uint64_t)n);
	rte_tel_data_add_dict_u64(d, "start", (uint64_t)start);
	if (end < n)
		rte_tel_data_add_dict_u64(d, "next", (uint64_t)end);
	rte_tel_data_add_dict_container(d, key, arr, 0);
}

static struct rte_tel_data *entry(item_fn fn, int i, bool all)
{
	struct rte_tel_data *e = rte_tel_data_alloc();
	const char *name;
	struct erdp_ctr c;
	uint64_t drops[ERDP_DROP_MAX];

	if (e == NULL)
		return NULL;
	fn(i, &name, &c, drops);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "name", name);
	put_ident(e, fn, i);
	put_ctr(e, &c, drops, all);
	return e;
}

/* A page of a list: {"total", "start", "next"?, key: [entries]}. */
static int page(struct rte_tel_data *d, const char *key, int n, item_fn fn, const char *params,
		int per_page)
{
	int start = parse_start(params, n), end = start + per_page < n ? start + per_page : n;
	struct rte_tel_data *arr = rte_tel_data_alloc();

	if (arr == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(arr);
	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(&erdp);
	for (int i = start; i < end; i++) {
		struct rte_tel_data *e = entry(fn, i, false);

		if (e != NULL)
			list_add(arr, i, e);
	}
	rte_spinlock_unlock(&erdp_stats_lock);
	page_end(d, key, arr, n, start, end);
	return 0;
}

/* One object by name, with every drop reason; -EINVAL (an error reply) if unknown. */
static int one(struct rte_tel_data *d, int idx, item_fn fn, const char *what, const char *name)
{
	struct rte_tel_data *e;
	char msg[RTE_TEL_MAX_STRING_LEN];

	if (idx < 0) {
		snprintf(msg, sizeof(msg), "no %s named '%s'", what, name != NULL ? name : "");
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "error", msg);
		return 0;
	}
	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(&erdp);
	e = entry(fn, idx, true);
	rte_spinlock_unlock(&erdp_stats_lock);
	if (e == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_container(d, "object", e, 0);
	return 0;
}

static int circuit_by_name(const char *name)
{
	for (int i = 0; name != NULL && i < erdp.cfg->n_circuits; i++)
		if (strcmp(erdp.cfg->circuits[i].name, name) == 0)
			return i;
	return -1;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return page(d, "ports", erdp.cfg->n_ports, item_port, NULL, ERDP_MAX_PORTS);
}

static int tel_circuits(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return page(d, "circuits", erdp.cfg->n_circuits, item_circuit, params, ERDP_TEL_PAGE);
}

static int tel_peerings(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return page(d, "peerings", erdp.cfg->n_peerings, item_peering, params, ERDP_TEL_PAGE);
}

static int tel_links(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return page(d, "links", (int)erdp_plink_count((unsigned int)erdp.cfg->n_peerings),
		    item_link, params, ERDP_TEL_PAGE);
}

static int tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return one(d, params != NULL ? erdp_config_port_by_name(erdp.cfg, params) : -1, item_port,
		   "port", params);
}

static int tel_circuit(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return one(d, circuit_by_name(params), item_circuit, "circuit", params);
}

/* A peering link's host-interface counters (bgp.enabled), as host_* keys of dict e. */
static void put_host_ctr(struct rte_tel_data *e, unsigned int plink)
{
	struct erdp_host_info hi;

	erdp_host_link_info(&erdp, plink, &hi);
	if (!hi.present)
		return;
	rte_tel_data_add_dict_u64(e, "host_rx_packets", hi.rx_pkts);
	rte_tel_data_add_dict_u64(e, "host_rx_bytes", hi.rx_bytes);
	rte_tel_data_add_dict_u64(e, "host_tx_packets", hi.tx_pkts);
	rte_tel_data_add_dict_u64(e, "host_tx_bytes", hi.tx_bytes);
}

static int tel_peering(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int p = params != NULL ? erdp_config_peering_by_name(erdp.cfg, params) : -1;
	struct rte_tel_data *links;
	int rc = one(d, p, item_peering, "peering", params);

	if (rc != 0 || p < 0)
		return rc;
	links = rte_tel_data_alloc();
	if (links == NULL)
		return 0;
	rte_tel_data_start_dict(links);
	rte_spinlock_lock(&erdp_stats_lock);
	for (unsigned int l = 0; l < ERDP_LINKS; l++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		unsigned int k = erdp_plink((unsigned int)p, l);

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "admin", erdp.plink_admin_up[k] ? "up" : "down");
		put_ctr(e, &erdp.sum->plink[k], erdp.sum->plink_drop[k], false);
		put_host_ctr(e, k);
		rte_tel_data_add_dict_container(links, l ? "secondary" : "primary", e, 0);
	}
	rte_spinlock_unlock(&erdp_stats_lock);
	rte_tel_data_add_dict_container(d, "links", links, 0);
	return 0;
}

static int tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t tot[ERDP_DROP_MAX] = {0};

	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(&erdp);
	for (int p = 0; p < erdp.cfg->n_ports; p++)
		for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
			tot[r] += erdp.sum->port_drop[p][r];
	rte_spinlock_unlock(&erdp_stats_lock);
	rte_tel_data_start_dict(d);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, erdp_drop_name((unsigned int)r), tot[r]);
	return 0;
}

/* ---- neighbours ---- */

static const char *neigh_state_str(uint8_t s)
{
	return s == ERDP_NEIGH_STATIC	   ? "static"
	       : s == ERDP_NEIGH_REACHABLE ? "reachable"
					   : "incomplete";
}

static struct rte_tel_data *neigh_entry(int peering, int link, bool v6, uint64_t now, uint64_t hz)
{
	const struct erdp_peering_conf *pe = &erdp.cfg->peerings[peering];
	const struct erdp_neigh *n = erdp_neigh_get(&erdp, erdp_plink(peering, link), v6);
	char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_tel_data *e = rte_tel_data_alloc();

	if (e == NULL)
		return NULL;
	if (v6) {
		uint8_t a[16];

		erdp_p6_customer(&pe->v6[link], a);
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
	} else {
		uint32_t a = htonl(erdp_p4_customer(&pe->v4[link]));

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	}
	rte_ether_format_addr(mac, sizeof(mac), &n->mac);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "peering", pe->name);
	rte_tel_data_add_dict_string(e, "link", link ? "secondary" : "primary");
	rte_tel_data_add_dict_string(e, "ip", ip);
	rte_tel_data_add_dict_string(e, "mac", n->state != ERDP_NEIGH_NONE ? mac : "");
	rte_tel_data_add_dict_string(e, "state", neigh_state_str(n->state));
	rte_tel_data_add_dict_u64(e, "age_s",
				  n->state == ERDP_NEIGH_REACHABLE ? (now - n->updated) / hz : 0);
	return e;
}

/* /erdp/neighbors[,START]: customer ARP/ND entries, ERDP_TEL_NEIGH_PAGE peerings a page. */
static int tel_neighbors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int n = erdp.cfg->n_peerings, start = parse_start(params, n);
	int end = start + ERDP_TEL_NEIGH_PAGE < n ? start + ERDP_TEL_NEIGH_PAGE : n;
	struct rte_tel_data *arr = rte_tel_data_alloc();
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();

	if (arr == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(arr);
	for (int p = start, k = 0; p < end; p++)
		for (int l = 0; l < ERDP_LINKS; l++)
			for (int v6 = 0; v6 <= (erdp.cfg->peerings[p].has_v6 ? 1 : 0); v6++) {
				struct rte_tel_data *e = neigh_entry(p, l, v6, now, hz);

				if (e != NULL)
					list_add(arr, k++, e);
			}
	page_end(d, "neighbors", arr, n, start, end);
	return 0;
}

/* One peering link's host interface: where it is, its state, what went through and was lost. */
static struct rte_tel_data *host_entry(int peering, int link, const struct erdp_host_info *hi)
{
	static const enum erdp_drop reasons[] = {ERDP_DROP_HOST_RATELIMIT,
						 ERDP_DROP_HOST_QUEUE_FULL,
						 ERDP_DROP_HOST_NOT_UNICAST, ERDP_DROP_LINK_DOWN};
	unsigned int k = erdp_plink((unsigned int)peering, (unsigned int)link);
	struct rte_tel_data *e = rte_tel_data_alloc();

	if (e == NULL)
		return NULL;
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "peering", erdp.cfg->peerings[peering].name);
	rte_tel_data_add_dict_string(e, "link", link ? "secondary" : "primary");
	rte_tel_data_add_dict_string(e, "namespace", hi->netns);
	rte_tel_data_add_dict_string(e, "interface", hi->ifname);
	rte_tel_data_add_dict_u64(e, "port_id", hi->port_id);
	rte_tel_data_add_dict_string(e, "state", hi->link_up ? "up" : "down");
	rte_tel_data_add_dict_string(e, "admin", erdp.plink_admin_up[k] ? "up" : "down");
	put_host_ctr(e, k);
	for (size_t r = 0; r < RTE_DIM(reasons); r++)
		rte_tel_data_add_dict_u64(e, erdp_drop_name(reasons[r]),
					  erdp.sum->plink_drop[k][reasons[r]]);
	return e;
}

/* /erdp/host[,START]: the host interfaces of ERDP_TEL_NEIGH_PAGE peerings a page. */
static int tel_host(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int n = erdp.cfg->n_peerings, start = parse_start(params, n);
	int end = start + ERDP_TEL_NEIGH_PAGE < n ? start + ERDP_TEL_NEIGH_PAGE : n;
	struct rte_tel_data *arr = rte_tel_data_alloc();

	if (arr == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(arr);
	rte_tel_data_add_dict_string(d, "enabled", erdp.cfg->bgp.enabled ? "true" : "false");
	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(&erdp);
	for (int p = start, k = 0; p < end; p++)
		for (int l = 0; l < ERDP_LINKS; l++) {
			struct erdp_host_info hi;
			struct rte_tel_data *e;

			erdp_host_link_info(&erdp, erdp_plink((unsigned int)p, (unsigned int)l),
					    &hi);
			if (!hi.present)
				continue;
			e = host_entry(p, l, &hi);
			if (e != NULL)
				list_add(arr, k++, e);
		}
	rte_spinlock_unlock(&erdp_stats_lock);
	page_end(d, "links", arr, n, start, end);
	return 0;
}

/* /erdp/workers: per worker lcore, frames and busy cycles (for cycles/packet). */
static int tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int lcore, k = 0;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		const struct erdp_worker *w = erdp.workers[lcore];
		struct rte_tel_data *e = rte_tel_data_alloc();
		char key[16];

		if (w == NULL || e == NULL)
			continue;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "lcore", lcore);
		rte_tel_data_add_dict_u64(e, "rx_queues", w->n_rxq);
		rte_tel_data_add_dict_u64(e, "rx_packets", w->rx_pkts);
		rte_tel_data_add_dict_u64(e, "busy_cycles", w->busy_cycles);
		rte_tel_data_add_dict_u64(e, "idle_polls", w->idle_polls);
		rte_tel_data_add_dict_u64(e, "loops", __atomic_load_n(&w->loops, __ATOMIC_RELAXED));
		snprintf(key, sizeof(key), "%u", k++);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

int erdp_telemetry_init(struct erdp_dp *dp)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		/* help: under RTE_TEL_MAX_STRING_LEN (128) bytes, or DPDK refuses the command */
		{"/erdp/ports", tel_ports, "All ports with counters. No parameter."},
		{"/erdp/port", tel_port, "One port, every drop reason. Parameter: port name."},
		{"/erdp/circuits", tel_circuits,
		 "Circuits with counters, paged. Parameter: start."},
		{"/erdp/circuit", tel_circuit, "One circuit, every drop reason. Parameter: name."},
		{"/erdp/peerings", tel_peerings,
		 "Peerings with counters, paged. Parameter: start."},
		{"/erdp/peering", tel_peering,
		 "One peering with its links. Parameter: circuit/type, e.g. contoso/private."},
		{"/erdp/links", tel_links,
		 "Peering links (primary, secondary) with counters, paged. Parameter: start."},
		{"/erdp/neighbors", tel_neighbors,
		 "Customer ARP/ND entries per peering link, paged. Parameter: start."},
		{"/erdp/drops", tel_drops, "Drops by reason, all ports."},
		{"/erdp/host", tel_host,
		 "bgp.enabled: each peering link's tap (namespace, state, counters), paged. "
		 "Parameter: start."},
		{"/erdp/workers", tel_workers,
		 "Per worker lcore: rx_packets, busy_cycles, idle_polls, loops (each ends with a "
		 "TX flush); tsc_hz."},
	};

	(void)dp;
	for (size_t i = 0; i < RTE_DIM(cmds); i++) {
		int rc = erdp_telemetry_register(cmds[i].cmd, cmds[i].fn, cmds[i].help);

		if (rc != 0) {
			fprintf(stderr, "erdp: telemetry: cannot register %s: %s\n", cmds[i].cmd,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}
