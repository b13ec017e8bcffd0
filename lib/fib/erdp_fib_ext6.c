/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 prefixes longer than /112 in shared VRFs.
 *
 * The shared trie keys a route by [vrf:16][address:112], so a /113../128
 * does not fit. Such prefixes are rare (link /126s, /128 host routes): the
 * trie gets one entry at /112 (key depth 128) whose next hop names a side
 * "slot", and the slot holds a small immutable list of the longer prefixes
 * (longest first) plus the next hop for addresses that match none of them:
 * the /112 route itself when there is one, else the covering route.
 *
 * A list is never changed in place: the writer builds a new one, publishes
 * it with one pointer store and frees the old one after the readers' grace
 * period (fib->rcu), so a lookup reads a whole old or a whole new list.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_branch_prediction.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "erdp_fib_priv.h"

#define SLOT_NONE UINT32_MAX

struct ext_ent {
	uint16_t bits; /* last 16 address bits, masked */
	uint16_t mask; /* of those 16 bits, for len 113..128 */
	uint32_t nh;
};

struct ext_list {
	uint32_t dflt; /* /112 route, else covering route, else NO_ROUTE */
	uint32_t n;
	struct ext_ent e[]; /* longest first */
};

struct ext_slot {
	uint8_t key[16];  /* shared-trie key of the /112: [vrf][addr 0..13] */
	uint8_t addr[16]; /* the /112 as an address (last two bytes 0) */
	uint16_t vrf;
	bool has_base; /* a real /112 route exists */
	uint32_t base_nh;
	uint32_t prev, next; /* VRF chain; next doubles as free list */
};

struct fib_ext {
	struct ext_list **list; /* read by lookups, indexed by slot */
	struct ext_slot *slot;
	uint32_t n_slots, free_head;
	uint32_t *vrf_head;
	struct rte_hash *h; /* slot key -> slot id (writer only) */
	uint64_t list_bytes;
	uint64_t fixed_bytes;
};

int fib_ext_create(struct erdp_fib *fib, uint32_t routes)
{
	/* One slot per 4 routes of capacity: longer-than-/112 prefixes are rare. */
	uint32_t n = routes / 4 + 64, i;
	struct fib_ext *x;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = n,
		.key_len = 16,
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};

	if (n > FIB_EXT_MAX)
		n = FIB_EXT_MAX;
	x = rte_zmalloc("erdp_fib_ext", sizeof(*x), 0);
	if (x == NULL)
		return -ENOMEM;
	fib->ext = x;
	x->n_slots = n;
	x->list = rte_zmalloc("erdp_fib_extl", sizeof(*x->list) * n, RTE_CACHE_LINE_SIZE);
	x->slot = rte_zmalloc("erdp_fib_exts", sizeof(*x->slot) * n, 0);
	x->vrf_head = rte_malloc("erdp_fib_exth", sizeof(uint32_t) * fib->n_vrfs, 0);
	snprintf(name, sizeof(name), "%sx", fib->name);
	x->h = rte_hash_create(&hp);
	if (x->list == NULL || x->slot == NULL || x->vrf_head == NULL || x->h == NULL)
		return -ENOMEM;
	for (i = 0; i < fib->n_vrfs; i++)
		x->vrf_head[i] = SLOT_NONE;
	for (i = 0; i < n; i++)
		x->slot[i].next = i + 1 < n ? i + 1 : SLOT_NONE;
	x->free_head = 0;
	return 0;
}

void fib_ext_free(struct fib_ext *x)
{
	uint32_t i;

	if (x == NULL)
		return;
	for (i = 0; x->list != NULL && i < x->n_slots; i++)
		rte_free(x->list[i]);
	rte_hash_free(x->h);
	rte_free(x->list);
	rte_free(x->slot);
	rte_free(x->vrf_head);
	rte_free(x);
}

uint64_t fib_ext_memory(const struct fib_ext *x)
{
	return x == NULL ? 0 : x->list_bytes;
}

static struct ext_list *list_new(struct fib_ext *x, uint32_t n)
{
	size_t sz = sizeof(struct ext_list) + n * sizeof(struct ext_ent);
	struct ext_list *l = rte_malloc("erdp_fib_extl", sz, 0);

	if (l != NULL) {
		l->n = n;
		x->list_bytes += sz;
	}
	return l;
}

static void list_free(struct fib_ext *x, struct ext_list *l)
{
	if (l == NULL)
		return;
	x->list_bytes -= sizeof(struct ext_list) + l->n * sizeof(struct ext_ent);
	rte_free(l);
}

/* Publish `l` in slot `s` and free the list it replaces once unseen. */
static void list_publish(struct erdp_fib *fib, uint32_t s, struct ext_list *l)
{
	struct fib_ext *x = fib->ext;
	struct ext_list *old = x->list[s];

	__atomic_store_n(&x->list[s], l, __ATOMIC_RELEASE);
	if (old != NULL) {
		fib_rcu_wait(fib);
		list_free(x, old);
	}
}

static uint16_t ent_mask(uint8_t len)
{
	return (uint16_t)(0xffffu << (128 - len));
}

static uint16_t addr_bits(const uint8_t a[16])
{
	return (uint16_t)(a[14] << 8 | a[15]);
}

/* Index of (len, bits) in l, or the position where it would go (*found false). */
static uint32_t list_find(const struct ext_list *l, uint16_t mask, uint16_t bits, bool *found)
{
	uint32_t i;

	*found = false;
	for (i = 0; i < l->n; i++) {
		if (l->e[i].mask == mask && l->e[i].bits == bits) {
			*found = true;
			return i;
		}
		/* a shorter prefix has fewer mask bits: numerically smaller */
		if (l->e[i].mask < mask)
			break;
	}
	return i;
}

static int slot_find(const struct fib_ext *x, uint16_t vrf, const uint8_t a[16], uint8_t key[16])
{
	void *data;

	fib6_key(key, vrf, a);
	if (rte_hash_lookup_data(x->h, key, &data) < 0)
		return -ENOENT;
	return (int)(uintptr_t)data;
}

/* Next hop of the route covering slot s (shorter than /112), or NO_ROUTE. */
static uint32_t cover_nh(const struct erdp_fib *fib, const struct ext_slot *sl)
{
	struct rte_rib6 *rib = rte_fib6_get_rib(fib->shared);
	struct rte_rib6_node *node = rte_rib6_lookup_exact(rib, FIB6_IP(sl->key), 128);
	uint64_t nh;

	if (node == NULL)
		return ERDP_FIB_NO_ROUTE;
	node = rte_rib6_lookup_parent(node);
	if (node == NULL || rte_rib6_get_nh(node, &nh) != 0)
		return ERDP_FIB_NO_ROUTE;
	return (uint32_t)nh;
}

static int list_replace_dflt(struct erdp_fib *fib, uint32_t s, uint32_t dflt)
{
	const struct ext_list *old = fib->ext->list[s];
	struct ext_list *l;

	if (old->dflt == dflt)
		return 0;
	l = list_new(fib->ext, old->n);
	if (l == NULL)
		return -ENOMEM;
	memcpy(l->e, old->e, old->n * sizeof(old->e[0]));
	l->dflt = dflt;
	list_publish(fib, s, l);
	return 0;
}

static uint32_t slot_alloc(struct fib_ext *x, uint16_t vrf, const uint8_t key[16],
			   const uint8_t a[16])
{
	uint32_t s = x->free_head;
	struct ext_slot *sl;

	if (s == SLOT_NONE)
		return s;
	sl = &x->slot[s];
	x->free_head = sl->next;
	memcpy(sl->key, key, 16);
	memcpy(sl->addr, a, 14);
	sl->addr[14] = sl->addr[15] = 0;
	sl->vrf = vrf;
	sl->has_base = false;
	sl->prev = SLOT_NONE;
	sl->next = x->vrf_head[vrf];
	return s;
}

/* Make slot s known (hash, VRF chain) once its trie entry is in place. */
static int slot_link(struct fib_ext *x, uint32_t s)
{
	struct ext_slot *sl = &x->slot[s];
	int ret = rte_hash_add_key_data(x->h, sl->key, (void *)(uintptr_t)s);

	if (ret < 0)
		return ret;
	if (sl->next != SLOT_NONE)
		x->slot[sl->next].prev = s;
	x->vrf_head[sl->vrf] = s;
	return 0;
}

static void slot_release(struct fib_ext *x, uint32_t s)
{
	struct ext_slot *sl = &x->slot[s];

	if (sl->prev != SLOT_NONE)
		x->slot[sl->prev].next = sl->next;
	else
		x->vrf_head[sl->vrf] = sl->next;
	if (sl->next != SLOT_NONE)
		x->slot[sl->next].prev = sl->prev;
	rte_hash_del_key(x->h, sl->key);
	sl->next = x->free_head;
	x->free_head = s;
}

/* First prefix longer than /112 under a /112: a slot and a trie entry. */
static int slot_create(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len,
		       uint32_t nh, const uint8_t key[16])
{
	struct fib_ext *x = fib->ext;
	struct rte_rib6_node *node;
	struct ext_list *l;
	uint64_t v = ERDP_FIB_NO_ROUTE;
	uint8_t depth = 0;
	uint32_t s;
	int ret;

	s = slot_alloc(x, vrf, key, a);
	if (s == SLOT_NONE)
		return -ENOSPC;
	l = list_new(x, 1);
	if (l == NULL) {
		slot_release(x, s);
		return -ENOMEM;
	}
	/* Before the new entry exists, the longest match of the /112 is its dflt. */
	node = rte_rib6_lookup(rte_fib6_get_rib(fib->shared), FIB6_IP(key));
	if (node != NULL) {
		rte_rib6_get_nh(node, &v);
		rte_rib6_get_depth(node, &depth);
	}
	x->slot[s].has_base = node != NULL && depth == 128;
	x->slot[s].base_nh = (uint32_t)v;
	l->dflt = (uint32_t)v;
	l->e[0] = (struct ext_ent){.bits = addr_bits(a), .mask = ent_mask(len), .nh = nh};
	list_publish(fib, s, l);
	fib_dpdk_before_add(fib);
	ret = rte_fib6_add(fib->shared, FIB6_IP(key), 128, FIB_EXT_BASE + s);
	if (ret == 0)
		ret = slot_link(x, s);
	if (ret != 0) {
		/* the trie entry was not made: no reader can hold s */
		x->list[s] = NULL;
		list_free(x, l);
		x->slot[s].next = x->free_head;
		x->free_head = s;
	}
	return ret;
}

static int list_insert(struct erdp_fib *fib, uint32_t s, uint32_t pos, bool found, struct ext_ent e)
{
	const struct ext_list *old = fib->ext->list[s];
	struct ext_list *l = list_new(fib->ext, old->n + !found);

	if (l == NULL)
		return -ENOMEM;
	l->dflt = old->dflt;
	memcpy(l->e, old->e, pos * sizeof(e));
	l->e[pos] = e;
	memcpy(l->e + pos + 1, old->e + pos + found, (old->n - pos - found) * sizeof(e));
	list_publish(fib, s, l);
	return 0;
}

int fib_ext_add(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len, uint32_t nh)
{
	struct fib_vrf *fv = &fib->vrf[vrf];
	struct ext_ent e = {.bits = addr_bits(a), .mask = ent_mask(len), .nh = nh};
	uint8_t key[16];
	bool found;
	uint32_t pos;
	int s, ret;

	s = slot_find(fib->ext, vrf, a, key);
	if (s < 0) {
		if (fv->count >= fv->capacity)
			return -ENOSPC;
		ret = slot_create(fib, vrf, a, len, nh, key);
		fv->count += ret == 0;
		return ret;
	}
	pos = list_find(fib->ext->list[s], e.mask, e.bits, &found);
	if (!found && fv->count >= fv->capacity)
		return -ENOSPC;
	ret = list_insert(fib, (uint32_t)s, pos, found, e);
	fv->count += ret == 0 && !found;
	return ret;
}

/* The last longer prefix of a slot went: give the /112 back to the trie. */
static int slot_destroy(struct erdp_fib *fib, uint32_t s)
{
	struct fib_ext *x = fib->ext;
	struct ext_slot *sl = &x->slot[s];
	struct ext_list *old = x->list[s];
	int ret;

	if (sl->has_base) {
		fib_dpdk_before_add(fib);
		ret = rte_fib6_add(fib->shared, FIB6_IP(sl->key), 128, sl->base_nh);
	} else {
		ret = rte_fib6_delete(fib->shared, FIB6_IP(sl->key), 128);
	}
	if (ret != 0)
		return ret;
	/* readers that saw the old trie entry may still read the slot */
	fib_rcu_wait(fib);
	x->list[s] = NULL;
	list_free(x, old);
	slot_release(x, s);
	return 0;
}

int fib_ext_del(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len)
{
	struct fib_ext *x = fib->ext;
	const struct ext_list *old;
	struct ext_list *l;
	uint8_t key[16];
	bool found;
	uint32_t pos;
	int s, ret;

	s = slot_find(x, vrf, a, key);
	if (s < 0)
		return -ENOENT;
	old = x->list[s];
	pos = list_find(old, ent_mask(len), addr_bits(a), &found);
	if (!found)
		return -ENOENT;
	if (old->n == 1) {
		ret = slot_destroy(fib, (uint32_t)s);
	} else {
		l = list_new(x, old->n - 1);
		if (l == NULL)
			return -ENOMEM;
		l->dflt = old->dflt;
		memcpy(l->e, old->e, pos * sizeof(l->e[0]));
		memcpy(l->e + pos, old->e + pos + 1, (old->n - pos - 1) * sizeof(l->e[0]));
		list_publish(fib, (uint32_t)s, l);
		ret = 0;
	}
	fib->vrf[vrf].count -= ret == 0;
	return ret;
}

int fib_ext_get(const struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len,
		uint32_t *nh)
{
	const struct fib_ext *x = fib->ext;
	const struct ext_list *l;
	uint8_t key[16];
	bool found;
	uint32_t pos;
	int s = slot_find(x, vrf, a, key);

	if (s < 0)
		return -ENOENT;
	if (len == FIB6_KEY_LEN) {
		if (!x->slot[s].has_base)
			return -ENOENT;
		*nh = x->slot[s].base_nh;
		return 0;
	}
	l = x->list[s];
	pos = list_find(l, ent_mask(len), addr_bits(a), &found);
	if (!found)
		return -ENOENT;
	*nh = l->e[pos].nh;
	return 0;
}

int fib_ext_set_base(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], bool present,
		     uint32_t nh)
{
	bool existed;
	struct fib_ext *x = fib->ext;
	struct fib_vrf *fv = &fib->vrf[vrf];
	struct ext_slot *sl;
	uint8_t key[16];
	int s = slot_find(x, vrf, a, key), ret;

	if (s < 0)
		return 1;
	sl = &x->slot[s];
	existed = sl->has_base;
	if (!present && !sl->has_base)
		return -ENOENT;
	if (present && !sl->has_base && fv->count >= fv->capacity)
		return -ENOSPC;
	sl->has_base = present;
	sl->base_nh = nh;
	ret = list_replace_dflt(fib, (uint32_t)s, present ? nh : cover_nh(fib, sl));
	if (ret != 0)
		return ret;
	if (present != existed)
		fv->count += present ? 1 : -1;
	return 0;
}

void fib_ext_cover_changed(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len)
{
	struct fib_ext *x = fib->ext;
	uint32_t s;

	for (s = x->vrf_head[vrf]; s != SLOT_NONE; s = x->slot[s].next) {
		const struct ext_slot *sl = &x->slot[s];

		if (!sl->has_base && fib6_covers(a, len, sl->addr))
			list_replace_dflt(fib, s, cover_nh(fib, sl));
	}
}

uint32_t fib_ext_resolve(const struct fib_ext *x, uint32_t s, const uint8_t a[16])
{
	const struct ext_list *l;
	uint16_t bits = addr_bits(a);
	uint32_t i;

	if (unlikely(s >= x->n_slots))
		return ERDP_FIB_NO_ROUTE;
	l = __atomic_load_n(&x->list[s], __ATOMIC_ACQUIRE);
	/* NULL: the slot went away between the trie read and now */
	if (unlikely(l == NULL))
		return ERDP_FIB_NO_ROUTE;
	for (i = 0; i < l->n; i++)
		if (((bits ^ l->e[i].bits) & l->e[i].mask) == 0)
			return l->e[i].nh;
	return l->dflt;
}
