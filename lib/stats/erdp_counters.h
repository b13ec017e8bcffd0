/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counters, summed on read.
 *
 * Each lcore owns one `struct erdp_counters` block and is its only writer:
 * plain increments, no atomics, no shared cache lines (blocks are allocated
 * separately and cache aligned). Readers (main lcore, telemetry) sum the
 * blocks; an aligned 64-bit load never tears on the platforms DPDK runs on,
 * so a read is at worst a few packets behind.
 *
 * Hot counters live per (peering, link); circuit and peering totals are
 * sums over their links plus the circuit-level entries (frames whose
 * circuit is known but whose peering is not, e.g. an unknown C-tag).
 */
#ifndef ERDP_COUNTERS_H
#define ERDP_COUNTERS_H

#include <stdint.h>

#include "erdp_config.h"
#include "erdp_drop.h"

/*
 * Every received frame ends in exactly one of: forwarded (tx of the egress
 * port/link), consumed by erdp itself (local: ARP/ND/echo answered), or a
 * drop reason.
 */
struct erdp_ctr {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t local_pkts;
	uint64_t pad[3]; /* one cache line per entry: a worker prefetches one line */
};

struct erdp_counters {
	struct erdp_ctr port[ERDP_MAX_PORTS];
	uint64_t port_drop[ERDP_MAX_PORTS][ERDP_DROP_MAX];
	struct erdp_ctr *circuit;		 /* n_circuits: circuit-level only */
	uint64_t (*circuit_drop)[ERDP_DROP_MAX]; /* n_circuits */
	struct erdp_ctr *plink;			 /* n_peerings * ERDP_LINKS */
	uint64_t (*plink_drop)[ERDP_DROP_MAX];	 /* n_peerings * ERDP_LINKS */
};

/* Allocate one block (hugepage memory when EAL is up, on `socket`). NULL on ENOMEM. */
struct erdp_counters *erdp_counters_alloc(int n_circuits, int n_peerings, int socket);
void erdp_counters_free(struct erdp_counters *c);

/* Sum `n` blocks into `out` (allocated by the caller with erdp_counters_alloc). */
void erdp_counters_sum(struct erdp_counters *out, struct erdp_counters *const *blocks,
		       unsigned int n, int n_circuits, int n_peerings);

/* Totals of one circuit / peering (including their links). */
void erdp_counters_circuit(const struct erdp_counters *c, const struct erdp_config *cfg,
			   int circuit, struct erdp_ctr *out, uint64_t drops[ERDP_DROP_MAX]);
void erdp_counters_peering(const struct erdp_counters *c, int peering, struct erdp_ctr *out,
			   uint64_t drops[ERDP_DROP_MAX]);

#endif
