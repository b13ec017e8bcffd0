/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creation, sizing and accounting of struct erdp_fib. Routes are in
 * erdp_fib_route.c, lookups in erdp_fib_lookup.c, IPv6 /113../128 in
 * erdp_fib_ext6.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_rcu_qsbr.h>

#include "erdp_fib_priv.h"

/*
 * IPv6 tables are DPDK's rte_fib6 TRIE: tbl8 groups (256 entries, 1 KiB
 * with 4-byte next hops) per route of capacity. DPDK reserves groups per
 * route at insert time (one per byte of depth past the covering route, at
 * least past /24 of the key) and fails with -ENOSPC when the reservation
 * would exceed num_tbl8, so these factors bound how many routes of a
 * typical length mix fit:
 *  - shared IPv6 (key /16+len): /48 reserves 5, /64 7 -> 6 per route;
 *  - dedicated IPv6 TRIE: /32 reserves 1, /48 3, /64 5 -> 3 per route.
 * Each table also gets FIB_TBL8_SLACK groups. The pool is shared by all
 * VRFs of a table, so a VRF with an unusual mix borrows from the others.
 * IPv4 uses erdp's own tables (erdp_lpm16.h), sized by their exact bound.
 */
#define FIB_TBL8_SLACK	    256u
#define FIB6_TBL8_SHARED    6u
#define FIB6_TBL8_DEDICATED 3u

static uint64_t tbl8_shared6(uint64_t routes)
{
	return FIB6_TBL8_SHARED * routes + FIB_TBL8_SLACK;
}

static uint64_t tbl8_dedicated6(uint64_t routes)
{
	return FIB6_TBL8_DEDICATED * routes + FIB_TBL8_SLACK;
}

uint64_t fib_heap_used(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

void fib_rcu_wait(const struct erdp_fib *fib)
{
	if (fib->rcu != NULL)
		rte_rcu_qsbr_synchronize(fib->rcu, RTE_QSBR_THRID_INVALID);
}

/* A dedicated IPv6 VRF: an unkeyed rte_fib6 TRIE of its own. */
static void *create_dedicated6(struct erdp_fib *fib, const struct erdp_fib_params *p,
			       unsigned int v, struct erdp_err *err)
{
	char name[32];
	uint32_t cap = p->capacity[v];
	struct rte_fib6_conf c = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB_DEF_NH,
		.max_routes = (int)cap,
		.trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = (uint32_t)tbl8_dedicated6(cap)},
	};
	void *t;

	snprintf(name, sizeof(name), "%s%ud", fib->name, v);
	t = rte_fib6_create(name, p->socket_id, &c);
	if (t == NULL)
		erdp_errf(
			err, rte_errno ? rte_errno : ENOMEM,
			"fib %s: cannot create the dedicated IPv6 table of VRF %u (%u routes): %s",
			p->name, v, cap, rte_strerror(rte_errno));
	return t;
}

/*
 * IPv4: every VRF in one lpm16, small VRFs DIR-16-8-8, dedicated ones
 * DIR-24-8 ("wide"). Its group pool is bounded by what the capacities can
 * need at once, so no route set within the capacities runs out of groups;
 * chunks are allocated as routes need them, so the bound costs only a
 * pointer per 4,096 groups.
 */
static int create_lpm4(struct erdp_fib *fib, const struct erdp_fib_params *p, const uint8_t *wide,
		       uint64_t small_routes, uint64_t wide_routes, struct erdp_err *err)
{
	char name[32];
	uint64_t groups = lpm16_groups_bound(small_routes, wide_routes);
	uint64_t heap = fib_heap_used();

	if (groups >= LPM16_E_GROUP)
		return erdp_errf(err, EINVAL, "fib %s: %llu IPv4 routes of capacity is too many",
				 p->name, (unsigned long long)(small_routes + wide_routes));
	snprintf(name, sizeof(name), "%ss", fib->name);
	fib->lpm4 =
		lpm16_create(name, fib->n_vrfs, wide, (uint32_t)groups, p->socket_id, p->rcu, err);
	if (fib->lpm4 == NULL)
		return -err->code;
	fib->lpm4v = lpm16_view(fib->lpm4);
	fib->lpm4_heap = fib_heap_used() - heap; /* counted by lpm16_memory() */
	return 0;
}

static int create_shared6(struct erdp_fib *fib, const struct erdp_fib_params *p, uint64_t routes,
			  struct erdp_err *err)
{
	char name[32];
	uint64_t tbl8 = tbl8_shared6(routes);
	struct rte_fib6_conf c = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB_DEF_NH,
		.max_routes = (int)routes,
		.trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = (uint32_t)tbl8},
	};

	if (routes > INT32_MAX / 2 || tbl8 >= FIB_DEF_NH)
		return erdp_errf(err, EINVAL, "fib %s: %llu routes in shared VRFs is too many",
				 p->name, (unsigned long long)routes);
	snprintf(name, sizeof(name), "%ss", fib->name);
	fib->shared = rte_fib6_create(name, p->socket_id, &c);
	if (fib->shared == NULL)
		return erdp_errf(err, rte_errno ? rte_errno : ENOMEM,
				 "fib %s: cannot create the shared IPv6 table (%llu routes, %llu "
				 "tbl8 groups): %s",
				 p->name, (unsigned long long)routes, (unsigned long long)tbl8,
				 rte_strerror(rte_errno));
	return fib_ext_create(fib, routes > FIB_EXT_MAX ? FIB_EXT_MAX : (uint32_t)routes);
}

static int check_params(int family, const struct erdp_fib_params *p, struct erdp_err *err)
{
	if (family != 4 && family != 6)
		return erdp_errf(err, EINVAL, "fib: family must be 4 or 6, not %d", family);
	if (p == NULL || p->name == NULL || p->capacity == NULL)
		return erdp_errf(err, EINVAL, "fib: name and capacity are required");
	if (p->n_vrfs == 0 || p->n_vrfs > FIB_VRF_IDS)
		return erdp_errf(err, EINVAL, "fib %s: n_vrfs must be 1..65536, not %u", p->name,
				 p->n_vrfs);
	return 0;
}

static bool is_dedicated(const struct erdp_fib_params *p, unsigned int v)
{
	uint32_t min = p->dedicated_min ? p->dedicated_min : ERDP_FIB_DEDICATED_MIN;

	return p->capacity[v] >= min;
}

static int create_tables4(struct erdp_fib *fib, const struct erdp_fib_params *p,
			  struct erdp_err *err)
{
	uint64_t small_routes = 0, wide_routes = 0;
	uint8_t *wide = calloc(p->n_vrfs, 1);
	int rc = 0;

	if (wide == NULL)
		return erdp_errf(err, ENOMEM, "fib %s: out of memory for %u VRFs", p->name,
				 p->n_vrfs);
	for (unsigned int v = 0; v < p->n_vrfs; v++) {
		fib->vrf[v].capacity = p->capacity[v];
		wide[v] = p->capacity[v] > 0 && is_dedicated(p, v);
		fib->is_ded[v] = wide[v]; /* the lookup's split */
		if (wide[v])
			wide_routes += p->capacity[v];
		else
			small_routes += p->capacity[v];
	}
	if (small_routes + wide_routes > 0)
		rc = create_lpm4(fib, p, wide, small_routes, wide_routes, err);
	free(wide);
	return rc;
}

static int create_tables6(struct erdp_fib *fib, const struct erdp_fib_params *p,
			  struct erdp_err *err)
{
	uint64_t shared_routes = 0;
	unsigned int v;

	for (v = 0; v < p->n_vrfs; v++) {
		fib->vrf[v].capacity = p->capacity[v];
		if (p->capacity[v] == 0)
			continue;
		if (!is_dedicated(p, v)) {
			shared_routes += p->capacity[v];
			continue;
		}
		fib->ded[v] = create_dedicated6(fib, p, v, err);
		if (fib->ded[v] == NULL)
			return -err->code;
		fib->is_ded[v] = 1;
	}
	return shared_routes == 0 ? 0 : create_shared6(fib, p, shared_routes, err);
}

struct erdp_fib *erdp_fib_create(int family, const struct erdp_fib_params *p, struct erdp_err *err)
{
	struct erdp_err local;
	struct erdp_fib *fib;
	uint64_t before = fib_heap_used();

	if (err == NULL)
		err = &local;
	erdp_err_clear(err);
	if (check_params(family, p, err) != 0)
		return NULL;
	fib = rte_zmalloc_socket("erdp_fib", sizeof(*fib), 0, p->socket_id);
	if (fib == NULL)
		goto nomem;
	fib->family = family;
	fib->n_vrfs = p->n_vrfs;
	fib->rcu = p->rcu;
	/* DPDK object names are short (mempool names ~26 chars, prefixed). */
	snprintf(fib->name, sizeof(fib->name), "%.10s%d", p->name, family);
	fib->ded = rte_zmalloc_socket("erdp_fib_ded", sizeof(void *) * p->n_vrfs,
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	fib->is_ded =
		rte_zmalloc_socket("erdp_fib_is_ded", p->n_vrfs, RTE_CACHE_LINE_SIZE, p->socket_id);
	fib->vrf =
		rte_zmalloc_socket("erdp_fib_vrf", sizeof(*fib->vrf) * p->n_vrfs, 0, p->socket_id);
	if (fib->ded == NULL || fib->is_ded == NULL || fib->vrf == NULL) {
		erdp_fib_free(fib);
		goto nomem;
	}
	if ((family == 4 ? create_tables4(fib, p, err) : create_tables6(fib, p, err)) != 0) {
		erdp_fib_free(fib);
		return NULL;
	}
	fib->mem_create = fib_heap_used() - before - fib->lpm4_heap;
	return fib;
nomem:
	erdp_errf(err, ENOMEM, "fib %s: out of memory for %u VRFs", p->name, p->n_vrfs);
	return NULL;
}

void erdp_fib_free(struct erdp_fib *fib)
{
	unsigned int v;

	if (fib == NULL)
		return;
	for (v = 0; fib->ded != NULL && v < fib->n_vrfs; v++)
		rte_fib6_free(fib->ded[v]);
	fib_ext_free(fib->ext);
	rte_fib6_free(fib->shared);
	lpm16_free(fib->lpm4);
	rte_free(fib->ded);
	rte_free(fib->is_ded);
	rte_free(fib->vrf);
	rte_free(fib);
}

uint32_t erdp_fib_count(const struct erdp_fib *fib, uint16_t vrf)
{
	return vrf < fib->n_vrfs ? fib->vrf[vrf].count : 0;
}

uint32_t erdp_fib_capacity(const struct erdp_fib *fib, uint16_t vrf)
{
	return vrf < fib->n_vrfs ? fib->vrf[vrf].capacity : 0;
}

int fib_nospc(struct erdp_fib *fib, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fib->nospc, sizeof(fib->nospc), fmt, ap);
	va_end(ap);
	return -ENOSPC;
}

const char *erdp_fib_nospc_reason(const struct erdp_fib *fib)
{
	return fib->nospc;
}

uint64_t erdp_fib_memory(const struct erdp_fib *fib)
{
	/* lpm16 grows with its routes; the rest is fixed at create time. */
	return fib->mem_create + fib_ext_memory(fib->ext) +
	       (fib->lpm4 != NULL ? lpm16_memory(fib->lpm4) : 0);
}
