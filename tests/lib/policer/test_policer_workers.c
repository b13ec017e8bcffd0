/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/policer with several workers. Simulated workers in one thread
 * (interleaved admits, synthetic clocks that differ per worker) check that
 * the limit holds for the sum and that the trigger judges the sum. Real
 * threads then hammer one object and check only that tokens are conserved:
 * what passed is exactly what the shared bucket gave out, never more.
 *
 * Clock: nanoseconds (hz = 1e9); bandwidth 1 Gbps (0.125 byte per tick).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "erdp_policer.h"
#include "unit_test.h"

#define HZ	    1000000000ull
#define GBPS	    1000000ull
#define BYTES_PER_S 125000000ull
#define FRAME	    1000u
#define MS	    1000000ull
#define MAX_WORKERS 8

static struct erdp_policer *mk(uint32_t n_workers)
{
	struct erdp_policer_conf c = {
		.hz = HZ, .n_objects = 2, .n_workers = n_workers, .heap = true};
	struct erdp_policer *p = erdp_policer_create(&c, NULL);

	if (p == NULL || erdp_policer_set(p, 0, GBPS, true, 0, NULL) != 0)
		exit(1);
	return p;
}

/* Which worker receives frame i: round robin, or 85/5/5/5 (RSS with one elephant flow). */
enum spread { ROUND_ROBIN, SKEWED };

static unsigned int worker_of(uint64_t i, unsigned int n, enum spread s)
{
	if (s == ROUND_ROBIN)
		return (unsigned int)(i % n);
	return i % 20 < 17 ? 0 : (unsigned int)(i % 20 - 16) % n;
}

struct sim {
	struct erdp_policer *p;
	unsigned int n;
	enum spread spread;
	uint32_t load_pm;	       /* offered load, per mille of the bandwidth */
	int64_t skew[MAX_WORKERS];     /* each worker's clock is off by this much */
	uint64_t passed[MAX_WORKERS];  /* frames */
	uint64_t dropped[MAX_WORKERS]; /* frames */
};

/* Offer frames [first, last) of FRAME bytes at the sim's load; return bytes passed. */
static uint64_t run(struct sim *s, uint64_t first, uint64_t last)
{
	uint64_t bytes = 0;

	for (uint64_t i = first; i < last; i++) {
		unsigned int k = worker_of(i, s->n, s->spread);
		uint64_t now = i * FRAME * 8000 / s->load_pm + (uint64_t)s->skew[k];

		if (erdp_policer_admit(s->p, erdp_policer_worker(s->p, k), 0, now, FRAME)) {
			s->passed[k]++;
			bytes += FRAME;
		} else {
			s->dropped[k]++;
		}
	}
	return bytes;
}

/* Frames in `ms` milliseconds at the sim's load. */
static uint64_t frames_in(const struct sim *s, uint64_t ms)
{
	return ms * BYTES_PER_S / 1000 * s->load_pm / 1000 / FRAME;
}

/*
 * 2x over 1, 2, 4 and 8 workers whose clocks disagree by up to 7 us: each
 * second of output is a second of bandwidth, to within what can sit in the
 * workers' caches and the bucket between two takes.
 */
static void test_sum_holds(void)
{
	static const int64_t skews[MAX_WORKERS] = {0, 3000, -2000, 5000, 1000, -1000, 0, 4000};

	for (unsigned int n = 1; n <= MAX_WORKERS; n *= 2) {
		struct sim s = {.n = n, .spread = ROUND_ROBIN, .load_pm = 2000};
		struct erdp_policer_params pp;
		uint64_t start = frames_in(&s, 100);

		s.p = mk(n);
		memcpy(s.skew, skews, sizeof(skews));
		erdp_policer_params(s.p, GBPS, &pp);
		run(&s, 0, start);
		for (int sec = 0; sec < 3; sec++) {
			uint64_t from = start + (uint64_t)sec * frames_in(&s, 1000);
			uint64_t bytes = run(&s, from, from + frames_in(&s, 1000));
			long long slack = (long long)(n + 2) * pp.c_chunk + 2 * FRAME;

			CHECK_MSG(llabs((long long)bytes - (long long)BYTES_PER_S) <= slack,
				  "%u workers, second %d: %llu bytes (slack %lld)", n, sec,
				  (unsigned long long)bytes, slack);
		}
		for (unsigned int k = 0; k < n; k++)
			CHECK_MSG(s.dropped[k] > 0 && s.passed[k] > 0, "worker %u", k);
		erdp_policer_free(s.p);
	}
}

/*
 * The trigger judges the sum. 1.19x with one worker carrying 85%: nothing
 * dropped. 1.5x with the same split: throttled as a whole, so the light
 * workers (0.075x each on their own) drop too, and the sum is the bandwidth.
 */
static void test_skewed_shares(void)
{
	struct sim s = {.n = 4, .spread = SKEWED, .load_pm = 1190};
	struct erdp_policer_params pp;
	uint64_t n, bytes, from;

	s.p = mk(4);
	n = frames_in(&s, 5000);
	CHECK_EQ(run(&s, 0, n), n * FRAME);
	erdp_policer_free(s.p);

	memset(&s, 0, sizeof(s));
	s.n = 4;
	s.spread = SKEWED;
	s.load_pm = 1500;
	s.p = mk(4);
	erdp_policer_params(s.p, GBPS, &pp);
	from = frames_in(&s, 100);
	run(&s, 0, from);
	bytes = run(&s, from, from + frames_in(&s, 1000));
	CHECK_MSG(llabs((long long)bytes - (long long)BYTES_PER_S) <= 6 * pp.c_chunk + 2 * FRAME,
		  "%llu bytes", (unsigned long long)bytes);
	for (unsigned int k = 1; k < 4; k++)
		CHECK_MSG(s.dropped[k] > s.passed[k] / 10, "worker %u: %llu dropped, %llu passed",
			  k, (unsigned long long)s.dropped[k], (unsigned long long)s.passed[k]);
	erdp_policer_free(s.p);
}

/*
 * Shares that move: the first half second on worker 0 alone at 2x, then
 * worker 1 alone (RSS rebalanced). The moved traffic finds the shared state
 * throttled at once, and the output stays the bandwidth across the move.
 */
static void test_moving_share(void)
{
	struct erdp_policer *p = mk(2);
	uint64_t bytes = 0, dropped_after = 0;

	for (uint64_t i = 0; i < 500000; i++) { /* 2 s at 2x */
		unsigned int k = i < 125000 ? 0 : 1;
		bool ok = erdp_policer_admit(p, erdp_policer_worker(p, k), 0, i * 4000, FRAME);

		if (i >= 25000 && i < 275000) /* [100 ms, 1.1 s): across the move at 500 ms */
			bytes += ok ? FRAME : 0;
		if (i >= 125000 && i < 125100)
			dropped_after += !ok;
	}
	CHECK_MSG(llabs((long long)bytes - (long long)BYTES_PER_S) <= 4 * 15625 / 2 + 2 * FRAME,
		  "%llu bytes", (unsigned long long)bytes);
	CHECK(dropped_after > 0); /* worker 1's first frames are already policed */
	erdp_policer_free(p);
}

/* ---- real threads: conservation only, never time ---- */

#define THREADS	      4
#define SETUP_WORKER  THREADS
#define ROUNDS	      500
#define ROUND_FRAMES  4000
#define STRESS_DEPTH  100000 /* us: deep buckets ... */
#define STRESS_CHUNKS 1024   /* ... cut into many takes, so that threads collide */

struct stress {
	struct erdp_policer *p;
	pthread_barrier_t go, done;
	uint64_t round_start; /* tick at which a round starts (set by the main thread) */
	uint64_t clock;	      /* moving mode: the round's clock, one tick per admit */
	bool moving;
};

struct thr {
	struct stress *st;
	unsigned int idx;
	uint64_t seed;
	uint64_t passed; /* bytes */
};

static uint32_t frame_size(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return 64 + (uint32_t)((*seed >> 33) % 1455); /* 64..1518 */
}

static void *hammer(void *arg)
{
	struct thr *t = arg;
	struct stress *st = t->st;
	struct erdp_policer_worker *w = erdp_policer_worker(st->p, t->idx);

	for (int r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&st->go);
		for (int i = 0; i < ROUND_FRAMES; i++) {
			uint64_t now = st->moving
					       ? __atomic_fetch_add(&st->clock, 1, __ATOMIC_RELAXED)
					       : st->round_start;
			uint32_t len = frame_size(&t->seed);

			if (erdp_policer_admit(st->p, w, 0, now, len))
				t->passed += len;
		}
		pthread_barrier_wait(&st->done);
	}
	return NULL;
}

/*
 * Throttle the object from a setup worker, then run rounds: each one lets
 * the buckets refill half their depth (the trigger bucket never gets full,
 * so the throttle holds, and nothing is lost to a full bucket) and lets
 * THREADS threads admit at once, each with its own worker handle, at a frozen
 * or a moving clock. Every byte that passed came out of the commit bucket:
 * passed + what the threads still hold == what the bucket's empty-at time
 * says it gave, in whole takes, and that is no more than it had.
 */
static void stress(bool moving)
{
	struct erdp_policer_conf c = {.hz = HZ,
				      .n_objects = 1,
				      .n_workers = THREADS + 1,
				      .depth_us = STRESS_DEPTH,
				      .chunks = STRESS_CHUNKS,
				      .heap = true};
	struct stress st = {.moving = moving};
	struct erdp_policer_worker *setup;
	struct erdp_policer_params pp;
	struct erdp_policer_state ps;
	pthread_t tid[THREADS];
	struct thr t[THREADS];
	uint64_t t0 = 10 * MS, c_before, level, passed = 0, held = 0, gave, ticks;

	st.p = erdp_policer_create(&c, NULL);
	if (st.p == NULL || erdp_policer_set(st.p, 0, GBPS, true, t0, NULL) != 0)
		exit(1);
	setup = erdp_policer_worker(st.p, SETUP_WORKER);
	erdp_policer_params(st.p, GBPS, &pp);
	while (erdp_policer_admit(st.p, setup, 0, t0, FRAME)) /* throttle, then empty */
		;
	erdp_policer_get(st.p, 0, t0, &ps);
	CHECK(ps.throttled);
	level = ps.c_level;
	c_before = st.p->bucket[0].c_empty;
	pthread_barrier_init(&st.go, NULL, THREADS + 1);
	pthread_barrier_init(&st.done, NULL, THREADS + 1);
	for (unsigned int k = 0; k < THREADS; k++) {
		t[k] = (struct thr){.st = &st, .idx = k, .seed = 12345 + k};
		pthread_create(&tid[k], NULL, hammer, &t[k]);
	}
	st.round_start = t0;
	for (int r = 0; r < ROUNDS; r++) {
		st.round_start += pp.depth_ticks / 2;
		st.clock = st.round_start;
		pthread_barrier_wait(&st.go);
		pthread_barrier_wait(&st.done);
		/* ticks the round's clock moved beyond its start */
		level += (pp.depth_ticks / 2 + (st.clock - st.round_start)) * BYTES_PER_S / HZ;
		st.round_start = st.clock;
	}
	for (unsigned int k = 0; k < THREADS; k++) {
		pthread_join(tid[k], NULL);
		passed += t[k].passed;
		held += erdp_policer_worker(st.p, k)->ws[0].c_tok;
	}
	ticks = st.p->bucket[0].c_empty - c_before;
	gave = ticks / pp.chunk_ticks * pp.c_chunk;
	CHECK_MSG(ticks % pp.chunk_ticks == 0, "the commit bucket moved by a fraction of a take");
	CHECK_MSG(passed + held == gave, "%s clock: passed %llu + held %llu != given %llu",
		  moving ? "moving" : "frozen", (unsigned long long)passed,
		  (unsigned long long)held, (unsigned long long)gave);
	CHECK_MSG(gave <= level + ROUNDS, "given %llu > %llu", (unsigned long long)gave,
		  (unsigned long long)level); /* + rounding of the level, a byte a round */
	CHECK(passed > ROUNDS * (pp.depth_ticks / 2) * BYTES_PER_S / HZ / 2);
	erdp_policer_get(st.p, 0, st.round_start, &ps);
	CHECK(ps.throttled);
	CHECK_EQ(ps.throttle_count, 1);
	pthread_barrier_destroy(&st.go);
	pthread_barrier_destroy(&st.done);
	erdp_policer_free(st.p);
}

int main(void)
{
	test_sum_holds();
	test_skewed_shares();
	test_moving_share();
	stress(true);
	stress(false);
	TEST_MAIN_END();
}
