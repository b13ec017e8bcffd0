/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib_bench: lookup cycles, insert rate and memory of the lib/fib layouts.
 *
 *   fib_bench --no-huge -m 4096 --file-prefix fibbench$$ -l 0 --no-pci
 *
 * Candidates, all through the erdp_fib API (bulk of 32, rte_rdtsc):
 *  - "dedicated": the VRF has its own rte_fib DIR24_8 (IPv4) / rte_fib6
 *    TRIE (IPv6), i.e. one DPDK table per VRF;
 *  - "shared": the VRF lives in the keyed rte_fib6 TRIE [vrf:16][addr];
 *  - "shared, 1024 VRFs": 1,024 customer VRFs x 1,000 routes, each burst
 *    mixing random VRFs (the case per-VRF bulk calls cannot serve).
 * Destinations are random addresses inside installed prefixes.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "erdp_fib.h"
#include "fib_gen.h"

#define BURST	32
#define N_DEST	(1u << 20)
#define ROUNDS	4
#define N_CUST	1024u
#define PER_VRF 1000u

struct dests {
	uint16_t *vrf;
	uint32_t *a4;
	uint8_t (*a6)[16];
};

static struct erdp_fib *make(int fam, const char *name, unsigned int n_vrfs, uint32_t cap0,
			     uint32_t cap, uint32_t ded_min)
{
	uint32_t *caps = calloc(n_vrfs, sizeof(*caps));
	struct erdp_fib_params p = {.name = name,
				    .socket_id = SOCKET_ID_ANY,
				    .n_vrfs = n_vrfs,
				    .capacity = caps,
				    .dedicated_min = ded_min};
	struct erdp_err err;
	struct erdp_fib *f;

	caps[0] = cap0;
	for (unsigned int v = 1; v < n_vrfs; v++)
		caps[v] = cap;
	f = erdp_fib_create(fam, &p, &err);
	if (f == NULL)
		fprintf(stderr, "create %s: %s\n", name, err.msg);
	free(caps);
	return f;
}

static double cycles_per_lookup4(struct erdp_fib *f, const struct dests *d)
{
	uint32_t nh[BURST];
	uint64_t t, sink = 0;
	unsigned int r, i;

	erdp_fib4_lookup_bulk(f, d->vrf, d->a4, nh, BURST); /* warm code */
	t = rte_rdtsc();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < N_DEST; i += BURST) {
			erdp_fib4_lookup_bulk(f, d->vrf + i, d->a4 + i, nh, BURST);
			sink += nh[i & (BURST - 1)];
		}
	t = rte_rdtsc() - t;
	if (sink == 1)
		printf(" ");
	return (double)t / ((double)ROUNDS * N_DEST);
}

static double cycles_per_lookup6(struct erdp_fib *f, const struct dests *d)
{
	uint32_t nh[BURST];
	uint64_t t, sink = 0;
	unsigned int r, i;

	t = rte_rdtsc();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < N_DEST; i += BURST) {
			erdp_fib6_lookup_bulk(f, d->vrf + i, (const uint8_t(*)[16])d->a6 + i, nh,
					      BURST);
			sink += nh[i & (BURST - 1)];
		}
	t = rte_rdtsc() - t;
	if (sink == 1)
		printf(" ");
	return (double)t / ((double)ROUNDS * N_DEST);
}

/* Load the 1M Internet table into VRF 0; destinations inside its prefixes. */
static void load_inet4(struct erdp_fib *f, struct dests *d, const char *what)
{
	uint64_t seed = 4, t;
	uint32_t a, n = 0, tries = 0;
	uint8_t len;

	t = rte_rdtsc();
	while (erdp_fib_count(f, 0) < 1000000u && tries++ < 2000000u) {
		gen4_inet(&seed, &a, &len);
		erdp_fib4_add(f, 0, a, len, tries & 0xfffff);
		if (n < N_DEST) {
			d->vrf[n] = 0;
			d->a4[n++] = a | ((uint32_t)rnd64(&seed) & (len < 32 ? ~0u >> len : 0));
		}
	}
	t = rte_rdtsc() - t;
	printf("%-28s insert %u routes: %.2f s, %.0f routes/s; memory %.1f MiB\n", what,
	       erdp_fib_count(f, 0), (double)t / rte_get_tsc_hz(),
	       erdp_fib_count(f, 0) / ((double)t / rte_get_tsc_hz()),
	       erdp_fib_memory(f) / 1048576.0);
}

static void bench_inet4(uint32_t ded_min, const char *what, struct dests *d)
{
	struct erdp_fib *f = make(4, ded_min ? "bs4" : "bd4", 1, 1000000u, 0, ded_min);

	if (f == NULL)
		return;
	load_inet4(f, d, what);
	for (int k = 0; k < 3; k++)
		printf("%-28s lookup: %.1f cycles/lookup\n", what, cycles_per_lookup4(f, d));
	erdp_fib_free(f);
}

static void bench_vrfs4(struct dests *d)
{
	const char *what = "ipv4 shared, 1024 VRFs";
	struct erdp_fib *f = make(4, "bv4", N_CUST + 1, 0, PER_VRF, 0);
	uint64_t seed, t, mem0 = f ? erdp_fib_memory(f) : 0;
	uint32_t a, i;
	uint8_t len;
	uint16_t v;

	if (f == NULL)
		return;
	printf("%-28s created: %.1f MiB (%u VRFs x %u routes capacity)\n", what, mem0 / 1048576.0,
	       N_CUST, PER_VRF);
	t = rte_rdtsc();
	for (v = 1; v <= N_CUST; v++) {
		seed = 1000 + v;
		while (erdp_fib_count(f, v) < PER_VRF) {
			gen4_vrf(&seed, &a, &len);
			if (erdp_fib4_add(f, v, a, len, v) != 0)
				break;
		}
	}
	t = rte_rdtsc() - t;
	printf("%-28s insert %u routes: %.0f routes/s\n", what, N_CUST * PER_VRF,
	       N_CUST * PER_VRF / ((double)t / rte_get_tsc_hz()));
	/* destinations: random VRF per packet, address inside one of its routes */
	for (i = 0; i < N_DEST; i++) {
		uint64_t s2;

		v = (uint16_t)(1 + rnd64(&seed) % N_CUST);
		s2 = 1000 + v;
		for (uint32_t k = (uint32_t)(rnd64(&seed) % 50); k > 0; k--)
			gen4_vrf(&s2, &a, &len);
		gen4_vrf(&s2, &a, &len);
		d->vrf[i] = v;
		d->a4[i] = a | ((uint32_t)rnd64(&seed) & (len < 32 ? ~0u >> len : 0));
	}
	for (int k = 0; k < 3; k++)
		printf("%-28s lookup (mixed VRFs): %.1f cycles/lookup\n", what,
		       cycles_per_lookup4(f, d));
	erdp_fib_free(f);
}

static void bench_inet6(uint32_t ded_min, const char *what, struct dests *d)
{
	struct erdp_fib *f = make(6, ded_min ? "bs6" : "bd6", 1, 100000u, 0, ded_min);
	uint64_t seed = 6, t;
	uint32_t n = 0, tries = 0;
	uint8_t a[16], len;

	if (f == NULL)
		return;
	t = rte_rdtsc();
	while (erdp_fib_count(f, 0) < 100000u && tries++ < 400000u) {
		gen6_inet(&seed, a, &len);
		erdp_fib6_add(f, 0, a, len, tries);
		d->vrf[n] = 0;
		memcpy(d->a6[n], a, 16);
		if (len <= 120)
			d->a6[n][15] = (uint8_t)rnd64(&seed);
		n++;
	}
	for (uint32_t i = n; i < N_DEST; i++) { /* repeat the covered set */
		d->vrf[i] = 0;
		memcpy(d->a6[i], d->a6[rnd64(&seed) % n], 16);
	}
	t = rte_rdtsc() - t;
	printf("%-28s insert %u routes: %.0f routes/s; memory %.1f MiB\n", what,
	       erdp_fib_count(f, 0), erdp_fib_count(f, 0) / ((double)t / rte_get_tsc_hz()),
	       erdp_fib_memory(f) / 1048576.0);
	for (int k = 0; k < 3; k++)
		printf("%-28s lookup: %.1f cycles/lookup\n", what, cycles_per_lookup6(f, d));
	erdp_fib_free(f);
}

/* Fixed cost of a VRF and cost per route of capacity, from two sizes. */
static void bench_memory(int fam)
{
	struct erdp_fib *a = make(fam, "bma", 1024, 0, 0, 0);
	struct erdp_fib *b = make(fam, "bmb", 2048, 0, 0, 0);
	struct erdp_fib *c = make(fam, "bmc", 1024, 0, 100, 0);
	struct erdp_fib *e = make(fam, "bme", 1024, 0, 200, 0);

	if (a && b && c && e)
		printf("ipv%d memory: empty VRF %.1f B; shared route (capacity) %.0f B; "
		       "1024 VRFs x 100 routes %.1f MiB\n",
		       fam, (double)(erdp_fib_memory(b) - erdp_fib_memory(a)) / 1024,
		       (double)(erdp_fib_memory(e) - erdp_fib_memory(c)) / (1024 * 100),
		       erdp_fib_memory(c) / 1048576.0);
	erdp_fib_free(a);
	erdp_fib_free(b);
	erdp_fib_free(c);
	erdp_fib_free(e);
}

int main(int argc, char **argv)
{
	struct dests d;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	d.vrf = malloc(N_DEST * sizeof(*d.vrf));
	d.a4 = malloc(N_DEST * sizeof(*d.a4));
	d.a6 = malloc(N_DEST * sizeof(*d.a6));
	printf("TSC %.2f GHz, bulk %u, %u destinations x %u rounds\n", rte_get_tsc_hz() / 1e9,
	       BURST, N_DEST, ROUNDS);
	bench_inet4(0, "ipv4 1M dedicated DIR24_8", &d);
	bench_inet4(UINT32_MAX, "ipv4 1M shared keyed trie", &d);
	bench_vrfs4(&d);
	bench_inet6(0, "ipv6 100k dedicated trie", &d);
	bench_inet6(UINT32_MAX, "ipv6 100k shared keyed trie", &d);
	bench_memory(4);
	bench_memory(6);
	free(d.vrf);
	free(d.a4);
	free(d.a6);
	rte_eal_cleanup();
	return 0;
}
