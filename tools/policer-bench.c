/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policer-bench: what lib/policer costs and how accurate it is.
 *
 *   cost      TSC cycles per frame of erdp_policer_admit() in a burst loop
 *             shaped like the fast path (one `now` per burst of 32): no
 *             object on (the per-burst check only), the frame's object off,
 *             on under the trigger, on and throttled; one hot object, or
 *             frames spread over many objects (cache misses, with and
 *             without a prefetch pass). Medians of --rounds rounds.
 *   accuracy  a simulation with a synthetic clock: offered 1.1x, 1.5x and
 *             3x of the bandwidth over 1, 2 and 4 simulated workers, IMIX
 *             frames in RX bursts of 1..32, uneven RSS shares, worker clocks
 *             a few microseconds apart. Reports output / bandwidth for each
 *             1 s window; --check fails unless every window above the
 *             trigger is within 3% and nothing is dropped below it.
 *
 * Needs no EAL: the policer's memory comes from the heap and the clock of
 * the cost runs is synthetic too (the cost of an admit does not depend on
 * where `now` comes from; the fast path reads the TSC once per burst anyway).
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "erdp_policer.h"

#define BURST		32
#define SIM_HZ		3000000000ull /* a 3 GHz TSC */
#define MAX_SIM_WORKERS 16
#define TOLERANCE	0.03 /* output within 3% of the bandwidth */

struct opts {
	unsigned int rounds;
	unsigned int frames; /* per cost round */
	unsigned int objects;
	unsigned int seconds;
	unsigned int gbps; /* accuracy at this bandwidth only; 0: 1G and 10G */
	bool cost, accuracy, check;
};

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct erdp_policer *mk(uint32_t n_objects, uint32_t n_workers, uint64_t hz)
{
	struct erdp_policer_conf c = {
		.hz = hz, .n_objects = n_objects, .n_workers = n_workers, .heap = true};
	struct erdp_err err;
	struct erdp_policer *p = erdp_policer_create(&c, &err);

	if (p == NULL) {
		fprintf(stderr, "policer-bench: %s\n", err.msg);
		exit(1);
	}
	return p;
}

/* ---- cost ---- */

enum cost_case { NONE_ON, OBJ_OFF, UNDER, THROTTLED, N_CASES };
static const char *const case_name[N_CASES] = {"no object on", "object off", "on, 1.0x",
					       "on, 3x (throttled)"};
static const uint32_t case_load_pm[N_CASES] = {1000, 1000, 1000, 3000};

struct cost_run {
	struct erdp_policer *p;
	uint32_t *obj;
	uint32_t frames;
	uint32_t len;
	bool prefetch;
	uint64_t tick_per_burst; /* synthetic clock step giving the case's load */
	uint64_t now;
	uint64_t sink;
};

/* One round: every frame once, in bursts; returns TSC cycles per frame. */
static double cost_round(struct cost_run *r)
{
	struct erdp_policer_worker *w = erdp_policer_worker(r->p, 0);
	uint64_t t0 = rte_rdtsc(), passed = 0;

	for (uint32_t b = 0; b + BURST <= r->frames; b += BURST) {
		const uint32_t *obj = &r->obj[b];

		r->now += r->tick_per_burst;
		if (!erdp_policer_active(r->p)) {
			passed += BURST;
			continue;
		}
		if (r->prefetch)
			for (int i = 0; i < BURST; i++) {
				erdp_policer_prefetch_word(r->p, obj[i]);
				erdp_policer_prefetch_ws(w, obj[i]);
			}
		for (int i = 0; i < BURST; i++)
			passed += erdp_policer_admit(r->p, w, obj[i], r->now, r->len);
	}
	r->sink += passed;
	return (double)(rte_rdtsc() - t0) / r->frames;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median cycles per frame; *pass_share: the share of frames passed in the measured rounds. */
static double cost_case_run(const struct opts *o, enum cost_case c, uint32_t n_obj, uint32_t len,
			    bool prefetch, double *pass_share)
{
	const uint64_t kbps = 10000000;	      /* 10 Gbps objects, as tools/gen-bench-config.py */
	const uint64_t hz = 1000000000000ull; /* synthetic picosecond clock: fine load steps */
	struct cost_run r = {.frames = o->frames, .len = len, .prefetch = prefetch};
	double *cyc = calloc(o->rounds, sizeof(*cyc)), med;
	uint64_t seed = 42;

	/* Objects 0..n_obj-1 carry the frames; object n_obj is on in case OBJ_OFF. */
	r.p = mk(n_obj + 1, 1, hz);
	r.obj = calloc(o->frames, sizeof(*r.obj));
	for (uint32_t i = 0; i < o->frames; i++)
		r.obj[i] = n_obj == 1 ? 0 : (uint32_t)(rng(&seed) % n_obj);
	for (uint32_t k = 0; k <= n_obj; k++)
		if ((c == OBJ_OFF && k == n_obj) || (c >= UNDER && k < n_obj))
			erdp_policer_set(r.p, k, kbps, true, 0, NULL);
	/*
	 * Throttled case: start in the steady state. Drain both buckets of every
	 * object with the largest frames (throttle, then first drop), so that the
	 * measured rounds find the objects throttled whatever their share.
	 */
	if (c == THROTTLED)
		for (uint32_t k = 0; k < n_obj; k++)
			while (erdp_policer_admit(r.p, erdp_policer_worker(r.p, 0), k, 0,
						  ERDP_POLICER_MAX_FRAME))
				;
	/* Each object gets load x its rate: a burst of BURST frames spread over n_obj. */
	r.tick_per_burst = (uint64_t)((double)BURST * len * 8 * hz / ((double)kbps * 1000) /
				      (case_load_pm[c] / 1000.0) / n_obj);
	cost_round(&r); /* warm-up: reach the steady state, fault the memory in */
	r.sink = 0;
	for (unsigned int i = 0; i < o->rounds; i++)
		cyc[i] = cost_round(&r);
	qsort(cyc, o->rounds, sizeof(*cyc), cmp_double);
	med = cyc[o->rounds / 2];
	*pass_share = (double)r.sink / ((double)o->rounds * (o->frames / BURST * BURST));
	free(cyc);
	free(r.obj);
	erdp_policer_free(r.p);
	return med;
}

static void run_cost(const struct opts *o)
{
	static const uint32_t lens[] = {64, 1500};

	printf("cost: TSC cycles per frame (median of %u rounds of %u frames), bursts of %d\n",
	       o->rounds, o->frames, BURST);
	printf("%-20s %6s %16s %16s %16s\n", "case", "frame", "1 object", "objects",
	       "objects+pref");
	for (int c = 0; c < N_CASES; c++)
		for (unsigned int l = 0; l < 2; l++) {
			double s1, s2, s3, one, many, pref;

			one = cost_case_run(o, (enum cost_case)c, 1, lens[l], false, &s1);
			many = cost_case_run(o, (enum cost_case)c, o->objects, lens[l], false, &s2);
			pref = cost_case_run(o, (enum cost_case)c, o->objects, lens[l], true, &s3);
			printf("%-20s %6u %7.2f (%5.1f%%) %7.2f (%5.1f%%) %7.2f (%5.1f%%)\n",
			       case_name[c], lens[l], one, s1 * 100, many, s2 * 100, pref,
			       s3 * 100);
		}
	printf("(in parentheses: frames passed. objects: frames spread at random over %u objects,\n"
	       " each at the case's load; throttled ones start with both buckets drained, so "
	       "their\n"
	       " short runs are in the first takes of the throttle, not yet at 1/3 passed)\n\n",
	       o->objects);
}

/* ---- accuracy ---- */

struct sim_result {
	double min_ratio, max_ratio; /* output / bandwidth over 1 s windows */
	uint64_t drops;
	bool ok;
};

/* IMIX: 7 x 64, 4 x 576, 1 x 1500 bytes. */
static uint32_t imix(uint64_t *seed)
{
	uint64_t r = rng(seed) % 12;

	return r < 7 ? 64 : r < 11 ? 576 : 1500;
}

static struct sim_result simulate(uint64_t kbps, uint32_t load_pm, unsigned int n_workers,
				  unsigned int seconds)
{
	struct erdp_policer *p = mk(1, n_workers, SIM_HZ);
	double weight[MAX_SIM_WORKERS], wsum = 0, offered_bps = (double)kbps * 125 * load_pm / 1000;
	uint64_t skew[MAX_SIM_WORKERS], seed = 7 + kbps + load_pm + n_workers;
	uint64_t window_bytes = 0, window = 0, t = 0;
	double tf = 0;
	struct sim_result res = {.min_ratio = 1e9, .max_ratio = 0};

	/* Uneven RSS shares and clocks up to 3 us apart. */
	for (unsigned int k = 0; k < n_workers; k++) {
		weight[k] = 1.0 + (double)(rng(&seed) % 100) / 50.0;
		wsum += weight[k];
		skew[k] = rng(&seed) % (3 * SIM_HZ / 1000000);
	}
	erdp_policer_set(p, 0, kbps, true, 0, NULL);
	while (window < seconds) {
		double pick = (double)(rng(&seed) % 1000000) / 1000000 * wsum;
		unsigned int k = 0, n = 1 + (unsigned int)(rng(&seed) % BURST);
		uint64_t burst_bytes = 0;

		while (k + 1 < n_workers && pick >= weight[k])
			pick -= weight[k++];
		for (unsigned int i = 0; i < n; i++) {
			uint32_t len = imix(&seed);

			burst_bytes += len;
			if (erdp_policer_admit(p, erdp_policer_worker(p, k), 0, t + skew[k], len))
				window_bytes += len;
			else
				res.drops++;
		}
		/* The next burst comes when this one's bytes have been offered at the load. */
		tf += (double)burst_bytes * SIM_HZ / offered_bps; /* no rounding drift */
		t = (uint64_t)tf;
		if (t >= (window + 1) * SIM_HZ) {
			double ratio = (double)window_bytes / ((double)kbps * 125);

			res.min_ratio = fmin(res.min_ratio, ratio);
			res.max_ratio = fmax(res.max_ratio, ratio);
			window_bytes = 0;
			window++;
		}
	}
	if (load_pm <= 1200)
		res.ok = res.drops == 0;
	else
		res.ok = res.min_ratio >= 1 - TOLERANCE && res.max_ratio <= 1 + TOLERANCE;
	erdp_policer_free(p);
	return res;
}

static bool run_accuracy(const struct opts *o)
{
	uint64_t rates[] = {1000000, 10000000};
	unsigned int n_rates = 2;
	static const uint32_t loads[] = {1100, 1500, 3000};
	static const unsigned int workers[] = {1, 2, 4};
	bool all = true;

	if (o->gbps != 0) {
		rates[0] = (uint64_t)o->gbps * 1000000;
		n_rates = 1;
	}
	printf("accuracy: simulated, %u windows of 1 s from the enable, IMIX in RX bursts of "
	       "1..%d, "
	       "uneven worker shares\n",
	       o->seconds, BURST);
	printf("%-6s %-7s %-7s %12s %12s %12s %s\n", "rate", "offered", "workers", "min out/bw",
	       "max out/bw", "drops", "");
	for (unsigned int r = 0; r < n_rates; r++)
		for (unsigned int l = 0; l < 3; l++)
			for (unsigned int w = 0; w < 3; w++) {
				struct sim_result s =
					simulate(rates[r], loads[l], workers[w], o->seconds);

				all &= s.ok;
				printf("%3lluG   %5.1fx  %7u %12.4f %12.4f %12" PRIu64 " %s\n",
				       (unsigned long long)(rates[r] / 1000000), loads[l] / 1000.0,
				       workers[w], s.min_ratio, s.max_ratio, s.drops,
				       s.ok ? "ok" : "OUT OF BOUNDS");
			}
	printf("(below the trigger: no drop; above: every window within %.0f%% of the bandwidth)\n",
	       TOLERANCE * 100);
	return all;
}

static void usage(void)
{
	printf("usage: policer-bench [--cost] [--accuracy] [--check] [--rounds N] [--frames N]\n"
	       "                     [--objects N] [--seconds N]\n"
	       "  --cost       cycles per admit (default: both parts)\n"
	       "  --accuracy   the accuracy simulation\n"
	       "  --check      exit 1 if the accuracy is out of bounds\n"
	       "  --rounds N   cost rounds, median reported (default 15)\n"
	       "  --frames N   frames per cost round (default 1048576)\n"
	       "  --objects N  objects the spread cost runs use (default 32768)\n"
	       "  --seconds N  simulated 1 s windows per accuracy run (default 3)\n"
	       "  --gbps N     accuracy at N Gbps only (default: 1 and 10)\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"cost", no_argument, NULL, 'c'},
					   {"accuracy", no_argument, NULL, 'a'},
					   {"check", no_argument, NULL, 'k'},
					   {"rounds", required_argument, NULL, 'r'},
					   {"frames", required_argument, NULL, 'f'},
					   {"objects", required_argument, NULL, 'o'},
					   {"seconds", required_argument, NULL, 's'},
					   {"gbps", required_argument, NULL, 'g'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	struct opts o = {.rounds = 15, .frames = 1 << 20, .objects = 32768, .seconds = 3};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.cost = true;
			break;
		case 'a':
			o.accuracy = true;
			break;
		case 'k':
			o.check = true;
			break;
		case 'r':
			o.rounds = (unsigned int)atoi(optarg);
			break;
		case 'f':
			o.frames = (unsigned int)atoi(optarg);
			break;
		case 'o':
			o.objects = (unsigned int)atoi(optarg);
			break;
		case 's':
			o.seconds = (unsigned int)atoi(optarg);
			break;
		case 'g':
			o.gbps = (unsigned int)atoi(optarg);
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (o.rounds == 0 || o.frames < BURST || o.objects == 0 || o.seconds == 0) {
		fprintf(stderr,
			"policer-bench: --rounds, --frames (>= %d), --objects and --seconds "
			"must be positive\n",
			BURST);
		return 2;
	}
	if (!o.cost && !o.accuracy)
		o.cost = o.accuracy = true;
	if (o.cost)
		run_cost(&o);
	if (o.accuracy && !run_accuracy(&o) && o.check)
		return 1;
	return 0;
}
