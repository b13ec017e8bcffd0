/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policer's main-lcore side: memory, configuration words, and reading
 * an object's state back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "erdp_policer.h"

#define ERDP_POLICER_MAX_WORKERS 1024
#define ERDP_POLICER_MAX_OBJECTS (1u << 24)
#define ERDP_POLICER_MAX_CHUNKS	 1024
#define ERDP_POLICER_ALIGN	 64
#define US_PER_S		 1000000

static void *zalloc(const struct erdp_policer_conf *conf, size_t size)
{
	void *m;

	if (!conf->heap)
		return rte_zmalloc_socket("erdp_policer", size, ERDP_POLICER_ALIGN, conf->socket);
	if (posix_memalign(&m, ERDP_POLICER_ALIGN, size) != 0)
		return NULL;
	memset(m, 0, size);
	return m;
}

static void zfree(bool heap, void *m)
{
	if (heap)
		free(m);
	else
		rte_free(m);
}

void erdp_policer_free(struct erdp_policer *p)
{
	if (p == NULL)
		return;
	if (p->workers != NULL)
		for (uint32_t i = 0; i < p->n_workers; i++)
			zfree(p->heap, p->workers[i].ws);
	zfree(p->heap, p->workers);
	zfree(p->heap, p->bucket);
	zfree(p->heap, p->word);
	free(p);
}

static int check_conf(const struct erdp_policer_conf *conf, struct erdp_err *err)
{
	if (conf->hz < US_PER_S)
		return erdp_errf(err, EINVAL,
				 "policer: clock of %llu ticks per second is too coarse (at least "
				 "one tick per microsecond is needed)",
				 (unsigned long long)conf->hz);
	if (conf->n_objects == 0 || conf->n_objects > ERDP_POLICER_MAX_OBJECTS)
		return erdp_errf(err, EINVAL, "policer: %u objects, expected 1..%u",
				 conf->n_objects, ERDP_POLICER_MAX_OBJECTS);
	if (conf->n_workers == 0 || conf->n_workers > ERDP_POLICER_MAX_WORKERS)
		return erdp_errf(err, EINVAL, "policer: %u workers, expected 1..%u",
				 conf->n_workers, ERDP_POLICER_MAX_WORKERS);
	if (conf->depth_us > ERDP_POLICER_MAX_DEPTH_US)
		return erdp_errf(err, EINVAL, "policer: bucket depth %u us, expected at most %u us",
				 conf->depth_us, ERDP_POLICER_MAX_DEPTH_US);
	if (conf->chunks > ERDP_POLICER_MAX_CHUNKS)
		return erdp_errf(err, EINVAL, "policer: %u chunks per depth, expected at most %u",
				 conf->chunks, ERDP_POLICER_MAX_CHUNKS);
	return 0;
}

struct erdp_policer *erdp_policer_create(const struct erdp_policer_conf *conf, struct erdp_err *err)
{
	struct erdp_policer *p;
	bool ok;

	if (check_conf(conf, err) < 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto nomem;
	p->heap = conf->heap;
	p->hz = conf->hz;
	p->n_objects = conf->n_objects;
	p->n_workers = conf->n_workers;
	p->depth_us = conf->depth_us != 0 ? conf->depth_us : ERDP_POLICER_DEPTH_US;
	p->chunks = conf->chunks != 0 ? conf->chunks : ERDP_POLICER_CHUNKS;
	p->word = zalloc(conf, sizeof(*p->word) * p->n_objects);
	p->bucket = zalloc(conf, sizeof(*p->bucket) * p->n_objects);
	p->workers = zalloc(conf, sizeof(*p->workers) * p->n_workers);
	ok = p->word != NULL && p->bucket != NULL && p->workers != NULL;
	for (uint32_t i = 0; ok && i < p->n_workers; i++) {
		p->workers[i].ws = zalloc(conf, sizeof(*p->workers[i].ws) * p->n_objects);
		ok = p->workers[i].ws != NULL;
	}
	if (ok)
		return p;
	erdp_policer_free(p);
nomem:
	erdp_errf(err, ENOMEM,
		  "policer: out of memory for %u objects x %u workers (%zu bytes each)",
		  conf->n_objects, conf->n_workers, sizeof(struct erdp_policer_ws));
	return NULL;
}

int erdp_policer_set(struct erdp_policer *p, uint32_t obj, uint64_t rate_kbps, bool enabled,
		     uint64_t now, struct erdp_err *err)
{
	uint64_t old, gen, word;
	bool was_on;

	if (obj >= p->n_objects)
		return erdp_errf(err, EINVAL, "policer: object %u out of range (%u objects)", obj,
				 p->n_objects);
	if (enabled && (rate_kbps < ERDP_POLICER_MIN_KBPS || rate_kbps > ERDP_POLICER_MAX_KBPS))
		return erdp_errf(err, EINVAL,
				 "policer: rate %llu kbit/s out of range (%llu..%llu kbit/s)",
				 (unsigned long long)rate_kbps, ERDP_POLICER_MIN_KBPS,
				 ERDP_POLICER_MAX_KBPS);
	old = p->word[obj]; /* the main lcore is the only writer */
	was_on = (old & ERDP_POLICER_WORD_ON) != 0;
	if (!enabled)
		rate_kbps = old & ERDP_POLICER_WORD_RATE; /* kept for the next enable */
	if (was_on == enabled && (old & ERDP_POLICER_WORD_RATE) == rate_kbps)
		return 0;
	if (enabled && !was_on) {
		struct erdp_policer_bucket *b = &p->bucket[obj];
		struct erdp_policer_params pp;

		/* Start full and not throttled, whatever a previous period left. */
		erdp_policer_params(p, rate_kbps, &pp);
		__atomic_store_n(&b->c_empty, now - pp.depth_ticks, __ATOMIC_RELAXED);
		__atomic_store_n(&b->t_empty, now - pp.depth_ticks, __ATOMIC_RELAXED);
		__atomic_store_n(&b->throttled, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&p->n_on, p->n_on + 1, __ATOMIC_RELAXED);
	} else if (!enabled) {
		__atomic_store_n(&p->n_on, p->n_on - 1, __ATOMIC_RELAXED);
	}
	gen = ((old + (1ull << ERDP_POLICER_WORD_GEN_SHIFT)) & ERDP_POLICER_WORD_GEN);
	word = (enabled ? ERDP_POLICER_WORD_ON : 0) | gen | rate_kbps;
	__atomic_store_n(&p->word[obj], word, __ATOMIC_RELEASE);
	return 0;
}

void erdp_policer_get(const struct erdp_policer *p, uint32_t obj, uint64_t now,
		      struct erdp_policer_state *out)
{
	const struct erdp_policer_bucket *b = &p->bucket[obj];
	uint64_t word = __atomic_load_n(&p->word[obj], __ATOMIC_RELAXED);
	struct erdp_policer_params pp;
	int64_t lc, lt;

	memset(out, 0, sizeof(*out));
	out->enabled = (word & ERDP_POLICER_WORD_ON) != 0;
	out->rate_kbps = word & ERDP_POLICER_WORD_RATE;
	out->throttled = __atomic_load_n(&b->throttled, __ATOMIC_RELAXED) != 0;
	out->throttle_count = __atomic_load_n(&b->throttle_count, __ATOMIC_RELAXED);
	if (!out->enabled)
		return;
	erdp_policer_params(p, out->rate_kbps, &pp);
	lc = (int64_t)(now - __atomic_load_n(&b->c_empty, __ATOMIC_RELAXED));
	lt = (int64_t)(now - __atomic_load_n(&b->t_empty, __ATOMIC_RELAXED));
	lc = lc < 0 ? 0 : lc > (int64_t)pp.depth_ticks ? (int64_t)pp.depth_ticks : lc;
	lt = lt < 0 ? 0 : lt > (int64_t)pp.depth_ticks ? (int64_t)pp.depth_ticks : lt;
	/* Whole chunks' worth exactly, the remainder pro rata (telemetry precision). */
	out->c_level = (uint64_t)lc / pp.chunk_ticks * pp.c_chunk +
		       (uint64_t)lc % pp.chunk_ticks * pp.c_chunk / pp.chunk_ticks;
	out->t_level = (uint64_t)lt / pp.chunk_ticks * pp.t_chunk +
		       (uint64_t)lt % pp.chunk_ticks * pp.t_chunk / pp.chunk_ticks;
}
