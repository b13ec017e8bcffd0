/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the data plane before the workers start, and tearing it down
 * after they stopped. Main lcore only, after rte_eal_init and with dp->cfg
 * loaded; nothing here runs while workers poll (the run-time writers are
 * nexthop/ and control/).
 *
 * Order (erdp_dp_setup): mbuf pool and metadata field, classifier, ports,
 * workers (allocated and given their queues, not started), neighbours,
 * the host interfaces (bgp.enabled: a tap per peering link, in the
 * peering's namespace), next hops, FIBs with connected and static routes. Errors come back in
 * err with the port, file and line they concern; a failed setup is
 * followed by erdp_dp_teardown.
 *
 * A portless setup (dp->portless, for unit tests and fuzzing) builds the
 * same tables without DPDK ports: every config port is up, has its config
 * MAC (or 02:00:00:00:00:<index+1>) and one TX queue per worker; nothing
 * may then call rte_eth_* on them, so TX buffers are read by the caller.
 */
#ifndef ERDP_SETUP_H
#define ERDP_SETUP_H

#include "dp.h"
#include "erdp_err.h"

/* dp.c */
int erdp_dp_setup(struct erdp_dp *dp, struct erdp_err *err);
void erdp_dp_teardown(struct erdp_dp *dp);

/* ports.c: find, configure and start every config port (or fake them, portless) */
int erdp_ports_init(struct erdp_dp *dp, struct erdp_err *err);
void erdp_ports_close(struct erdp_dp *dp);

/* workers.c: counters, rings and queues per worker lcore; then launch them */
int erdp_workers_init(struct erdp_dp *dp, struct erdp_err *err);
int erdp_workers_launch(struct erdp_dp *dp, struct erdp_err *err);

/*
 * peer_guard.c: a memif peer that goes away must not take erdp down. While
 * armed (workers polling), an unmap by DPDK's interrupt thread waits until
 * no worker is inside a PMD burst; a control message to a peer that hung
 * up counts as sent (always). Arm after erdp_workers_launch(), disarm
 * after the workers stopped and before erdp_dp_teardown(). erdp only: the
 * object defines munmap() and sendmsg().
 */
void erdp_peer_guard_arm(struct erdp_dp *dp);
void erdp_peer_guard_disarm(void);

/* fib.c: the config's routes in per-VRF FIBs (after the next hops exist) */
int erdp_fib_setup(struct erdp_dp *dp, struct erdp_err *err);
void erdp_fib_teardown(struct erdp_dp *dp);
/* Next-hop id a config route points at. */
uint32_t erdp_route_conf_nh(const struct erdp_dp *dp, const struct erdp_route_conf *r);

/* The next hop a connected route (lib/config erdp_config_connected) points at. */
uint32_t erdp_connected_nh(const struct erdp_dp *dp, int peering, const struct erdp_connected *c);

#endif
