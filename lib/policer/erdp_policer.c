/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policer's slow paths: chunk sizes of a rate, taking a chunk from a
 * shared bucket, the throttle's transitions. Workers come here once per
 * chunk (or once per failed take), never per packet.
 */
#include "erdp_policer.h"

_Static_assert(sizeof(struct erdp_policer_ws) == 64, "a worker's share of an object is one line");
_Static_assert(sizeof(struct erdp_policer_bucket) == 64, "an object's buckets are one line");

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Ticks that `bytes` take at `rate_bps` bytes per second, rounded up. */
static uint64_t ticks_of(uint64_t bytes, uint64_t rate_bps, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)bytes * hz + rate_bps - 1) / rate_bps);
}

/* Bytes that `ticks` are worth at `rate_bps` x num/den, rounded down (never creates tokens). */
static uint64_t bytes_of(uint64_t ticks, uint64_t rate_bps, uint64_t num, uint64_t den, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * rate_bps * num /
			  ((unsigned __int128)hz * den));
}

/*
 * A chunk is a slice of time, the same for both buckets, so that one
 * compare-and-swap price fits both; its bytes follow from each bucket's
 * rate. The depth must hold the largest frame plus a chunk taken ahead.
 */
void erdp_policer_params(const struct erdp_policer *p, uint64_t rate_kbps,
			 struct erdp_policer_params *out)
{
	uint64_t rate = (rate_kbps < ERDP_POLICER_MIN_KBPS ? ERDP_POLICER_MIN_KBPS : rate_kbps) *
			125; /* bytes per second */
	uint64_t depth = (uint64_t)((unsigned __int128)p->hz * p->depth_us / 1000000);
	uint64_t chunk = depth / ((uint64_t)p->chunks * p->n_workers);
	/* The commit bucket's chunk must stay a 32-bit count, with room for a frame. */
	uint64_t max_chunk = ticks_of(1u << 30, rate, p->hz) * ERDP_POLICER_TRIGGER_DEN /
			     ERDP_POLICER_TRIGGER_NUM;

	chunk = max64(chunk, ticks_of(ERDP_POLICER_MIN_CHUNK_BYTES, rate, p->hz));
	if (chunk > max_chunk)
		chunk = max_chunk;
	depth = max64(depth, 4 * chunk);
	depth = max64(depth, ticks_of(ERDP_POLICER_MAX_FRAME, rate, p->hz) + 2 * chunk);
	out->chunk_ticks = chunk;
	out->depth_ticks = depth;
	out->c_chunk = (uint32_t)bytes_of(chunk, rate, 1, 1, p->hz);
	out->t_chunk = (uint32_t)bytes_of(chunk, rate, ERDP_POLICER_TRIGGER_NUM,
					  ERDP_POLICER_TRIGGER_DEN, p->hz);
}

/* This worker's view of the shared throttle flag (see struct erdp_policer_ws, open). */
static void view(struct erdp_policer_ws *s, const struct erdp_policer_bucket *b)
{
	s->open = __atomic_load_n(&b->throttled, __ATOMIC_RELAXED) ? 0 : s->word;
}

void erdp_policer_resync(const struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			 uint64_t word, uint64_t now)
{
	struct erdp_policer_params pp;

	/* Pairs with the release store of the word: the bucket reset by an enable is visible. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	erdp_policer_params(p, word & ERDP_POLICER_WORD_RATE, &pp);
	s->chunk_ticks = pp.chunk_ticks;
	s->depth_ticks = pp.depth_ticks;
	s->c_chunk = pp.c_chunk;
	s->t_chunk = pp.t_chunk;
	/* Tokens bought at the old rate are not spent at the new one. */
	s->t_tok = 0;
	s->c_tok = 0;
	s->t_retry = now;
	s->c_retry = now;
	s->word = word;
	view(s, &p->bucket[obj]);
}

/*
 * Take `cost` ticks worth of tokens from the bucket whose empty-at time is
 * *empty: its level at `now` is now - *empty, capped at `depth`. On success
 * *was_full tells whether the bucket had reached its depth (tokens beyond it
 * are lost, as in any token bucket). On failure *wait is how long until the
 * bucket holds `cost`, if nobody else takes from it meanwhile.
 */
static bool bucket_take(uint64_t *empty, uint64_t now, uint64_t depth, uint64_t cost,
			bool *was_full, uint64_t *wait)
{
	uint64_t old = __atomic_load_n(empty, __ATOMIC_RELAXED);

	for (;;) {
		int64_t level = (int64_t)(now - old);
		uint64_t base = old;

		*was_full = level >= (int64_t)depth;
		if (*was_full) {
			base = now - depth;
		} else if (level < (int64_t)cost) {
			*wait = (uint64_t)((int64_t)cost - level);
			return false;
		}
		/* Relaxed: tokens are the only thing this word publishes. */
		if (__atomic_compare_exchange_n(empty, &old, base + cost, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
}

/* Chunks needed to cover `need` bytes. */
static uint32_t chunks_for(uint32_t need, uint32_t chunk)
{
	return (need + chunk - 1) / chunk;
}

static void throttle_enter(struct erdp_policer_bucket *b)
{
	uint32_t off = 0;

	/* Several workers may see the trigger at once: one of them counts it. */
	if (__atomic_load_n(&b->throttled, __ATOMIC_RELAXED) == 0 &&
	    __atomic_compare_exchange_n(&b->throttled, &off, 1, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED))
		__atomic_fetch_add(&b->throttle_count, 1, __ATOMIC_RELAXED);
}

static void throttle_leave(struct erdp_policer_bucket *b)
{
	uint32_t on = 1;

	if (__atomic_load_n(&b->throttled, __ATOMIC_RELAXED) != 0)
		__atomic_compare_exchange_n(&b->throttled, &on, 0, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

/*
 * Cover a frame of `bytes` from the worker's tokens `*tok`, taking whole
 * chunks of `chunk` bytes from the shared bucket *empty when they fall
 * short. false: the bucket could not supply; *wait says for how long.
 */
static bool cover(uint64_t *empty, uint32_t *tok, uint32_t chunk, const struct erdp_policer_ws *s,
		  uint64_t now, uint32_t bytes, bool *full, uint64_t *wait)
{
	uint32_t charge = bytes > ERDP_POLICER_MAX_FRAME ? ERDP_POLICER_MAX_FRAME : bytes;
	uint32_t k;

	*full = false;
	if (charge <= *tok) { /* only a frame above ERDP_POLICER_MAX_FRAME gets here */
		*tok -= charge;
		return true;
	}
	k = chunks_for(charge - *tok, chunk);
	if (!bucket_take(empty, now, s->depth_ticks, k * s->chunk_ticks, full, wait))
		return false;
	*tok += k * chunk - charge;
	return true;
}

/*
 * The worker's trigger tokens do not cover a frame: take chunks. Failure
 * means offered load has used up the 1.2x bucket: throttle. Success on a full
 * bucket means offered load stayed under 1.2x for a whole depth: release.
 * The frame that found the bucket empty is not charged (it did not conform),
 * and neither are the next ones until the bucket can have refilled a take.
 */
void erdp_policer_offer_slow(struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			     uint64_t now, uint32_t bytes)
{
	struct erdp_policer_bucket *b = &p->bucket[obj];
	uint64_t wait;
	bool full;

	if (cover(&b->t_empty, &s->t_tok, s->t_chunk, s, now, bytes, &full, &wait)) {
		if (full)
			throttle_leave(b);
	} else {
		s->t_retry = now + wait;
		throttle_enter(b);
	}
	view(s, b);
}

/* Throttled and out of commit tokens: take chunks, or drop until some can have refilled. */
bool erdp_policer_commit_slow(struct erdp_policer *p, struct erdp_policer_ws *s, uint32_t obj,
			      uint64_t now, uint32_t bytes)
{
	struct erdp_policer_bucket *b = &p->bucket[obj];
	uint64_t wait;
	bool full;

	/* Another worker may have lifted the throttle since this one last looked. */
	view(s, b);
	if (s->open != 0)
		return true;
	if (cover(&b->c_empty, &s->c_tok, s->c_chunk, s, now, bytes, &full, &wait))
		return true;
	s->c_retry = now + wait;
	return false;
}
