/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path of the worker lcores, one stage per file, in packet order:
 *
 *   rx.c        the worker loop: RX burst per queue, the stages below,
 *               frames injected by the main lcore, TX flush, RCU quiescence
 *   parse.h     stage 1: tags -> circuit / peering link / VRF, L3 checks
 *   receive.h   what a router accepts: destination MAC, broadcast,
 *               multicast, martian addresses (called by parse.h)
 *   lookup.h    stage 2: bulk LPM per family
 *   forward.h   stage 3: next hop, member, TTL, L2 rewrite
 *   tx.h        TX buffers and the TX burst
 *   exit.h      the other exits: counted drop, punt to the main lcore
 *   burst.h     what the stages of one burst share
 *
 * Who: worker lcores (and tools/pipeline-bench and the datapath test,
 * which drive the stages on their own lcore). What they may write: their
 * own counter block, TX buffers, punt ring (producer) and inject ring
 * (consumer), and the TX queue lock of a shared queue; everything else in
 * struct erdp_dp is read only. Next hops are read with acquire loads and
 * stay valid until the worker's next quiescent state (one per loop).
 * No locks but the shared-TX-queue one, no syscalls, no allocation; every
 * frame ends forwarded, punted or dropped under one counted reason.
 *
 * Header-only and inline so that the worker loop compiles to one function,
 * and so that benchmarks and tests run the same code on their own.
 */
#ifndef ERDP_DATAPATH_H
#define ERDP_DATAPATH_H

#include "burst.h"
#include "forward.h"
#include "lookup.h"
#include "parse.h"
#include "tx.h"

/* The three stages over one received burst. */
static inline void erdp_process_burst(const struct erdp_dp *dp, struct erdp_worker *w,
				      uint8_t cfg_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct erdp_burst b;

	erdp_stage_parse(&b, dp, w, cfg_port, pkts, n);
	erdp_stage_lookup(&b);
	erdp_stage_forward(&b, pkts);
}

/* rx.c: the loop each worker lcore runs (arg: its struct erdp_worker). */
int erdp_worker_main(void *arg);

#endif
