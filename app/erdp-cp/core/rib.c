/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RIB hash table: linear probing, power-of-two size, grown at 60% load;
 * deletes shift the following entries back (no tombstones, so a table that
 * churns does not slowly fill up with dead slots).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "erdp_ctl_digest.h"
#include "rib.h"

#define RIB_MIN_SLOTS 1024
#define RIB_MAX_LEN   128

struct rib {
	struct rib_route *slot;
	size_t mask; /* slots - 1 */
	size_t count;
	unsigned int n_vrfs;
	/* Per VRF and family: routes in total and per prefix length. */
	uint32_t (*len_count)[2][RIB_MAX_LEN + 1];
	size_t (*vrf_count)[2];
};

static inline int fam_idx(uint8_t family)
{
	return family == 6;
}

static inline unsigned int addr_bytes(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

static inline unsigned int max_len(uint8_t family)
{
	return family == 6 ? 128 : 32;
}

void rib_mask(uint8_t *addr, uint8_t family, uint8_t len)
{
	unsigned int n = addr_bytes(family);

	for (unsigned int i = 0; i < n; i++) {
		unsigned int bit = i * 8;

		if (bit >= len)
			addr[i] = 0;
		else if (bit + 8 > len)
			addr[i] &= (uint8_t)(0xff00u >> (len - bit));
	}
	if (family == 4)
		memset(addr + 4, 0, 12);
}

static uint32_t key_hash(uint16_t vrf, uint8_t family, uint8_t len, const uint8_t *addr)
{
	uint64_t a, b, h;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = a * 0x9e3779b97f4a7c15ull;
	h ^= (b + ((uint64_t)vrf << 16 | (uint64_t)family << 8 | len)) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

static inline bool key_eq(const struct rib_route *s, uint16_t vrf, uint8_t family, uint8_t len,
			  const uint8_t *addr)
{
	return s->vrf == vrf && s->family == family && s->len == len &&
	       memcmp(s->addr, addr, 16) == 0;
}

struct rib *rib_create(unsigned int n_vrfs)
{
	struct rib *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->n_vrfs = n_vrfs;
	r->slot = calloc(RIB_MIN_SLOTS, sizeof(*r->slot));
	r->mask = RIB_MIN_SLOTS - 1;
	r->len_count = calloc(n_vrfs ? n_vrfs : 1, sizeof(*r->len_count));
	r->vrf_count = calloc(n_vrfs ? n_vrfs : 1, sizeof(*r->vrf_count));
	if (r->slot == NULL || r->len_count == NULL || r->vrf_count == NULL) {
		rib_free(r);
		return NULL;
	}
	return r;
}

void rib_free(struct rib *r)
{
	if (r == NULL)
		return;
	free(r->slot);
	free(r->len_count);
	free(r->vrf_count);
	free(r);
}

/* Slot holding the key, or the empty slot where it would go. */
static size_t probe(const struct rib *r, uint32_t h, uint16_t vrf, uint8_t family, uint8_t len,
		    const uint8_t *addr)
{
	size_t i = h & r->mask;

	while (r->slot[i].origin != 0 &&
	       !(r->slot[i].hash == h && key_eq(&r->slot[i], vrf, family, len, addr)))
		i = (i + 1) & r->mask;
	return i;
}

static int grow(struct rib *r)
{
	size_t n = (r->mask + 1) * 2;
	struct rib_route *old = r->slot, *s = calloc(n, sizeof(*s));
	size_t old_n = r->mask + 1;

	if (s == NULL)
		return -ENOMEM;
	r->slot = s;
	r->mask = n - 1;
	for (size_t i = 0; i < old_n; i++) {
		size_t j;

		if (old[i].origin == 0)
			continue;
		j = old[i].hash & r->mask;
		while (s[j].origin != 0)
			j = (j + 1) & r->mask;
		s[j] = old[i];
	}
	free(old);
	return 0;
}

static bool key_ok(const struct rib *r, uint16_t vrf, uint8_t family, uint8_t len)
{
	return vrf < r->n_vrfs && (family == 4 || family == 6) && len <= max_len(family);
}

int rib_set(struct rib *r, const struct rib_route *rt, uint32_t *old_nh)
{
	uint8_t addr[16];
	uint32_t h;
	size_t i;

	if (!key_ok(r, rt->vrf, rt->family, rt->len))
		return -EINVAL;
	memcpy(addr, rt->addr, 16);
	rib_mask(addr, rt->family, rt->len);
	if ((r->count + 1) * 10 > (r->mask + 1) * 6 && grow(r) != 0)
		return -ENOMEM;
	h = key_hash(rt->vrf, rt->family, rt->len, addr);
	i = probe(r, h, rt->vrf, rt->family, rt->len, addr);
	if (r->slot[i].origin != 0) {
		struct rib_route *s = &r->slot[i];
		bool same = s->nh == rt->nh;

		if (old_nh != NULL)
			*old_nh = s->nh;
		s->nh = rt->nh;
		s->origin = rt->origin ? rt->origin : RIB_ORIGIN_RUNTIME;
		return same ? RIB_UNCHANGED : RIB_REPLACED;
	}
	r->slot[i] = *rt;
	memcpy(r->slot[i].addr, addr, 16);
	r->slot[i].hash = h;
	if (r->slot[i].origin == 0)
		r->slot[i].origin = RIB_ORIGIN_RUNTIME;
	r->count++;
	r->vrf_count[rt->vrf][fam_idx(rt->family)]++;
	r->len_count[rt->vrf][fam_idx(rt->family)][rt->len]++;
	return RIB_ADDED;
}

int rib_del(struct rib *r, uint16_t vrf, uint8_t family, const uint8_t *addr_in, uint8_t len,
	    uint32_t *old_nh)
{
	uint8_t addr[16] = {0};
	size_t i, j;
	uint32_t h;

	if (!key_ok(r, vrf, family, len))
		return -EINVAL;
	memcpy(addr, addr_in, addr_bytes(family));
	rib_mask(addr, family, len);
	h = key_hash(vrf, family, len, addr);
	i = probe(r, h, vrf, family, len, addr);
	if (r->slot[i].origin == 0)
		return -ENOENT;
	if (old_nh != NULL)
		*old_nh = r->slot[i].nh;
	r->count--;
	r->vrf_count[vrf][fam_idx(family)]--;
	r->len_count[vrf][fam_idx(family)][len]--;
	/* Backward shift: pull later entries of the probe run into the hole. */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & r->mask;
		if (r->slot[j].origin == 0)
			break;
		home = r->slot[j].hash & r->mask;
		/* Movable when its home is not cyclically inside (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			r->slot[i] = r->slot[j];
			i = j;
		}
	}
	memset(&r->slot[i], 0, sizeof(r->slot[i]));
	return 0;
}

const struct rib_route *rib_find(const struct rib *r, uint16_t vrf, uint8_t family,
				 const uint8_t *addr_in, uint8_t len)
{
	uint8_t addr[16] = {0};
	size_t i;

	if (!key_ok(r, vrf, family, len))
		return NULL;
	memcpy(addr, addr_in, addr_bytes(family));
	rib_mask(addr, family, len);
	i = probe(r, key_hash(vrf, family, len, addr), vrf, family, len, addr);
	return r->slot[i].origin != 0 ? &r->slot[i] : NULL;
}

const struct rib_route *rib_lookup(const struct rib *r, uint16_t vrf, uint8_t family,
				   const uint8_t *addr)
{
	if (!key_ok(r, vrf, family, 0))
		return NULL;
	for (int len = (int)max_len(family); len >= 0; len--) {
		const struct rib_route *rt;

		if (r->len_count[vrf][fam_idx(family)][len] == 0)
			continue;
		rt = rib_find(r, vrf, family, addr, (uint8_t)len);
		if (rt != NULL)
			return rt;
	}
	return NULL;
}

size_t rib_count(const struct rib *r)
{
	return r->count;
}

size_t rib_count_vrf(const struct rib *r, uint16_t vrf, uint8_t family)
{
	return vrf < r->n_vrfs ? r->vrf_count[vrf][fam_idx(family)] : 0;
}

int rib_walk(const struct rib *r, int (*fn)(const struct rib_route *rt, void *arg), void *arg)
{
	for (size_t i = 0; i <= r->mask; i++) {
		int rc;

		if (r->slot[i].origin == 0)
			continue;
		rc = fn(&r->slot[i], arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const char *rib_origin_str(uint8_t origin)
{
	switch (origin) {
	case RIB_ORIGIN_CONFIG:
		return "config";
	case RIB_ORIGIN_RUNTIME:
		return "runtime";
	case RIB_ORIGIN_BGP:
		return "bgp";
	default:
		return "?";
	}
}

int rib_route_cmp(const struct rib_route *a, const struct rib_route *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, addr_bytes(a->family));
	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Max-heap on rib_route_cmp: the root is the largest of the kept routes. */
static void heap_down(struct rib_route *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, big = i;
		struct rib_route t;

		if (l < n && rib_route_cmp(&h[l], &h[big]) > 0)
			big = l;
		if (l + 1 < n && rib_route_cmp(&h[l + 1], &h[big]) > 0)
			big = l + 1;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void heap_up(struct rib_route *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct rib_route t;

		if (rib_route_cmp(&h[i], &h[p]) <= 0)
			return;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

size_t rib_page(const struct rib *r, uint16_t vrf, const struct rib_route *after,
		struct rib_route *out, size_t limit)
{
	size_t n = 0;

	if (limit == 0)
		return 0;
	for (size_t i = 0; i <= r->mask; i++) {
		const struct rib_route *s = &r->slot[i];

		if (s->origin == 0 || s->vrf != vrf)
			continue;
		if (after != NULL && rib_route_cmp(s, after) <= 0)
			continue;
		if (n < limit) {
			out[n] = *s;
			heap_up(out, n++);
		} else if (rib_route_cmp(s, &out[0]) < 0) {
			out[0] = *s;
			heap_down(out, n, 0);
		}
	}
	/* Heap sort in place: repeatedly move the largest to the end. */
	for (size_t k = n; k > 1; k--) {
		struct rib_route t = out[0];

		out[0] = out[k - 1];
		out[k - 1] = t;
		heap_down(out, k - 1, 0);
	}
	return n;
}

void rib_digests(const struct rib *r, struct rib_digest (*out)[2])
{
	memset(out, 0, sizeof(*out) * (r->n_vrfs ? r->n_vrfs : 1));
	for (size_t i = 0; i <= r->mask; i++) {
		const struct rib_route *s = &r->slot[i];
		struct rib_digest *d;

		if (s->origin == 0)
			continue;
		d = &out[s->vrf][fam_idx(s->family)];
		d->count++;
		d->sum += erdp_route_digest(s->vrf, s->family, s->len, s->addr, s->nh);
	}
}

/* Routes of `a` (vrf, family) that `b` lacks or holds with another next hop. */
static size_t diff_one_way(const struct rib *a, const struct rib *b, uint16_t vrf, uint8_t family,
			   bool a_first, rib_diff_fn fn, void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i <= a->mask; i++) {
		const struct rib_route *s = &a->slot[i], *o;

		if (s->origin == 0 || s->vrf != vrf || s->family != family)
			continue;
		o = rib_find(b, vrf, family, s->addr, s->len);
		if (o != NULL && (o->nh == s->nh || !a_first))
			continue; /* equal, or a different next hop already reported */
		n++;
		if (a_first)
			fn(arg, s, &s->nh, o != NULL ? &o->nh : NULL);
		else
			fn(arg, s, NULL, &s->nh);
	}
	return n;
}

size_t rib_diff(const struct rib *a, const struct rib *b, uint16_t vrf, uint8_t family,
		rib_diff_fn fn, void *arg)
{
	return diff_one_way(a, b, vrf, family, true, fn, arg) +
	       diff_one_way(b, a, vrf, family, false, fn, arg);
}
