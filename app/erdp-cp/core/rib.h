/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's routing information base: every route of every VRF
 * that erdp-cp wants the data plane to have. It is the truth that a full
 * sync replays.
 *
 * One open-addressing hash table keyed by (VRF, family, length, prefix)
 * serves exact operations (add, replace, delete) in O(1). A longest-prefix
 * lookup probes that table once per prefix length present in the VRF,
 * longest first (per VRF and family, a count of routes per length says
 * which lengths to try), so it costs at most 33 (IPv4) or 129 (IPv6)
 * probes and usually a handful. No trie: the RIB is written far more often
 * than it is looked up (bulk loads of a million routes), and the hash
 * keeps inserts cheap and memory at 32 bytes a route.
 */
#ifndef ERDP_CP_RIB_H
#define ERDP_CP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Where a route comes from. config and runtime are the operator's; bgp is
 * learned from the customer (bgp/, over FRR's FPM stream). The operator's
 * route wins over a BGP route of the same prefix, like a lower
 * administrative distance; the BGP route is kept aside (bgp/table.c) and
 * takes the prefix back when the operator's route is deleted.
 */
enum rib_origin { RIB_ORIGIN_CONFIG = 1, RIB_ORIGIN_RUNTIME = 2, RIB_ORIGIN_BGP = 3 };

/* A route; addr is network order with host bits zero (IPv4: first 4 bytes). */
struct rib_route {
	uint8_t addr[16];
	uint16_t vrf;
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t origin; /* enum rib_origin; 0 marks a free slot inside the table */
	uint8_t pad[3];
	uint32_t nh;   /* ERDP_NH_REF_* */
	uint32_t hash; /* internal: the key's hash, kept so that deletes can move slots */
};

struct rib;

/* A RIB for VRFs 0..n_vrfs-1. NULL when out of memory. */
struct rib *rib_create(unsigned int n_vrfs);
void rib_free(struct rib *r);

enum rib_set_result { RIB_ADDED = 0, RIB_REPLACED = 1, RIB_UNCHANGED = 2 };

/*
 * Add or replace. Returns enum rib_set_result (>= 0; *old_nh holds the
 * previous next hop for RIB_REPLACED/RIB_UNCHANGED) or -ENOMEM / -EINVAL
 * (VRF out of range, bad family or length).
 */
int rib_set(struct rib *r, const struct rib_route *rt, uint32_t *old_nh);
/* Delete; 0, or -ENOENT when absent. *old_nh (may be NULL) gets its next hop. */
int rib_del(struct rib *r, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
	    uint32_t *old_nh);
/* Exact match, or NULL. The pointer is valid until the next change. */
const struct rib_route *rib_find(const struct rib *r, uint16_t vrf, uint8_t family,
				 const uint8_t *addr, uint8_t len);
/* Longest-prefix match of a full address (4 or 16 bytes), or NULL. */
const struct rib_route *rib_lookup(const struct rib *r, uint16_t vrf, uint8_t family,
				   const uint8_t *addr);

size_t rib_count(const struct rib *r);
size_t rib_count_vrf(const struct rib *r, uint16_t vrf, uint8_t family);

/* Visit every route (order unspecified); stops early when fn returns non-zero. */
int rib_walk(const struct rib *r, int (*fn)(const struct rib_route *rt, void *arg), void *arg);

/* Order used by listings: family (IPv4 first), address, then length. */
int rib_route_cmp(const struct rib_route *a, const struct rib_route *b);

/*
 * Up to `limit` routes of `vrf`, in rib_route_cmp order, that come after
 * `after` (NULL: from the start). Copies into out[]; returns how many.
 * Costs one pass over the table and a heap of `limit` entries: pages of a
 * million-route VRF need no sorted index.
 */
size_t rib_page(const struct rib *r, uint16_t vrf, const struct rib_route *after,
		struct rib_route *out, size_t limit);

/* "config", "runtime", "bgp" ("?" for anything else). */
const char *rib_origin_str(uint8_t origin);

/* Zero the host bits of addr beyond len (family's address size). */
void rib_mask(uint8_t *addr, uint8_t family, uint8_t len);

/* Count and digest of a VRF's routes of one family (lib/ctl/erdp_ctl_digest.h). */
struct rib_digest {
	uint64_t count;
	uint64_t sum;
};

/* Digests of every VRF and family in one pass: out[vrf][family == 6], n_vrfs entries. */
void rib_digests(const struct rib *r, struct rib_digest (*out)[2]);

/*
 * Routes of vrf and family where a and b differ: in a only (b_nh NULL),
 * in b only (a_nh NULL), or with another next hop. fn sees each, in no
 * particular order; returns how many there were.
 */
typedef void (*rib_diff_fn)(void *arg, const struct rib_route *rt, const uint32_t *a_nh,
			    const uint32_t *b_nh);
size_t rib_diff(const struct rib *a, const struct rib *b, uint16_t vrf, uint8_t family,
		rib_diff_fn fn, void *arg);

#endif
