/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter read-out: periodic table and JSON file at exit (telemetry.c
 * serves the same counters live). All readers sum the per-lcore blocks
 * into dp->sum under erdp_stats_lock (telemetry runs on its own thread,
 * the table on the main lcore).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "slowpath/slowpath.h"
#include "telemetry.h"

rte_spinlock_t erdp_stats_lock = RTE_SPINLOCK_INITIALIZER;
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
	uint64_t tot[ERDP_DROP_MAX] = {0};
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
	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(dp);
	print_circuits(dp, interval_s);
	print_ports(dp);
	print_drop_reasons(dp);
	rte_spinlock_unlock(&erdp_stats_lock);
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
		fprintf(f, "%s\"%s\": %" PRIu64, r > ERDP_DROP_FIRST ? ", " : "",
			erdp_drop_name((unsigned int)r), d[r]);
	fprintf(f, "}");
}

/* A peering link's host interface (bgp.enabled): what it passed each way. */
static void json_host(FILE *f, const struct erdp_dp *dp, unsigned int plink)
{
	struct erdp_host_info hi;

	erdp_host_link_info(dp, plink, &hi);
	if (!hi.present)
		return;
	fprintf(f,
		", \"host\": {\"interface\": \"%s\", \"namespace\": \"%s\", \"rx_packets\": "
		"%" PRIu64 ", \"rx_bytes\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		", \"tx_bytes\": %" PRIu64 "}",
		hi.ifname, hi.netns, hi.rx_pkts, hi.rx_bytes, hi.tx_pkts, hi.tx_bytes);
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
			json_host(f, dp, k);
			fprintf(f, "}");
		}
		fprintf(f, "}}");
	}
}

/* Average rates over the run: packets and bits per second (bits of the frames, no FCS). */
static void json_rates(FILE *f, const struct erdp_ctr *c, double seconds)
{
	double s = seconds > 0 ? seconds : 1;

	fprintf(f, ", \"rx_pps\": %.0f, \"tx_pps\": %.0f, \"rx_bps\": %.0f, \"tx_bps\": %.0f",
		(double)c->rx_pkts / s, (double)c->tx_pkts / s, (double)c->rx_bytes * 8 / s,
		(double)c->tx_bytes * 8 / s);
}

/* Per worker: frames, loop time with packets (TSC cycles) and what that makes per frame. */
static void json_workers(FILE *f, struct erdp_dp *dp)
{
	unsigned int lcore, k = 0;

	fprintf(f, "\n  \"workers\": [");
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		const struct erdp_worker *w = dp->workers[lcore];

		if (w == NULL)
			continue;
		fprintf(f,
			"%s\n    {\"lcore\": %u, \"rx_packets\": %" PRIu64
			", \"busy_cycles\": %" PRIu64 ", \"idle_polls\": %" PRIu64
			", \"busy_cycles_per_packet\": %.1f}",
			k++ ? "," : "", lcore, w->rx_pkts, w->busy_cycles, w->idle_polls,
			w->rx_pkts ? (double)w->busy_cycles / (double)w->rx_pkts : 0.0);
	}
	fprintf(f, "\n  ],\n  \"tsc_hz\": %" PRIu64 ",", rte_get_tsc_hz());
}

static void json_write(FILE *f, struct erdp_dp *dp, double seconds)
{
	const struct erdp_config *cfg = dp->cfg;
	uint64_t tot[ERDP_DROP_MAX] = {0};

	fprintf(f, "{\n  \"seconds\": %.6f,", seconds);
	json_workers(f, dp);
	fprintf(f, "\n  \"ports\": [");
	for (int p = 0; p < cfg->n_ports; p++) {
		fprintf(f, "%s\n    {\"name\": \"%s\", \"role\": \"%s\", ", p ? "," : "",
			cfg->ports[p].name, erdp_role_str(cfg->ports[p].role));
		json_ctr(f, &dp->sum->port[p], dp->sum->port_drop[p]);
		json_rates(f, &dp->sum->port[p], seconds);
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
		fprintf(f, "%s\"%s\": %" PRIu64, r > ERDP_DROP_FIRST ? ", " : "",
			erdp_drop_name((unsigned int)r), tot[r]);
	fprintf(f, "}\n}\n");
}

int erdp_stats_write_json(struct erdp_dp *dp, const char *path, double seconds,
			  struct erdp_err *err)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return erdp_errf(err, errno, "--stats-json %s: %s", path, strerror(errno));
	rte_spinlock_lock(&erdp_stats_lock);
	erdp_stats_collect(dp);
	json_write(f, dp, seconds);
	rte_spinlock_unlock(&erdp_stats_lock);
	if (fclose(f) != 0)
		return erdp_errf(err, errno, "--stats-json %s: %s", path, strerror(errno));
	return 0;
}
