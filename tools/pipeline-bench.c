/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline-bench: erdp's per-packet pipeline on pre-built mbufs, no RX PMD.
 *
 * Loads a config (ports should be net_null vdevs: TX is the sink), builds
 * a set of frames from the config's own routes (customer -> gateway IPv4 or
 * IPv6, or gateway -> customer), then runs the real burst stages from
 * app/erdp/datapath/ and reports TSC cycles per packet for each stage:
 *   parse (classify + L3 checks), lookup (bulk LPM), forward (next hop +
 *   rewrite + TX buffer), tx (flush to the sink PMD).
 * Refilling mbufs between bursts is not timed. Figures are medians of
 * --rounds rounds so that noise from a shared machine shows as spread.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "datapath/datapath.h"
#include "setup/setup.h"
#include "telemetry/telemetry.h"

enum mix { MIX_V4, MIX_V6, MIX_RETURN };

struct frame {
	uint8_t cfg_port;
	uint16_t len;
	uint8_t data[128];
};

struct bench {
	enum mix mix;
	unsigned int n_frames;
	struct frame *frames;
	unsigned int rounds;
	unsigned int bursts; /* per round */
	uint16_t burst;
};

static uint16_t cksum16(const void *p, unsigned int len)
{
	return (uint16_t)~rte_raw_cksum(p, len);
}

/* A random address inside an IPv4 prefix (host bits random). */
static uint32_t addr_in4(const struct erdp_prefix4 *p)
{
	uint32_t host = p->len == 32 ? 0 : (uint32_t)rte_rand() & (0xffffffffu >> p->len);

	return p->addr | host;
}

static void addr_in6(const struct erdp_prefix6 *p, uint8_t out[16])
{
	memcpy(out, p->addr, 16);
	for (int b = p->len; b < 128; b++)
		if (rte_rand() & 1)
			out[b / 8] |= (uint8_t)(0x80 >> (b % 8));
}

/* Destination: the port's MAC (a router drops the rest); source: any unicast MAC. */
static void l2_addrs(uint8_t *f, uint8_t port)
{
	memcpy(f, erdp.port[port].mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memset(f + RTE_ETHER_ADDR_LEN, 0x02, RTE_ETHER_ADDR_LEN);
}

/* L2 of a frame arriving on an ER link of a peering, or on a gateway instance's port. */
static int l2_customer(const struct erdp_config *cfg, int peering, uint8_t *f, uint8_t *port)
{
	const struct erdp_peering_conf *pe = &cfg->peerings[peering];
	int o = 12;

	*port = (uint8_t)cfg->pair.primary_port;
	l2_addrs(f, *port);
	f[o++] = (uint8_t)(cfg->pair.outer_tpids[0] >> 8);
	f[o++] = (uint8_t)cfg->pair.outer_tpids[0];
	if (cfg->pair.encap == ERDP_ENCAP_QINQ) {
		uint16_t s = cfg->circuits[pe->circuit].s_tag;

		f[o++] = (uint8_t)(s >> 8);
		f[o++] = (uint8_t)s;
		f[o++] = 0x81;
		f[o++] = 0x00;
	}
	f[o++] = (uint8_t)(pe->vlan >> 8);
	f[o++] = (uint8_t)pe->vlan;
	return o;
}

static int l2_gateway(const struct erdp_config *cfg, int gw, uint8_t *f, uint8_t *port)
{
	const struct erdp_gw_instance_conf *in = &cfg->gateways[gw].inst[0];
	int o = 12;

	*port = (uint8_t)in->port;
	l2_addrs(f, *port);
	if (in->vlan != 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(in->vlan >> 8);
		f[o++] = (uint8_t)in->vlan;
	}
	return o;
}

/* IPv4/IPv6 + UDP, padded to a 60-byte frame (64 with FCS). */
static uint16_t l3_udp(uint8_t *f, int o, bool v6, const void *src, const void *dst, uint16_t sport)
{
	uint8_t *ip = f + o + 2;
	uint8_t *udp;

	f[o] = v6 ? 0x86 : 0x08;
	f[o + 1] = v6 ? 0xdd : 0x00;
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[5] = 8 + 6;
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		udp = ip + 40;
	} else {
		uint32_t s = rte_cpu_to_be_32(*(const uint32_t *)src);
		uint32_t d = rte_cpu_to_be_32(*(const uint32_t *)dst);

		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[3] = 20 + 8 + 6;
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, &s, 4);
		memcpy(ip + 16, &d, 4);
		uint16_t c = cksum16(ip, 20);

		memcpy(ip + 10, &c, 2);
		udp = ip + 20;
	}
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = 0x12;
	udp[3] = 0x34;
	udp[4] = 0;
	udp[5] = 8 + 6;
	memset(udp + 6, 0, 8);
	uint16_t len = (uint16_t)(udp + 8 + 6 - f);

	return len < 60 ? 60 : len;
}

/* Routes of the config grouped by what they point at, to draw destinations from. */
static int pick_route(const struct erdp_config *cfg, int vrf, bool v6, enum erdp_route_target t)
{
	int n = 0, pick = -1;

	/* Reservoir sampling over matching routes: uniform, one pass. */
	for (int r = 0; r < cfg->n_routes; r++) {
		const struct erdp_route_conf *rc = &cfg->routes[r];

		if (rc->vrf != vrf || rc->v6 != v6 || rc->target != t)
			continue;
		if (rte_rand_max((uint64_t)++n) == 0)
			pick = r;
	}
	return pick;
}

static int build_frames(const struct erdp_config *cfg, struct bench *b)
{
	b->frames = calloc(b->n_frames, sizeof(*b->frames));
	if (b->frames == NULL)
		return -1;
	for (unsigned int i = 0; i < b->n_frames; i++) {
		struct frame *fr = &b->frames[i];
		bool v6 = b->mix == MIX_V6;
		int r = -1, o, tries = 0;
		uint8_t src[16] = {0}, dst[16] = {0};

		while (r < 0 && tries++ < 1000) {
			if (b->mix == MIX_RETURN) {
				int g = (int)rte_rand_max((uint64_t)cfg->n_gateways);

				r = pick_route(cfg, cfg->gateways[g].vrf, false,
					       ERDP_TARGET_PEERING);
				if (r >= 0)
					o = l2_gateway(cfg, g, fr->data, &fr->cfg_port);
			} else {
				int p = (int)rte_rand_max((uint64_t)cfg->n_peerings);

				r = pick_route(cfg, cfg->peerings[p].vrf, v6, ERDP_TARGET_GATEWAY);
				if (r >= 0)
					o = l2_customer(cfg, p, fr->data, &fr->cfg_port);
			}
		}
		if (r < 0) {
			fprintf(stderr, "pipeline-bench: the config has no route for this mix\n");
			return -1;
		}
		if (v6) {
			addr_in6(&cfg->routes[r].p6, dst);
			src[0] = 0xfd;
			src[15] = (uint8_t)i;
		} else {
			uint32_t d = addr_in4(&cfg->routes[r].p4), s = 0x0a000000u | (i & 0xffff);

			memcpy(dst, &d, 4);
			memcpy(src, &s, 4);
		}
		fr->len = l3_udp(fr->data, o, v6, src, dst, (uint16_t)(1024 + i));
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define STAGES 4
static const char *const stage_name[STAGES] = {"parse", "lookup", "forward", "tx"};

/* One round: `bursts` bursts; per-stage cycles summed into t[]. */
static int run_round(struct bench *b, struct erdp_worker *w, uint64_t t[STAGES], uint64_t *pkts)
{
	struct rte_mbuf *m[ERDP_BURST_MAX];
	unsigned int next = 0;

	for (unsigned int k = 0; k < b->bursts; k++) {
		const struct frame *fr = &b->frames[next];
		uint16_t n = b->burst;
		struct erdp_burst bc;
		uint64_t c0, c1, c2, c3, c4;

		/* A burst arrives on one port: take frames of the same port. */
		if (rte_pktmbuf_alloc_bulk(erdp.pool, m, n) != 0)
			return -1;
		for (uint16_t i = 0; i < n; i++) {
			fr = &b->frames[next];
			next = (next + 1) % b->n_frames;
			memcpy(rte_pktmbuf_append(m[i], fr->len), fr->data, fr->len);
		}
		c0 = rte_rdtsc_precise();
		erdp_stage_parse(&bc, &erdp, w,
				 b->frames[(next + b->n_frames - n) % b->n_frames].cfg_port, m, n);
		c1 = rte_rdtsc();
		erdp_stage_lookup(&bc);
		c2 = rte_rdtsc();
		erdp_stage_forward(&bc, m);
		c3 = rte_rdtsc();
		erdp_tx_flush(&erdp, w);
		c4 = rte_rdtsc_precise();
		t[0] += c1 - c0;
		t[1] += c2 - c1;
		t[2] += c3 - c2;
		t[3] += c4 - c3;
		*pkts += n;
	}
	return 0;
}

static void usage(void)
{
	printf("usage: pipeline-bench -c CONFIG [--mix v4|v6|return] [--frames N] [--rounds N]\n"
	       "                      [--bursts N] [--json FILE] [-- EAL args]\n"
	       "Times erdp's pipeline stages on pre-built mbufs; ports in CONFIG should be\n"
	       "net_null vdevs (the TX sink). All frames of a round use the same ingress\n"
	       "port kind as the mix: ER links for v4/v6, gateway ports for return.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"mix", required_argument, NULL, 'm'},
		{"frames", required_argument, NULL, 'f'},
		{"rounds", required_argument, NULL, 'r'},
		{"bursts", required_argument, NULL, 'b'},
		{"json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bench b = {.mix = MIX_V4, .n_frames = 8192, .rounds = 7, .bursts = 20000};
	const char *config = NULL, *json = NULL;
	struct erdp_err err = {0};
	char *eal[64] = {argv[0]};
	int c, n_eal = 1;

	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'm':
			b.mix = !strcmp(optarg, "v6")	    ? MIX_V6
				: !strcmp(optarg, "return") ? MIX_RETURN
							    : MIX_V4;
			break;
		case 'f':
			b.n_frames = (unsigned int)atoi(optarg);
			break;
		case 'r':
			b.rounds = (unsigned int)atoi(optarg);
			break;
		case 'b':
			b.bursts = (unsigned int)atoi(optarg);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 1;
		}
	}
	if (config == NULL || b.n_frames == 0 || b.rounds == 0 || b.rounds > 101) {
		usage();
		return 1;
	}
	if (erdp_config_load(config, &erdp.cfg, &err) != 0) {
		fprintf(stderr, "pipeline-bench: %s\n", err.msg);
		return 1;
	}
	eal[n_eal++] = "--no-pci";
	for (int i = 0; i < erdp.cfg->n_ports && n_eal < 60; i++) {
		eal[n_eal++] = "--vdev";
		eal[n_eal++] = erdp.cfg->ports[i].device;
	}
	for (int i = optind; i < argc && n_eal < 63; i++)
		eal[n_eal++] = argv[i];
	if (rte_eal_init(n_eal, eal) < 0 || rte_lcore_count() < 2) {
		fprintf(stderr,
			"pipeline-bench: EAL init failed or fewer than 2 lcores (-l 0-1)\n");
		return 1;
	}
	if (erdp_dp_setup(&erdp, &err) != 0) {
		fprintf(stderr, "pipeline-bench: %s\n", err.msg);
		return 1;
	}
	b.burst = erdp.burst;
	rte_srand(42);
	if (build_frames(erdp.cfg, &b) != 0)
		return 1;
	/* The first worker's context, driven from this lcore (workers are not launched). */
	struct erdp_worker *w = erdp.workers[rte_get_next_lcore(-1, 1, 0)];
	uint64_t per[STAGES][101], tot[101];

	run_round(&b, w, (uint64_t[STAGES]){0}, &(uint64_t){0}); /* warm caches */
	for (unsigned int r = 0; r < b.rounds; r++) {
		uint64_t t[STAGES] = {0}, pkts = 0;

		if (run_round(&b, w, t, &pkts) != 0) {
			fprintf(stderr, "pipeline-bench: mbuf pool exhausted\n");
			return 1;
		}
		tot[r] = 0;
		for (int s = 0; s < STAGES; s++) {
			per[s][r] = t[s] * 100 / pkts; /* centi-cycles per packet */
			tot[r] += per[s][r];
		}
	}
	FILE *jf = json != NULL ? fopen(json, "w") : NULL;
	double hz = (double)rte_get_tsc_hz();

	printf("mix=%s frames=%u burst=%u rounds=%u tsc=%.2f GHz\n",
	       b.mix == MIX_V6	     ? "v6"
	       : b.mix == MIX_RETURN ? "return"
				     : "v4",
	       b.n_frames, b.burst, b.rounds, hz / 1e9);
	printf("%-8s %10s %10s %10s\n", "stage", "median", "min", "max");
	if (jf != NULL)
		fprintf(jf, "{\"mix\": \"%s\", \"tsc_hz\": %.0f, \"cycles_per_packet\": {",
			b.mix == MIX_V6	      ? "v6"
			: b.mix == MIX_RETURN ? "return"
					      : "v4",
			hz);
	for (int s = 0; s <= STAGES; s++) {
		uint64_t *v = s < STAGES ? per[s] : tot;

		qsort(v, b.rounds, sizeof(uint64_t), cmp_u64);
		printf("%-8s %10.1f %10.1f %10.1f\n", s < STAGES ? stage_name[s] : "total",
		       v[b.rounds / 2] / 100.0, v[0] / 100.0, v[b.rounds - 1] / 100.0);
		if (jf != NULL)
			fprintf(jf, "%s\"%s\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}",
				s ? ", " : "", s < STAGES ? stage_name[s] : "total",
				v[b.rounds / 2] / 100.0, v[0] / 100.0, v[b.rounds - 1] / 100.0);
	}
	printf("pipeline-only rate at this TSC: %.1f Mpps per core\n",
	       hz / (tot[b.rounds / 2] / 100.0) / 1e6);
	if (jf != NULL) {
		fprintf(jf, "}}\n");
		fclose(jf);
	}
	erdp_stats_collect(&erdp);
	uint64_t drops = 0, by_reason[ERDP_DROP_MAX] = {0};

	for (int p = 0; p < erdp.cfg->n_ports; p++)
		for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++) {
			drops += erdp.sum->port_drop[p][r];
			by_reason[r] += erdp.sum->port_drop[p][r];
		}
	printf("frames dropped by the pipeline: %" PRIu64 " (should be 0 for a clean workload)\n",
	       drops);
	for (int r = ERDP_DROP_FIRST; r < ERDP_DROP_MAX; r++)
		if (by_reason[r] != 0)
			printf("  %s: %" PRIu64 "\n", erdp_drop_name((unsigned int)r),
			       by_reason[r]);
	return 0;
}
