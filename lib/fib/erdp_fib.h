/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-VRF longest-prefix match for IPv4 and IPv6.
 *
 * One `struct erdp_fib` holds every VRF of one address family. A lookup
 * takes (vrf, address) pairs, so a burst whose packets belong to many VRFs
 * is resolved by ONE bulk call (the common case on a port pair with
 * thousands of peerings). Next hops are 32-bit ids (< ERDP_FIB_NH_MAX);
 * ERDP_FIB_NO_ROUTE means no match.
 *
 * Capacity (routes per VRF) is fixed at creation and enforced: an add that
 * would exceed a VRF's capacity fails with -ENOSPC and changes nothing.
 * For IPv4 it is the only limit: any set of routes within the capacities
 * fits, whatever their lengths, and deletes give room back (an add that
 * needs a group a delete freed waits for the lookups' grace period).
 *
 * Threading: lookups run on worker lcores concurrently with add/del on ONE
 * writer thread; a lookup sees the old or the new route, never a torn one
 * (the underlying DPDK tables write each entry with one aligned store). The
 * writer owns reclamation; see erdp_fib_create() for the memory model.
 */
#ifndef ERDP_FIB_H
#define ERDP_FIB_H

#include <stddef.h> /* erdp_err.h uses NULL */
#include <stdint.h>

#include "erdp_err.h"

#define ERDP_FIB_NO_ROUTE 0xffffffffu
#define ERDP_FIB_NH_MAX	  (1u << 24) /* the DIR-16-8-8 entry keeps 24 bits */

/*
 * VRFs whose capacity is at least this many routes get a table of their own
 * (IPv4: a DIR-24-8 first level, one memory access per lookup up to /24;
 * IPv6: rte_fib6 TRIE) with a fixed cost of 64 MiB; smaller VRFs share one
 * table per family (IPv4: DIR-16-8-8, 256 KiB per VRF; IPv6: a VRF-keyed
 * trie). docs/fib.md has the measurements behind it.
 */
#define ERDP_FIB_DEDICATED_MIN 65536u

struct erdp_fib;
struct rte_rcu_qsbr;

struct erdp_fib_params {
	const char *name;	  /* unique DPDK object name prefix (first 10 chars used) */
	int socket_id;		  /* NUMA socket, SOCKET_ID_ANY allowed */
	unsigned int n_vrfs;	  /* VRF ids are 0..n_vrfs-1, n_vrfs <= 65536 */
	const uint32_t *capacity; /* per VRF: max routes (n_vrfs entries), 0 = unused */
	uint32_t dedicated_min;	  /* 0: ERDP_FIB_DEDICATED_MIN; UINT32_MAX: never */
	/*
	 * Optional QSBR variable of the lookup threads. The writer waits on it
	 * before it frees or reuses a side entry (IPv6 /113../128). NULL: the
	 * caller guarantees that no lookup runs during add/del of such routes.
	 */
	struct rte_rcu_qsbr *rcu;
};

/*
 * IPv4 (family 4) or IPv6 (family 6). NULL on failure with err filled.
 * Memory model: tables are allocated from the DPDK heap, sized from the
 * capacities (docs/fib.md), except the shared IPv4 table, which grows with
 * its routes (a VRF's first level at its first route, 4 MiB group chunks as
 * needed; -ENOMEM when the heap is full). IPv6 adds may also fail with
 * -ENOSPC before the capacity when DPDK's tbl8 pool of the table is
 * exhausted (an unusually long-prefix-heavy mix); erdp_fib_nospc_reason()
 * says which limit an add hit.
 */
struct erdp_fib *erdp_fib_create(int family, const struct erdp_fib_params *p, struct erdp_err *err);
void erdp_fib_free(struct erdp_fib *fib);

/* Add or replace the route vrf:prefix/len -> nh. Errors: -EINVAL (vrf, len, nh), -ENOSPC. */
int erdp_fib4_add(struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t nh);
int erdp_fib4_del(struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len); /* -ENOENT */
int erdp_fib6_add(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		  uint32_t nh);
int erdp_fib6_del(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len);

/*
 * After an add returned -ENOSPC: the limit it hit, for an operator, short
 * enough for an ack's detail (< ERDP_FIB_NOSPC_LEN bytes), e.g. "vrf 2 ipv4
 * full: 65536 routes". Empty before any. Writer thread.
 */
#define ERDP_FIB_NOSPC_LEN 40
const char *erdp_fib_nospc_reason(const struct erdp_fib *fib);

/* Exact-match read of a route (control plane / CLI, on the writer thread); -ENOENT if absent. */
int erdp_fib4_get(const struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len,
		  uint32_t *nh);
int erdp_fib6_get(const struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		  uint32_t *nh);

/*
 * Bulk longest-prefix match. addr are host order (v4) / network bytes (v6).
 * A vrf >= n_vrfs gets ERDP_FIB_NO_ROUTE. Any n; bursts of 32-64 are best.
 */
void erdp_fib4_lookup_bulk(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			   uint32_t *nh, unsigned int n);
void erdp_fib6_lookup_bulk(const struct erdp_fib *fib, const uint16_t *vrf,
			   const uint8_t (*addr)[16], uint32_t *nh, unsigned int n);

/* Routes currently installed in a VRF, and its capacity. */
uint32_t erdp_fib_count(const struct erdp_fib *fib, uint16_t vrf);
uint32_t erdp_fib_capacity(const struct erdp_fib *fib, uint16_t vrf);

/* Bytes of DPDK heap the structure holds (measured at create + side entries). */
uint64_t erdp_fib_memory(const struct erdp_fib *fib);

#endif
