/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-circuit rate limiting as ExpressRoute Direct applies it: on each
 * peering sub-interface of each link, in each direction, offered load up to
 * 1.2x the circuit's bandwidth passes untouched; above that, output is cut
 * to the bandwidth. docs/policer.md has the reasoning and the figures.
 *
 * Objects. One policed object per (peering, link, direction):
 * erdp_policer_obj(plink, dir), plink = erdp_plink(peering, link). All the
 * objects of a circuit share its bandwidth and its rate_limit flag.
 *
 * Two buckets per object, both kept as GCRA "empty-at" times in clock ticks
 * (the caller's clock: TSC cycles in erdp, synthetic values in tests):
 *   trigger  1.2x the bandwidth, depth 1 ms: charged with every offered
 *            byte. When it cannot supply, offered load has exceeded 1.2x by
 *            more than 1 ms worth: the object becomes throttled.
 *   commit   1.0x the bandwidth, depth 1 ms: while throttled, a frame passes
 *            only if this bucket covers it.
 * The throttle lifts when the trigger bucket is full again, i.e. offered
 * load stayed under 1.2x long enough to give its whole depth back.
 *
 * Several workers. The buckets are shared by every worker (one cache line per
 * object, never written per packet). A worker takes tokens in chunks (one
 * compare-and-swap per chunk, about 1/8 ms of the object's rate per worker)
 * into its own cache line and spends them with plain arithmetic, so the sum
 * over workers holds the limit without a lock or an atomic per packet. A
 * failed take also tells the worker when to ask again, so an overloaded
 * object costs no atomic per dropped packet either.
 *
 * Threads.
 *   main lcore (one thread): erdp_policer_create/free, erdp_policer_set and
 *     the circuit helpers, erdp_policer_get. It is the only writer of the
 *     configuration.
 *   worker k (one thread per worker handle): erdp_policer_active() per
 *     burst and erdp_policer_admit() (or its split form: erdp_policer_word,
 *     the two prefetches, erdp_policer_admit_word) with
 *     erdp_policer_worker(p, k), and nothing else. Several threads may admit
 *     on the same object at once; never two on the same worker handle.
 *
 * Publication. An object's configuration is one 64-bit word (enabled bit,
 * generation, rate) in a dense read-mostly array: erdp_policer_set() changes
 * it with one release store. A worker sees the change at its next frame on
 * that object, recomputes its chunk sizes, and drops its cached tokens so that
 * none bought at the old rate are spent at the new one. The buckets' levels
 * are in time, so a rate change neither refills nor empties them: no burst,
 * no forwarding gap. Enabling an object (off -> on) starts it full and not
 * throttled; disabling takes effect at each worker's next frame.
 *
 * What is atomic: the word (store by main, load by workers), the buckets'
 * empty-at times (compare-and-swap), the throttled flag (compare-and-swap on
 * change, loads otherwise). Per-worker state is plain memory.
 *
 * Clock. `now` is any 64-bit tick counter at `hz` ticks per second that
 * increases monotonically per thread; it may wrap (differences are taken
 * modulo 2^64). Workers' clocks may differ by a little (each reads its own
 * TSC once per burst): a take with an older `now` than the last one simply
 * finds fewer tokens. An object untouched for 2^63 ticks (97 years at 3 GHz)
 * would look empty.
 *
 * Unit. Bytes of the L2 frame as it is on the wire of the sub-interface,
 * without FCS, preamble and inter-frame gap: mbuf pkt_len on ER-port RX (with
 * the customer's tags), and after the rewrite before the customer TX (with the
 * tags erdp puts on). Bits = 8 x bytes.
 *
 * Memory. erdp_policer_create() allocates everything: 8 bytes (word) + one
 * cache line (buckets) per object, plus one cache line per object per worker.
 * Nothing is allocated afterwards.
 */
#ifndef ERDP_POLICER_H
#define ERDP_POLICER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "erdp_config.h"
#include "erdp_err.h"

/* Directions, as Azure names the metrics of the sub-interface. */
enum erdp_policer_dir {
	ERDP_POLICER_IN = 0,  /* customer -> Azure: frames received on an ER link */
	ERDP_POLICER_OUT = 1, /* Azure -> customer: frames sent on an ER link */
};
#define ERDP_POLICER_DIRS 2

/* The trigger: offered load above 6/5 (1.2x) of the bandwidth. */
#define ERDP_POLICER_TRIGGER_NUM 6
#define ERDP_POLICER_TRIGGER_DEN 5

/* Bucket depth in time: the granularity at which rates are judged. */
#define ERDP_POLICER_DEPTH_US	     1000
#define ERDP_POLICER_MAX_DEPTH_US    100000
/* Takes per bucket depth and per worker: the shared slack is depth / this. */
#define ERDP_POLICER_CHUNKS	     8
/*
 * A take is at least this many bytes: a full-size frame needs one take, and
 * rounding a chunk down to whole bytes costs under 0.05% of the rate.
 */
#define ERDP_POLICER_MIN_CHUNK_BYTES 2048
/* Frames are charged at most this much; the buckets always hold more. */
#define ERDP_POLICER_MAX_FRAME	     65535
/* Rates accepted by erdp_policer_set(), in kbit/s: 1 Mbps .. 1 Tbps. */
#define ERDP_POLICER_MIN_KBPS	     1000ull
#define ERDP_POLICER_MAX_KBPS	     1000000000ull

/* The configuration word of an object (see Publication). */
#define ERDP_POLICER_WORD_ON	    (1ull << 63)
#define ERDP_POLICER_WORD_RATE	    ((1ull << 40) - 1) /* kbit/s */
#define ERDP_POLICER_WORD_GEN_SHIFT 40
#define ERDP_POLICER_WORD_GEN	    (((1ull << 23) - 1) << ERDP_POLICER_WORD_GEN_SHIFT)

/* Chunk and depth of a rate: the same for every worker (erdp_policer_params). */
struct erdp_policer_params {
	uint64_t chunk_ticks; /* price of one take, both buckets */
	uint64_t depth_ticks; /* depth of both buckets */
	uint32_t c_chunk;     /* bytes per take of the commit bucket (1.0x) */
	uint32_t t_chunk;     /* bytes per take of the trigger bucket (1.2x) */
};

/* Shared state of one object: written once per chunk, never per packet. */
struct erdp_policer_bucket {
	uint64_t c_empty;   /* commit bucket: tick at which it was (virtually) empty */
	uint64_t t_empty;   /* trigger bucket, likewise */
	uint32_t throttled; /* 1 while output is cut to the bandwidth */
	uint32_t pad0;
	uint64_t throttle_count; /* times the throttle engaged (telemetry) */
	uint64_t pad[4];
} __attribute__((aligned(64)));

/* One worker's share of one object: one cache line, that worker's only. */
struct erdp_policer_ws {
	uint64_t word; /* configuration the fields below were derived from */
	/*
	 * `word` while this worker sees the object not throttled, else 0: one
	 * compare tells the common case (same configuration, not throttled).
	 * Refreshed from the shared flag at every take.
	 */
	uint64_t open;
	uint64_t t_retry;     /* no trigger take before this tick (after a failed one) */
	uint64_t c_retry;     /* no commit take before this tick */
	uint64_t chunk_ticks; /* from the word's rate */
	uint64_t depth_ticks; /* from the word's rate */
	uint32_t t_tok;	      /* trigger bytes in hand */
	uint32_t c_tok;	      /* commit bytes in hand */
	uint32_t t_chunk;     /* from the word's rate */
	uint32_t c_chunk;     /* from the word's rate */
} __attribute__((aligned(64)));

struct erdp_policer_worker {
	struct erdp_policer_ws *ws; /* n_objects */
} __attribute__((aligned(64)));

/* Fields used inline by workers first; the rest is the library's. */
struct erdp_policer {
	uint64_t *word;			    /* n_objects, read-mostly */
	struct erdp_policer_bucket *bucket; /* n_objects */
	struct erdp_policer_worker *workers;
	uint32_t n_on; /* objects enabled: 0 lets the fast path skip the policer */
	uint32_t n_objects;
	uint32_t n_workers;
	uint32_t depth_us;
	uint32_t chunks;
	bool heap;
	uint64_t hz;
};

struct erdp_policer_conf {
	uint64_t hz;	    /* ticks per second of the caller's clock: rte_get_tsc_hz() */
	uint32_t n_objects; /* erdp_policer_n_objects(cfg) */
	uint32_t n_workers; /* worker handles (threads admitting) */
	uint32_t depth_us;  /* 0: ERDP_POLICER_DEPTH_US */
	uint32_t chunks;    /* takes per depth per worker; 0: ERDP_POLICER_CHUNKS */
	bool heap;	    /* true: libc heap (tests, tools); false: rte_malloc (EAL up) */
	int socket;	    /* NUMA socket for rte_malloc */
};

/* Create with every object disabled. NULL with `err` filled on a bad conf or ENOMEM. */
struct erdp_policer *erdp_policer_create(const struct erdp_policer_conf *conf,
					 struct erdp_err *err);
void erdp_policer_free(struct erdp_policer *p);

/*
 * Main lcore: enable at `rate_kbps` or disable one object, at time `now`
 * (the workers' clock). Idempotent: the same state again changes nothing.
 * -EINVAL with `err` filled when obj or (enabled) the rate is out of range.
 */
int erdp_policer_set(struct erdp_policer *p, uint32_t obj, uint64_t rate_kbps, bool enabled,
		     uint64_t now, struct erdp_err *err);

/* Chunk and depth for `rate_kbps` with this policer's clock and worker count. */
void erdp_policer_params(const struct erdp_policer *p, uint64_t rate_kbps,
			 struct erdp_policer_params *out);

/* What an object is doing at `now` (telemetry, tests). Levels exclude worker caches. */
struct erdp_policer_state {
	bool enabled;
	bool throttled;
	uint64_t rate_kbps;
	uint64_t throttle_count;
	uint64_t c_level; /* bytes the commit bucket could give now */
	uint64_t t_level; /* bytes the trigger bucket could give now */
};
void erdp_policer_get(const struct erdp_policer *p, uint32_t obj, uint64_t now,
		      struct erdp_policer_state *out);

/* ---- erdp's objects: peering links of circuits (erdp_policer_circuit.c) ---- */

static inline uint32_t erdp_policer_obj(uint32_t plink, enum erdp_policer_dir dir)
{
	return plink * ERDP_POLICER_DIRS + (uint32_t)dir;
}

static inline uint32_t erdp_policer_n_objects(const struct erdp_config *cfg)
{
	return (uint32_t)cfg->n_peerings * ERDP_LINKS * ERDP_POLICER_DIRS;
}

/*
 * Main lcore: apply a circuit's bandwidth and rate_limit flag to every
 * object of its peerings (both links, both directions). Used at start-up for
 * every circuit of the config and at run time for `erdpctl circuit NAME
 * rate-limit on|off` and bandwidth changes. -EINVAL with `err` filled.
 */
int erdp_policer_set_circuit(struct erdp_policer *p, const struct erdp_config *cfg, int circuit,
			     uint32_t bandwidth_mbps, bool enabled, uint64_t now,
			     struct erdp_err *err);
/* Every circuit as the config has it. */
int erdp_policer_load_config(struct erdp_policer *p, const struct erdp_config *cfg, uint64_t now,
			     struct erdp_err *err);

/* ---- fast path ---- */

/* Per burst: false when no object is enabled, so the burst needs no policer call at all. */
static inline bool erdp_policer_active(const struct erdp_policer *p)
{
	return __atomic_load_n(&p->n_on, __ATOMIC_RELAXED) != 0;
}

static inline struct erdp_policer_worker *erdp_policer_worker(struct erdp_policer *p,
							      unsigned int idx)
{
	return &p->workers[idx];
}

/*
 * Hiding the two lines an admit reads, in a burst pipeline:
 *   early pass  erdp_policer_prefetch_word(p, obj)
 *   later pass  word = erdp_policer_word(p, obj); when erdp_policer_is_on(word),
 *               erdp_policer_prefetch_ws(w, obj) (only objects that are on cost a line)
 *   last pass   erdp_policer_admit_word(p, w, obj, word, now, bytes)
 * erdp_policer_admit() does the three at once.
 */
static inline void erdp_policer_prefetch_word(const struct erdp_policer *p, uint32_t obj)
{
	__builtin_prefetch(&p->word[obj]);
}

static inline uint64_t erdp_policer_word(const struct erdp_policer *p, uint32_t obj)
{
	return __atomic_load_n(&p->word[obj], __ATOMIC_RELAXED);
}

static inline bool erdp_policer_is_on(uint64_t word)
{
	return (word & ERDP_POLICER_WORD_ON) != 0;
}

static inline void erdp_policer_prefetch_ws(const struct erdp_policer_worker *w, uint32_t obj)
{
	__builtin_prefetch(&w->ws[obj]);
}

/* Slow paths, out of line (erdp_policer.c). Called only from erdp_policer_admit(). */
void erdp_policer_resync(const struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			 uint64_t word, uint64_t now);
void erdp_policer_offer_slow(struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			     uint64_t now, uint32_t bytes);
bool erdp_policer_commit_slow(struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			      uint64_t now, uint32_t bytes);

/* True while `now` is before `t`, modulo 2^64. */
static inline bool erdp_policer_before(uint64_t now, uint64_t t)
{
	return (int64_t)(now - t) < 0;
}

/* erdp_policer_admit() with the object's word already loaded (erdp_policer_word). */
static inline bool erdp_policer_admit_word(struct erdp_policer *p, struct erdp_policer_worker *w,
					   uint32_t obj, uint64_t word, uint64_t now,
					   uint32_t bytes)
{
	struct erdp_policer_ws *s;

	if (!erdp_policer_is_on(word))
		return true;
	s = &w->ws[obj];
	/* The trigger bucket measures offered load: every frame, passed or not. */
	if (__builtin_expect(s->open == word && s->t_tok >= bytes, 1)) {
		s->t_tok -= bytes;
		return true;
	}
	if (s->word != word)
		erdp_policer_resync(p, s, obj, word, now);
	if (s->t_tok >= bytes)
		s->t_tok -= bytes;
	else if (!erdp_policer_before(now, s->t_retry))
		erdp_policer_offer_slow(p, s, obj, now, bytes);
	if (s->open == word)
		return true;
	if (s->c_tok >= bytes) {
		s->c_tok -= bytes;
		return true;
	}
	if (erdp_policer_before(now, s->c_retry))
		return false;
	return erdp_policer_commit_slow(p, s, obj, now, bytes);
}

/*
 * Worker: may a frame of `bytes` (see Unit) on object `obj` pass at `now`?
 * false: drop it and count it as rate_limited. An object that is off costs a
 * load and one branch; one that is on and not throttled a few compares and
 * subtractions on the worker's own line, plus a compare-and-swap per chunk.
 */
static inline bool erdp_policer_admit(struct erdp_policer *p, struct erdp_policer_worker *w,
				      uint32_t obj, uint64_t now, uint32_t bytes)
{
	return erdp_policer_admit_word(p, w, obj, erdp_policer_word(p, obj), now, bytes);
}

#endif
