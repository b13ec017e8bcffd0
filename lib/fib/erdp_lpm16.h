/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 longest-prefix match for every VRF of a table: DIR-16-8-8 for small
 * VRFs, DIR-24-8 for large ("wide") ones.
 *
 * Each VRF has a first-level table indexed by the top address bits: 2^16
 * entries (256 KiB, allocated with the VRF's first route) for a small VRF,
 * 2^24 (64 MiB, allocated at create) for a wide one. An entry is a next
 * hop, or a pointer to a 256-entry group for the next 8 bits, whose entries
 * may point to a group for the last 8 (small VRFs only). Groups come from
 * one pool shared by all VRFs and grown in chunks as routes need them, so
 * memory follows the routes actually present: 1 KiB per /16 (small VRFs)
 * and per /24 that holds a longer prefix. A lookup is one, two or three
 * dependent loads (wide: one up to /24, two beyond), and a burst of lookups
 * across any mix of small VRFs is one pass (wide VRFs: another).
 *
 * Entries: bit 31 = group pointer (bits 0..30 the group), else bit 30 =
 * valid, bits 24..29 = prefix length, bits 0..23 = next hop (< 2^24).
 *
 * Groups in use are counted exactly, from the table itself (a group exists
 * while its /16 or /24 holds a longer prefix, and is folded back when it
 * does not): a small VRF's route needs at most 2, a wide VRF's at most 1,
 * so a pool of lpm16_groups_bound() never runs out while the VRFs stay
 * within their route capacities. No reservation counter that could drift.
 *
 * Concurrency: lookups run on any number of threads while ONE thread
 * writes. Every entry is written with one aligned 32-bit store and a new
 * group is filled before the entry pointing to it is published, so a
 * lookup sees the old or the new route. Groups that become unused are
 * reused only after an RCU grace period (`rcu`, when given); an add that
 * finds the pool short of groups waits for that grace period.
 */
#ifndef ERDP_LPM16_H
#define ERDP_LPM16_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_prefetch.h>

#include "erdp_err.h"

#define LPM16_NH_MAX	     (1u << 24)
#define LPM16_NO_ROUTE	     0xffffffffu
#define LPM16_E_GROUP	     0x80000000u
#define LPM16_E_VALID	     0x40000000u
#define LPM16_CHUNK_BITS     12 /* groups per pool chunk: 4096 (4 MiB) */
#define LPM16_TOP_BITS_SMALL 16 /* first-level bits of a small VRF */
#define LPM16_TOP_BITS_WIDE  24 /* ... of a wide one */

struct rte_rcu_qsbr;
struct lpm16;

struct lpm16_view {
	uint32_t **top;	       /* per VRF first level; NULL until a small VRF's first route */
	const uint8_t *wide;   /* per VRF: 1 = wide (read by lpm16_lookup only) */
	uint32_t **chunks;     /* group pool chunks */
	const uint32_t *dummy; /* 256 entries read in place of a group (lpm16_next_slot) */
};

/*
 * n_vrfs VRFs; wide[v] != 0 makes VRF v wide (wide may be NULL: none).
 * max_groups bounds the group pool (only its chunk pointers are allocated
 * up front); see lpm16_groups_bound().
 */
struct lpm16 *lpm16_create(const char *name, unsigned int n_vrfs, const uint8_t *wide,
			   uint32_t max_groups, int socket_id, struct rte_rcu_qsbr *rcu,
			   struct erdp_err *err);
void lpm16_free(struct lpm16 *l);

/* Groups that routes up to these capacities can need at once: 2 per small, 1 per wide route. */
uint64_t lpm16_groups_bound(uint64_t small_routes, uint64_t wide_routes);

/* Add or replace; -EINVAL (len > 32, nh >= LPM16_NH_MAX), -ENOSPC (group pool), -ENOMEM. */
int lpm16_add(struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t nh);
/* -ENOENT when absent. */
int lpm16_del(struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len);
/* Exact match of a route. */
int lpm16_get(const struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t *nh);

/* Groups in use: reachable from a first level (retired ones not counted). */
uint32_t lpm16_groups_used(const struct lpm16 *l);
uint64_t lpm16_memory(const struct lpm16 *l);
const struct lpm16_view *lpm16_view(const struct lpm16 *l);

/* Entry `byte` of the group that entry e points to. */
static inline const uint32_t *lpm16_group_slot(const struct lpm16_view *v, uint32_t e, uint8_t byte)
{
	uint32_t g = e & ~LPM16_E_GROUP;

	return &v->chunks[g >> LPM16_CHUNK_BITS]
			 [((g & ((1u << LPM16_CHUNK_BITS) - 1)) << 8) | byte];
}

static inline uint32_t lpm16_group_entry(const struct lpm16_view *v, uint32_t e, uint8_t byte)
{
	return *lpm16_group_slot(v, e, byte);
}

static inline uint32_t lpm16_result(uint32_t e)
{
	return (e & LPM16_E_VALID) ? (e & (LPM16_NH_MAX - 1)) : LPM16_NO_ROUTE;
}

/* Longest match of addr (host order) in vrf; LPM16_NO_ROUTE when none. */
static inline uint32_t lpm16_lookup(const struct lpm16_view *v, uint16_t vrf, uint32_t addr)
{
	const uint32_t *t = v->top[vrf];
	uint32_t e;

	if (t == NULL)
		return LPM16_NO_ROUTE;
	if (v->wide[vrf]) {
		e = __atomic_load_n(&t[addr >> 8], __ATOMIC_ACQUIRE);
		if (e & LPM16_E_GROUP)
			e = lpm16_group_entry(v, e, (uint8_t)addr);
		return lpm16_result(e);
	}
	e = __atomic_load_n(&t[addr >> 16], __ATOMIC_ACQUIRE);
	if (e & LPM16_E_GROUP) {
		e = lpm16_group_entry(v, e, (uint8_t)(addr >> 8));
		if (e & LPM16_E_GROUP)
			e = lpm16_group_entry(v, e, (uint8_t)addr);
	}
	return lpm16_result(e);
}

/*
 * Slot `byte` of the group entry e points to or, when e is not a group
 * entry, of the dummy group: no branch, because whether an address has a
 * route longer than the first level is random per packet and a
 * mispredicted branch costs more than reading a cached dummy line.
 */
static inline const uint32_t *lpm16_next_slot(const struct lpm16_view *v, uint32_t e, uint8_t byte)
{
	uint32_t grp = -(e >> 31); /* all ones for a group entry */
	uint32_t g = e & ~LPM16_E_GROUP & grp;
	const uint32_t *c = v->chunks[g >> LPM16_CHUNK_BITS]; /* chunk 0 slot when not a group */
	uintptr_t base = ((uintptr_t)c & (uintptr_t)(intptr_t)(int32_t)grp) |
			 ((uintptr_t)v->dummy & ~(uintptr_t)(intptr_t)(int32_t)grp);

	return (const uint32_t *)base + (((g & ((1u << LPM16_CHUNK_BITS) - 1)) << 8) | byte);
}

/*
 * Bulk for small VRFs only, in three passes so that a burst's cache misses
 * overlap instead of queueing one behind another: prefetch every
 * first-level entry; read them and prefetch the second-level entries they
 * point to; then finish each lookup (a third level, for prefixes longer
 * than /24, is read directly). The first two levels are branch-free
 * (lpm16_next_slot).
 */
static inline void lpm16_lookup_bulk(const struct lpm16_view *v, const uint16_t *vrf,
				     const uint32_t *addr, uint32_t *nh, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint32_t *t = v->top[vrf[i]];

		if (t != NULL)
			rte_prefetch0(&t[addr[i] >> 16]);
	}
	for (i = 0; i < n; i++) {
		const uint32_t *t = v->top[vrf[i]];
		uint32_t e = t == NULL ? 0 : __atomic_load_n(&t[addr[i] >> 16], __ATOMIC_ACQUIRE);

		rte_prefetch0(lpm16_next_slot(v, e, (uint8_t)(addr[i] >> 8)));
	}
	for (i = 0; i < n; i++) {
		const uint32_t *t = v->top[vrf[i]];
		uint32_t e, e2, grp;

		if (unlikely(t == NULL)) {
			nh[i] = LPM16_NO_ROUTE;
			continue;
		}
		e = __atomic_load_n(&t[addr[i] >> 16], __ATOMIC_ACQUIRE);
		e2 = *lpm16_next_slot(v, e, (uint8_t)(addr[i] >> 8));
		grp = -(e >> 31);
		e = (e2 & grp) | (e & ~grp);
		if (unlikely(e & LPM16_E_GROUP)) /* a /25../32 below this /24 */
			e = lpm16_group_entry(v, e, (uint8_t)addr[i]);
		nh[i] = lpm16_result(e);
	}
}

/*
 * Bulk for one wide VRF, first level t (v->top[vrf]): prefetch every
 * first-level entry, then finish each lookup. Unlike in a small VRF, a
 * group under a /24 is rare (full tables hold few prefixes longer than
 * /24), so the branch to it is well predicted and beats reading a dummy
 * group (measured: about half the cycles of the branch-free passes).
 */
static inline void lpm16_lookup_wide_bulk(const struct lpm16_view *v, const uint32_t *t,
					  const uint32_t *addr, uint32_t *nh, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_prefetch0(&t[addr[i] >> 8]);
	for (i = 0; i < n; i++) {
		uint32_t e = __atomic_load_n(&t[addr[i] >> 8], __ATOMIC_ACQUIRE);

		if (unlikely(e & LPM16_E_GROUP)) /* a /25../32 below this /24 */
			e = lpm16_group_entry(v, e, (uint8_t)addr[i]);
		nh[i] = lpm16_result(e);
	}
}

#endif
