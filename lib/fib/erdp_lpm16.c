/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DIR-16-8-8 and DIR-24-8 for IPv4 VRFs (see erdp_lpm16.h).
 *
 * Writes follow the classic DIR-24-8 rules (as rte_lpm does): adding P/L
 * overwrites, in P's range, every leaf whose prefix length is <= L and
 * descends into groups; deleting P/L puts back, in P's range, every leaf of
 * length exactly L with the longest remaining route covering P (found in
 * the rule table), and folds a group whose 256 entries became equal back
 * into its parent entry. Rules live in an open-addressing hash in ordinary
 * heap memory: only the writer reads it.
 *
 * The group pool keeps its free list and its retired-group queue inside
 * per-chunk metadata, allocated with the chunk: nothing grows on a delete,
 * so retiring a group cannot fail, and the pool costs nothing until routes
 * need groups.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "erdp_lpm16.h"

#define GROUP_ENTRIES 256u
#define GROUP_BITS    8u
#define CHUNK_GROUPS  (1u << LPM16_CHUNK_BITS)
#define NO_GROUP      UINT32_MAX
#define ADDR_BITS     32u

struct rule {
	uint32_t addr;
	uint16_t vrf;
	uint8_t len;
	uint8_t used;
	uint32_t nh;
};

/* Per group, beside the chunk: a link in the free list or the retired queue. */
struct group_meta {
	uint64_t token; /* QSBR token taken when the group was retired */
	uint32_t next;
};

struct lpm16 {
	struct lpm16_view v;
	uint8_t *wide; /* v.wide, writable */
	unsigned int n_vrfs;
	int socket;
	struct rte_rcu_qsbr *rcu;
	uint32_t max_groups;
	uint32_t n_chunks, max_chunks;
	struct group_meta **meta;   /* per chunk */
	uint32_t next_new;	    /* groups below this have been handed out at least once */
	uint32_t free_head, n_free; /* reusable groups (grace period over) */
	uint32_t pend_head, pend_tail, n_pend; /* retired, oldest first */
	struct rule *rules;
	uint64_t n_slots, n_rules;
	uint64_t mem;
	char name[32];
};

static inline uint32_t leaf(uint8_t len, uint32_t nh)
{
	return LPM16_E_VALID | ((uint32_t)len << 24) | nh;
}

static inline bool is_group(uint32_t e)
{
	return (e & LPM16_E_GROUP) != 0;
}

static inline uint8_t leaf_len(uint32_t e)
{
	return (uint8_t)((e >> 24) & 0x3f);
}

static inline uint32_t mask4(uint32_t a, uint8_t len)
{
	return len == 0 ? 0 : a & (0xffffffffu << (32 - len));
}

static inline void store(uint32_t *slot, uint32_t e)
{
	__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

static uint32_t *group_ptr(const struct lpm16 *l, uint32_t g)
{
	return &l->v.chunks[g >> LPM16_CHUNK_BITS][(g & (CHUNK_GROUPS - 1)) * GROUP_ENTRIES];
}

static struct group_meta *meta_of(const struct lpm16 *l, uint32_t g)
{
	return &l->meta[g >> LPM16_CHUNK_BITS][g & (CHUNK_GROUPS - 1)];
}

/* Address bits resolved by a VRF's first level. */
static unsigned int top_bits(const struct lpm16 *l, uint16_t vrf)
{
	return l->wide[vrf] ? LPM16_TOP_BITS_WIDE : LPM16_TOP_BITS_SMALL;
}

/* ---- rules ---- */

static uint64_t rule_hash(uint16_t vrf, uint32_t addr, uint8_t len)
{
	uint64_t k = ((uint64_t)vrf << 40) | ((uint64_t)len << 32) | addr;

	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ull;
	return k ^ (k >> 29);
}

static struct rule *rule_slot(const struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len)
{
	uint64_t i = rule_hash(vrf, addr, len) & (l->n_slots - 1);

	for (;; i = (i + 1) & (l->n_slots - 1)) {
		struct rule *r = &l->rules[i];

		if (!r->used || (r->vrf == vrf && r->addr == addr && r->len == len))
			return r;
	}
}

static int rules_grow(struct lpm16 *l)
{
	uint64_t old_n = l->n_slots, n = old_n ? old_n * 2 : 1024;
	struct rule *old = l->rules, *nr = calloc(n, sizeof(*nr));

	if (nr == NULL)
		return -ENOMEM;
	l->rules = nr;
	l->n_slots = n;
	for (uint64_t i = 0; i < old_n; i++)
		if (old[i].used)
			*rule_slot(l, old[i].vrf, old[i].addr, old[i].len) = old[i];
	free(old);
	return 0;
}

/* Remove r, shifting later entries of its probe run back (no tombstones). */
static void rule_remove(struct lpm16 *l, struct rule *r)
{
	uint64_t i = (uint64_t)(r - l->rules), j = i;

	l->rules[i].used = 0;
	l->n_rules--;
	for (;;) {
		uint64_t h;

		j = (j + 1) & (l->n_slots - 1);
		if (!l->rules[j].used)
			return;
		h = rule_hash(l->rules[j].vrf, l->rules[j].addr, l->rules[j].len) &
		    (l->n_slots - 1);
		/* Move j back to i when its home h is not in the cyclic range (i, j]. */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			l->rules[i] = l->rules[j];
			l->rules[j].used = 0;
			i = j;
		}
	}
}

/* Longest rule strictly shorter than len covering addr, as a leaf (0 if none). */
static uint32_t covering_leaf(const struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len)
{
	for (int k = (int)len - 1; k >= 0; k--) {
		const struct rule *r = rule_slot(l, vrf, mask4(addr, (uint8_t)k), (uint8_t)k);

		if (r->used)
			return leaf((uint8_t)k, r->nh);
	}
	return 0;
}

/* ---- groups ---- */

/* Move retired groups whose grace period is over to the free list; wait for it if asked. */
static void reclaim(struct lpm16 *l, bool wait)
{
	while (l->n_pend > 0) {
		uint32_t g = l->pend_head;
		struct group_meta *m = meta_of(l, g);

		if (l->rcu != NULL && rte_rcu_qsbr_check(l->rcu, m->token, wait) != 1)
			return;
		l->pend_head = m->next;
		l->n_pend--;
		m->next = l->free_head;
		l->free_head = g;
		l->n_free++;
	}
}

/* Groups that can be handed out now, without more memory than chunks hold. */
static uint32_t groups_available(const struct lpm16 *l)
{
	return l->n_free + (l->max_groups - l->next_new);
}

/*
 * Room for `need` new groups. Retired groups count once readers are past
 * them: when the pool is short only because of those, wait for the grace
 * period rather than refuse a route (deletes must give capacity back).
 */
static bool groups_room(struct lpm16 *l, uint32_t need)
{
	reclaim(l, false);
	if (groups_available(l) < need && l->n_pend > 0)
		reclaim(l, true);
	return groups_available(l) >= need;
}

static int chunk_add(struct lpm16 *l)
{
	size_t sz = CHUNK_GROUPS * GROUP_ENTRIES * sizeof(uint32_t);
	uint32_t *c = rte_malloc_socket(l->name, sz, RTE_CACHE_LINE_SIZE, l->socket);
	struct group_meta *m = calloc(CHUNK_GROUPS, sizeof(*m));

	if (c == NULL || m == NULL) {
		rte_free(c);
		free(m);
		return -ENOMEM;
	}
	l->meta[l->n_chunks] = m;
	/* Readers index chunks only through group entries published later. */
	__atomic_store_n(&l->v.chunks[l->n_chunks], c, __ATOMIC_RELEASE);
	l->n_chunks++;
	l->mem += sz + CHUNK_GROUPS * sizeof(*m);
	return 0;
}

static int group_alloc(struct lpm16 *l, uint32_t *g)
{
	if (l->n_free > 0) {
		*g = l->free_head;
		l->free_head = meta_of(l, *g)->next;
		l->n_free--;
		return 0;
	}
	if (l->next_new == l->max_groups)
		return -ENOSPC;
	if ((l->next_new >> LPM16_CHUNK_BITS) == l->n_chunks && chunk_add(l) != 0)
		return -ENOMEM;
	*g = l->next_new++;
	return 0;
}

/* Retire a group nobody points at any more; readers may still be inside it. */
static void group_retire(struct lpm16 *l, uint32_t g)
{
	struct group_meta *m = meta_of(l, g);

	m->token = l->rcu != NULL ? rte_rcu_qsbr_start(l->rcu) : 0;
	m->next = NO_GROUP;
	if (l->n_pend == 0)
		l->pend_head = g;
	else
		meta_of(l, l->pend_tail)->next = g;
	l->pend_tail = g;
	l->n_pend++;
}

/* The group under *slot, creating it from the leaf there when needed. */
static int group_under(struct lpm16 *l, uint32_t *slot, uint32_t **out)
{
	uint32_t e = *slot, g, *p;
	int rc;

	if (is_group(e)) {
		*out = group_ptr(l, e & ~LPM16_E_GROUP);
		return 0;
	}
	rc = group_alloc(l, &g);
	if (rc != 0)
		return rc;
	p = group_ptr(l, g);
	for (unsigned int i = 0; i < GROUP_ENTRIES; i++)
		p[i] = e;		/* same answer as before for all 256 */
	store(slot, LPM16_E_GROUP | g); /* publish after the fill */
	*out = p;
	return 0;
}

/*
 * A group whose entries are all the same leaf goes back into its parent
 * entry, but only when that leaf's prefix is no longer than the parent's
 * level resolves (/16 or /24 for a first-level entry, 8 bits more for a
 * group entry): two sibling /17s with one next hop must keep their group,
 * or deleting one of them could no longer find its half.
 */
static void group_fold(struct lpm16 *l, uint32_t *slot, uint8_t slot_bits)
{
	uint32_t e = *slot, *p;

	if (!is_group(e))
		return;
	p = group_ptr(l, e & ~LPM16_E_GROUP);
	if (is_group(p[0]) || ((p[0] & LPM16_E_VALID) && leaf_len(p[0]) > slot_bits))
		return;
	for (unsigned int i = 1; i < GROUP_ENTRIES; i++)
		if (p[i] != p[0])
			return;
	store(slot, p[0]);
	group_retire(l, e & ~LPM16_E_GROUP);
}

/* ---- range updates ---- */

/* Add: every leaf of length <= len under slot becomes `nl`. */
static void add_under(struct lpm16 *l, uint32_t *slot, uint32_t nl, uint8_t len)
{
	uint32_t e = *slot;

	if (is_group(e)) {
		uint32_t *p = group_ptr(l, e & ~LPM16_E_GROUP);

		for (unsigned int i = 0; i < GROUP_ENTRIES; i++)
			add_under(l, &p[i], nl, len);
	} else if (!(e & LPM16_E_VALID) || leaf_len(e) <= len) {
		store(slot, nl);
	}
}

/*
 * Delete: every leaf of exactly `len` under slot becomes `repl`; fold what
 * became uniform. slot_bits: address bits the slot's level resolves.
 */
static void del_under(struct lpm16 *l, uint32_t *slot, uint32_t repl, uint8_t len,
		      uint8_t slot_bits)
{
	uint32_t e = *slot;

	if (is_group(e)) {
		uint32_t *p = group_ptr(l, e & ~LPM16_E_GROUP);

		for (unsigned int i = 0; i < GROUP_ENTRIES; i++)
			del_under(l, &p[i], repl, len, (uint8_t)(slot_bits + 8));
		group_fold(l, slot, slot_bits);
	} else if ((e & LPM16_E_VALID) && leaf_len(e) == len) {
		store(slot, repl);
	}
}

/* First-level table of a VRF, allocated on first use (small VRFs). */
static int top_of(struct lpm16 *l, uint16_t vrf, bool create, uint32_t **t)
{
	size_t sz = ((size_t)1 << top_bits(l, vrf)) * sizeof(uint32_t);

	*t = l->v.top[vrf];
	if (*t != NULL || !create)
		return 0;
	*t = rte_zmalloc_socket(l->name, sz, RTE_CACHE_LINE_SIZE, l->socket);
	if (*t == NULL)
		return -ENOMEM;
	l->mem += sz;
	__atomic_store_n(&l->v.top[vrf], *t, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Groups that adding addr/len must create: those missing on its path (none
 * for a replacement, or under groups that exist), so that a pool used to
 * its bound still takes what needs nothing new.
 */
static uint32_t groups_missing(const struct lpm16 *l, const uint32_t *t, unsigned int tb,
			       uint32_t addr, uint8_t len)
{
	const uint32_t *level = t;
	uint32_t idx = addr >> (ADDR_BITS - tb), missing = 0;

	for (unsigned int bits = tb; len > bits; bits += GROUP_BITS) {
		if (level == NULL || !is_group(level[idx])) {
			missing++;
			level = NULL; /* everything below it is missing too */
			continue;
		}
		level = group_ptr(l, level[idx] & ~LPM16_E_GROUP);
		idx = (addr >> (ADDR_BITS - bits - GROUP_BITS)) & (GROUP_ENTRIES - 1);
	}
	return missing;
}

/* Address bits resolved by the level that holds the leaves of a route of length len. */
static uint8_t level_bits(unsigned int tb, uint8_t len)
{
	return (uint8_t)(len <= tb ? tb : len <= tb + GROUP_BITS ? tb + GROUP_BITS : ADDR_BITS);
}

/*
 * Slots of the range of addr/len in a first level of tb bits: the level
 * holding them, the first index and the count, and the entries pointing
 * to the groups on the way (NULL when the route is in the first level).
 */
static int range_of(struct lpm16 *l, uint32_t *t, unsigned int tb, uint32_t addr, uint8_t len,
		    bool create, uint32_t **level, uint32_t *first, uint32_t *count,
		    uint32_t *parents[2])
{
	unsigned int bits = tb;
	uint32_t *cur = t, idx = addr >> (ADDR_BITS - tb);
	int rc;

	parents[0] = parents[1] = NULL;
	for (int depth = 0; len > bits; depth++) {
		parents[depth] = &cur[idx];
		if (!create && !is_group(*parents[depth]))
			return -ENOENT;
		rc = group_under(l, parents[depth], &cur);
		if (rc != 0)
			return rc;
		bits += GROUP_BITS;
		idx = (addr >> (ADDR_BITS - bits)) & (GROUP_ENTRIES - 1);
	}
	*level = cur;
	*first = idx;
	*count = 1u << (bits - len);
	return 0;
}

/* Fold the groups on a route's path, deepest first; a failed add leaves none behind. */
static void fold_path(struct lpm16 *l, uint32_t *parents[2], unsigned int tb)
{
	if (parents[1] != NULL)
		group_fold(l, parents[1], (uint8_t)(tb + GROUP_BITS));
	if (parents[0] != NULL)
		group_fold(l, parents[0], (uint8_t)tb);
}

int lpm16_add(struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t nh)
{
	uint32_t *t, *level, first, count, *parents[2];
	unsigned int tb;
	struct rule *r;
	int rc;

	if (l == NULL || vrf >= l->n_vrfs || len > ADDR_BITS || nh >= LPM16_NH_MAX)
		return -EINVAL;
	addr = mask4(addr, len);
	tb = top_bits(l, vrf);
	/* Room first, so that a failure changes nothing a lookup can see. */
	if ((l->n_rules + 1) * 10 > l->n_slots * 7 && rules_grow(l) != 0)
		return -ENOMEM;
	if (!groups_room(l, groups_missing(l, l->v.top[vrf], tb, addr, len)))
		return -ENOSPC;
	rc = top_of(l, vrf, true, &t);
	if (rc != 0)
		return rc;
	rc = range_of(l, t, tb, addr, len, true, &level, &first, &count, parents);
	if (rc != 0) {
		fold_path(l, parents, tb); /* a group made for nothing (chunk memory) */
		return rc;
	}
	for (uint32_t i = 0; i < count; i++)
		add_under(l, &level[first + i], leaf(len, nh), len);
	r = rule_slot(l, vrf, addr, len);
	if (!r->used)
		l->n_rules++;
	*r = (struct rule){.addr = addr, .vrf = vrf, .len = len, .used = 1, .nh = nh};
	return 0;
}

int lpm16_del(struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len)
{
	uint32_t *t, *level, first, count, *parents[2], repl;
	unsigned int tb;
	struct rule *r;

	if (l == NULL || vrf >= l->n_vrfs || len > ADDR_BITS)
		return -EINVAL;
	addr = mask4(addr, len);
	r = l->rules != NULL ? rule_slot(l, vrf, addr, len) : NULL;
	if (r == NULL || !r->used)
		return -ENOENT;
	rule_remove(l, r);
	repl = covering_leaf(l, vrf, addr, len);
	tb = top_bits(l, vrf);
	top_of(l, vrf, false, &t);
	if (t == NULL || range_of(l, t, tb, addr, len, false, &level, &first, &count, parents) != 0)
		return 0; /* nothing was ever written for it */
	for (uint32_t i = 0; i < count; i++)
		del_under(l, &level[first + i], repl, len, level_bits(tb, len));
	fold_path(l, parents, tb);
	return 0;
}

int lpm16_get(const struct lpm16 *l, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t *nh)
{
	const struct rule *r;

	if (l == NULL || vrf >= l->n_vrfs || len > 32)
		return -EINVAL;
	if (l->rules == NULL)
		return -ENOENT;
	r = rule_slot(l, vrf, mask4(addr, len), len);
	if (!r->used)
		return -ENOENT;
	*nh = r->nh;
	return 0;
}

uint32_t lpm16_groups_used(const struct lpm16 *l)
{
	return l->next_new - l->n_free - l->n_pend;
}

uint64_t lpm16_groups_bound(uint64_t small_routes, uint64_t wide_routes)
{
	return 2 * small_routes + wide_routes;
}

uint64_t lpm16_memory(const struct lpm16 *l)
{
	return l->mem + l->n_slots * sizeof(struct rule);
}

const struct lpm16_view *lpm16_view(const struct lpm16 *l)
{
	return &l->v;
}

/* What a lookup reads in place of a group when an entry is not one (never used). */
static const uint32_t dummy_group[GROUP_ENTRIES] __rte_cache_aligned;

static int alloc_tables(struct lpm16 *l, const uint8_t *wide)
{
	l->v.top = calloc(l->n_vrfs, sizeof(*l->v.top));
	l->wide = calloc(l->n_vrfs, sizeof(*l->wide));
	l->v.chunks = calloc(l->max_chunks, sizeof(*l->v.chunks));
	l->meta = calloc(l->max_chunks, sizeof(*l->meta));
	if (l->v.top == NULL || l->wide == NULL || l->v.chunks == NULL || l->meta == NULL ||
	    rules_grow(l) != 0)
		return -ENOMEM;
	l->v.wide = l->wide;
	l->mem = l->n_vrfs * (sizeof(*l->v.top) + sizeof(*l->wide)) +
		 l->max_chunks * (sizeof(*l->v.chunks) + sizeof(*l->meta));
	for (unsigned int v = 0; v < l->n_vrfs; v++) {
		uint32_t *t;

		l->wide[v] = wide != NULL && wide[v];
		/* A wide VRF's 64 MiB up front: the operator learns at start if it fits. */
		if (l->wide[v] && top_of(l, (uint16_t)v, true, &t) != 0)
			return -ENOMEM;
	}
	return 0;
}

struct lpm16 *lpm16_create(const char *name, unsigned int n_vrfs, const uint8_t *wide,
			   uint32_t max_groups, int socket_id, struct rte_rcu_qsbr *rcu,
			   struct erdp_err *err)
{
	struct lpm16 *l;

	if (max_groups == 0 || max_groups > (LPM16_E_GROUP - 1) || n_vrfs == 0 ||
	    n_vrfs > UINT16_MAX + 1u) {
		erdp_errf(err, EINVAL, "lpm16 %s: %u VRFs, %u groups: must be 1..65536, 1..2^31",
			  name, n_vrfs, max_groups);
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l != NULL) {
		snprintf(l->name, sizeof(l->name), "%s", name);
		l->n_vrfs = n_vrfs;
		l->socket = socket_id;
		l->rcu = rcu;
		l->max_groups = max_groups;
		l->max_chunks = (max_groups + CHUNK_GROUPS - 1) / CHUNK_GROUPS;
		l->free_head = l->pend_head = l->pend_tail = NO_GROUP;
		l->v.dummy = dummy_group;
	}
	if (l == NULL || alloc_tables(l, wide) != 0) {
		lpm16_free(l);
		erdp_errf(err, ENOMEM, "lpm16 %s: out of memory for %u VRFs", name, n_vrfs);
		return NULL;
	}
	return l;
}

void lpm16_free(struct lpm16 *l)
{
	if (l == NULL)
		return;
	for (unsigned int v = 0; l->v.top != NULL && v < l->n_vrfs; v++)
		rte_free(l->v.top[v]);
	for (uint32_t c = 0; l->v.chunks != NULL && c < l->n_chunks; c++) {
		rte_free(l->v.chunks[c]);
		free(l->meta[c]);
	}
	free(l->v.top);
	free(l->wide);
	free(l->v.chunks);
	free(l->meta);
	free(l->rules);
	free(l);
}
