/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter read-out: periodic table, JSON file at exit, DPDK telemetry.
 * All readers sum the per-lcore blocks into dp->sum under one lock
 * (telemetry runs on its own thread, the table on the main lcore).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "dp.h"

static rte_spinlock_t sum_lock = RTE_SPINLOCK_INITIALIZER;
static struct erdp_ctr *prev_circuit; /* for rates in the periodic table */

void erdp_stats_collect(struct erdp_dp *dp)
{
	struct erdp_counters *blocks[RTE_MAX_LCORE + 1];
	unsigned int n = 0, lcore;

	RTE_LCORE_FOREACH_WORKER(lcore)
	if (dp->workers[lcore] != NULL)
		blocks[n++] = dp->workers[lcore]->ctr;
	blocks[n++] = dp->main_ctr;
	erdp_counters_sum(dp->sum, blocks, n, dp->cfg->n_circuits, dp->cfg->n_peerings);
}

static uint64_t drops_total(const uint64_t *d)
{
	uint64_t t = 0;

	for (int r = 0; r < ERDP_DROP_MAX; r++)
		t += d[r];
	return t;
}

static void print_ports(struct erdp_dp *dp)
{
	printf("%-14s %-9s %14s %14s %12s\n", "port", "role", "rx_packets", "tx_packets", "drops");
	for (int p = 0; p < dp->cfg->n_ports; p++) {
		const struct erdp_ctr *c = &dp->sum->port[p];

		printf("%-14s %-9s %14" PRIu64 " %14" PRIu64 " %12" PRIu64 "\n",
		       dp->cfg->ports[p].name, erdp_role_str(dp->cfg->ports[p].role), c->rx_pkts,
		       c->tx_pkts, drops_total(dp->sum->port_drop[p]));
	}
}

static void print_circuits(struct erdp_dp *dp, double interval_s)
{
	const struct erdp_config *cfg = dp->cfg;

	if (prev_circuit == NULL)
		prev_circuit = calloc((size_t)(cfg->n_circuits + 1), sizeof(*prev_circuit));
	printf("%-16s %6s %12s %12s %14s %14s %10s\n", "circuit", "s_tag", "rx_pps", "tx_pps",
	       "rx_packets", "tx_packets", "drops");
	for (int i = 0; i < cfg->n_circuits; i++) {
		struct erdp_ctr c;
		uint64_t d[ERDP_DROP_MAX];
		double rx_pps = 0, tx_pps = 0;

		erdp_counters_circuit(dp->sum, cfg, i, &c, d);
		if (interval_s > 0 && prev_circuit != NULL) {
			rx_pps = (double)(c.rx_pkts - prev_circuit[i].rx_pkts) / interval_s;
			tx_pps = (double)(c.tx_pkts - prev_circuit[i].tx_pkts) / interval_s;
		}
		if (prev_circuit != NULL)
			prev_circuit[i] = c;
		printf("%-16s %6u %12.0f %12.0f %14" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n",
		       cfg->circuits[i].name, cfg->circuits[i].s_tag, rx_pps, tx_pps, c.rx_pkts,
		       c.tx_pkts, drops_total(d));
	}
}

static void print_drop_reasons(struct erdp_dp *dp)
{
	uint64_t tot[ERDP_DROP_MAX] = { 0 };
	bool any = false;

	for (int p = 0; p < dp->cfg->n_ports; p++)
		for (int r = 0; r < ERDP_DROP_MAX; r++)
			tot[r] += dp->sum->port_drop[p][r];
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++) {
		if (tot[r] == 0)
			continue;
		printf("%s%s=%" PRIu64, any ? " " : "drops: ", erdp_drop_name((unsigned int)r),
		       tot[r]);
		any = true;
	}
	if (any)
		printf("\n");
}

void erdp_stats_print(struct erdp_dp *dp, double interval_s)
{
	rte_spinlock_lock(&sum_lock);
	erdp_stats_collect(dp);
	print_circuits(dp, interval_s);
	print_ports(dp);
	print_drop_reasons(dp);
	rte_spinlock_unlock(&sum_lock);
	printf("\n");
	fflush(stdout);
}

/* ---- JSON ---- */

static void json_ctr(FILE *f, const struct erdp_ctr *c, const uint64_t *d)
{
	fprintf(f,
		"\"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		", \"tx_bytes\": %" PRIu64 ", \"local_packets\": %" PRIu64 ", \"drops\": {",
		c->rx_pkts, c->rx_bytes, c->tx_pkts, c->tx_bytes, c->local_pkts);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		fprintf(f, "%s\"%s\": %" PRIu64, r > ERDP_DROP_FIRST ? ", " : "", erdp_drop_name((unsigned int)r),
			d[r]);
	fprintf(f, "}");
}

static void json_peerings(FILE *f, struct erdp_dp *dp)
{
	const struct erdp_config *cfg = dp->cfg;

	for (int i = 0; i < cfg->n_peerings; i++) {
		const struct erdp_peering_conf *pe = &cfg->peerings[i];
		struct erdp_ctr c;
		uint64_t d[ERDP_DROP_MAX];

		erdp_counters_peering(dp->sum, i, &c, d);
		fprintf(f,
			"%s\n    {\"name\": \"%s\", \"circuit\": \"%s\", \"type\": \"%s\", "
			"\"vlan\": %u, \"vrf\": \"%s\", ",
			i ? "," : "", pe->name, cfg->circuits[pe->circuit].name,
			erdp_peering_type_str(pe->type), pe->vlan, cfg->vrfs[pe->vrf].name);
		json_ctr(f, &c, d);
		fprintf(f, ", \"links\": {");
		for (unsigned int l = 0; l < ERDP_LINKS; l++) {
			unsigned int k = erdp_plink((unsigned int)i, l);

			fprintf(f, "%s\"%s\": {", l ? ", " : "", l ? "secondary" : "primary");
			json_ctr(f, &dp->sum->plink[k], dp->sum->plink_drop[k]);
			fprintf(f, "}");
		}
		fprintf(f, "}}");
	}
}

static void json_write(FILE *f, struct erdp_dp *dp)
{
	const struct erdp_config *cfg = dp->cfg;
	uint64_t tot[ERDP_DROP_MAX] = { 0 };

	fprintf(f, "{\n  \"ports\": [");
	for (int p = 0; p < cfg->n_ports; p++) {
		fprintf(f, "%s\n    {\"name\": \"%s\", \"role\": \"%s\", ", p ? "," : "",
			cfg->ports[p].name, erdp_role_str(cfg->ports[p].role));
		json_ctr(f, &dp->sum->port[p], dp->sum->port_drop[p]);
		fprintf(f, "}");
		for (int r = 0; r < ERDP_DROP_MAX; r++)
			tot[r] += dp->sum->port_drop[p][r];
	}
	fprintf(f, "\n  ],\n  \"circuits\": [");
	for (int i = 0; i < cfg->n_circuits; i++) {
		struct erdp_ctr c;
		uint64_t d[ERDP_DROP_MAX];

		erdp_counters_circuit(dp->sum, cfg, i, &c, d);
		fprintf(f, "%s\n    {\"name\": \"%s\", \"s_tag\": %u, ", i ? "," : "",
			cfg->circuits[i].name, cfg->circuits[i].s_tag);
		json_ctr(f, &c, d);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"peerings\": [");
	json_peerings(f, dp);
	fprintf(f, "\n  ],\n  \"drops\": {");
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		fprintf(f, "%s\"%s\": %" PRIu64, r > ERDP_DROP_FIRST ? ", " : "", erdp_drop_name((unsigned int)r),
			tot[r]);
	fprintf(f, "}\n}\n");
}

int erdp_stats_write_json(struct erdp_dp *dp, const char *path, struct erdp_err *err)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return erdp_errf(err, errno, "--stats-json %s: %s", path, strerror(errno));
	rte_spinlock_lock(&sum_lock);
	erdp_stats_collect(dp);
	json_write(f, dp);
	rte_spinlock_unlock(&sum_lock);
	if (fclose(f) != 0)
		return erdp_errf(err, errno, "--stats-json %s: %s", path, strerror(errno));
	return 0;
}

/* ---- telemetry ---- */

static void erdp_telemetry_init_neigh(void);

static void tel_ctr(struct rte_tel_data *d, const struct erdp_ctr *c, const uint64_t *drops)
{
	rte_tel_data_add_dict_u64(d, "rx_packets", c->rx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bytes", c->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", c->tx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_bytes", c->tx_bytes);
	rte_tel_data_add_dict_u64(d, "local_packets", c->local_pkts);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		if (drops[r] != 0)
			rte_tel_data_add_dict_u64(d, erdp_drop_name((unsigned int)r), drops[r]);
}

/* A dict of name -> dict of counters, for each item of a list. */
typedef void (*tel_item_fn)(struct erdp_dp *dp, int i, const char **name, struct erdp_ctr *c,
			    uint64_t *drops);

static void item_port(struct erdp_dp *dp, int i, const char **name, struct erdp_ctr *c,
		      uint64_t *drops)
{
	*name = dp->cfg->ports[i].name;
	*c = dp->sum->port[i];
	memcpy(drops, dp->sum->port_drop[i], sizeof(uint64_t) * ERDP_DROP_MAX);
}

static void item_circuit(struct erdp_dp *dp, int i, const char **name, struct erdp_ctr *c,
			 uint64_t *drops)
{
	*name = dp->cfg->circuits[i].name;
	erdp_counters_circuit(dp->sum, dp->cfg, i, c, drops);
}

static void item_peering(struct erdp_dp *dp, int i, const char **name, struct erdp_ctr *c,
			 uint64_t *drops)
{
	*name = dp->cfg->peerings[i].name;
	erdp_counters_peering(dp->sum, i, c, drops);
}

static int tel_list(struct rte_tel_data *d, int n, tel_item_fn fn, const char *only)
{
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&sum_lock);
	erdp_stats_collect(&erdp);
	for (int i = 0; i < n; i++) {
		struct rte_tel_data *sub;
		const char *name;
		struct erdp_ctr c;
		uint64_t drops[ERDP_DROP_MAX];

		fn(&erdp, i, &name, &c, drops);
		if (only != NULL && strcmp(only, name) != 0)
			continue;
		sub = rte_tel_data_alloc();
		if (sub == NULL)
			break;
		rte_tel_data_start_dict(sub);
		tel_ctr(sub, &c, drops);
		rte_tel_data_add_dict_container(d, name, sub, 0);
	}
	rte_spinlock_unlock(&sum_lock);
	return 0;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_list(d, erdp.cfg->n_ports, item_port, params);
}

static int tel_circuits(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_list(d, erdp.cfg->n_circuits, item_circuit, params);
}

static int tel_peerings(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return tel_list(d, erdp.cfg->n_peerings, item_peering, params);
}

static int tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t tot[ERDP_DROP_MAX] = { 0 };

	rte_spinlock_lock(&sum_lock);
	erdp_stats_collect(&erdp);
	for (int p = 0; p < erdp.cfg->n_ports; p++)
		for (int r = 0; r < ERDP_DROP_MAX; r++)
			tot[r] += erdp.sum->port_drop[p][r];
	rte_spinlock_unlock(&sum_lock);
	rte_tel_data_start_dict(d);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, erdp_drop_name((unsigned int)r), tot[r]);
	return 0;
}

int erdp_telemetry_init(struct erdp_dp *dp)
{
	(void)dp;
	rte_telemetry_register_cmd("/erdp/ports", tel_ports,
				   "Per-port counters. Parameter: optional port name");
	rte_telemetry_register_cmd("/erdp/circuits", tel_circuits,
				   "Per-circuit counters. Parameter: optional circuit name");
	rte_telemetry_register_cmd("/erdp/circuit", tel_circuits,
				   "Counters of one circuit. Parameter: circuit name");
	rte_telemetry_register_cmd("/erdp/peerings", tel_peerings,
				   "Per-peering counters. Parameter: optional 'circuit/type'");
	rte_telemetry_register_cmd("/erdp/peering", tel_peerings,
				   "Counters of one peering. Parameter: 'circuit/type'");
	rte_telemetry_register_cmd("/erdp/drops", tel_drops, "Drops by reason, all ports");
	erdp_telemetry_init_neigh();
	return 0;
}

/* ---- neighbours ---- */

static const char *neigh_state_str(uint8_t s)
{
	return s == ERDP_NEIGH_STATIC ? "static" : s == ERDP_NEIGH_REACHABLE ? "reachable" : "incomplete";
}

/* One link's entries: {ipv4: {ip, mac, state, age_s}, ipv6: {...}}. */
static struct rte_tel_data *tel_neigh_link(int peering, int link)
{
	const struct erdp_peering_conf *pe = &erdp.cfg->peerings[peering];
	struct rte_tel_data *d = rte_tel_data_alloc();
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (int v6 = 0; v6 < 2; v6++) {
		const struct erdp_neigh *n = erdp_neigh_get(&erdp, erdp_plink(peering, link), v6);
		char ip[INET6_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];
		struct rte_tel_data *e;

		if (v6 && !pe->has_v6)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			break;
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
		rte_tel_data_add_dict_string(e, "ip", ip);
		rte_tel_data_add_dict_string(e, "mac", n->state != ERDP_NEIGH_NONE ? mac : "");
		rte_tel_data_add_dict_string(e, "state", neigh_state_str(n->state));
		rte_tel_data_add_dict_u64(e, "age_s",
					  n->state == ERDP_NEIGH_REACHABLE ? (now - n->updated) / hz : 0);
		rte_tel_data_add_dict_container(d, v6 ? "ipv6" : "ipv4", e, 0);
	}
	return d;
}

/* /erdp/neighbors[,circuit/type]: per peering, per link, the customer's ARP/ND entry. */
static int tel_neighbors(const char *cmd, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (int p = 0; p < erdp.cfg->n_peerings; p++) {
		struct rte_tel_data *pd;

		if (params != NULL && *params != '\0' && strcmp(params, erdp.cfg->peerings[p].name))
			continue;
		pd = rte_tel_data_alloc();
		if (pd == NULL)
			break;
		rte_tel_data_start_dict(pd);
		for (int l = 0; l < ERDP_LINKS; l++) {
			struct rte_tel_data *ld = tel_neigh_link(p, l);

			if (ld != NULL)
				rte_tel_data_add_dict_container(pd, l ? "secondary" : "primary", ld, 0);
		}
		rte_tel_data_add_dict_container(d, erdp.cfg->peerings[p].name, pd, 0);
	}
	return 0;
}

static void erdp_telemetry_init_neigh(void)
{
	rte_telemetry_register_cmd("/erdp/neighbors", tel_neighbors,
				   "Customer ARP/ND entries per peering and link. Parameter: "
				   "optional 'circuit/type'");
}
