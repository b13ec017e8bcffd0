/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the counters out: the periodic table and the JSON file at exit
 * (stats.c), and live DPDK telemetry (telemetry.c); and frames out to
 * dpdk-dumpcap (capture.c).
 *
 * Who: the main lcore (table, JSON) and DPDK's telemetry threads. Both sum
 * the per-lcore counter blocks into dp->sum, which they share, so every
 * reader holds erdp_stats_lock while it sums and reads dp->sum. They never
 * write anything the workers read. Telemetry handlers run only between
 * erdp_telemetry_init() and erdp_telemetry_close(); after that they answer
 * {"error": "erdp is shutting down"} and touch no erdp state.
 */
#ifndef ERDP_TELEMETRY_H
#define ERDP_TELEMETRY_H

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "dp.h"
#include "erdp_err.h"

extern rte_spinlock_t erdp_stats_lock;

/* stats.c */
void erdp_stats_collect(struct erdp_dp *dp); /* caller holds erdp_stats_lock */
void erdp_stats_print(struct erdp_dp *dp, double interval_s);
/* The final counters as JSON; rates are averages over `seconds` (the run's length). */
int erdp_stats_write_json(struct erdp_dp *dp, const char *path, double seconds,
			  struct erdp_err *err);

/* telemetry.c: register the /erdp/... commands */
int erdp_telemetry_init(struct erdp_dp *dp);
/* Register a command of another folder (control/: /erdp/ctl) behind the same gate. */
int erdp_telemetry_register(const char *cmd, telemetry_cb fn, const char *help);
/*
 * Main lcore, at shutdown, before anything a handler reads is freed: waits
 * for the handlers running now and refuses every later call.
 */
void erdp_telemetry_close(void);

/*
 * capture.c: serve dpdk-dumpcap / dpdk-pdump (after the workers started:
 * stopping a capture waits for their grace period). 0, or -1 with rte_errno.
 * fini after the workers stopped, before dp->rcu is freed.
 */
int erdp_capture_init(struct erdp_dp *dp);
void erdp_capture_fini(void);

#endif
