/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the data plane before the workers start, and tearing it down
 * after they stopped. Main lcore only, after rte_eal_init and with dp->cfg
 * loaded; nothing here runs while workers poll (the run-time writers are
 * nexthop/ and control/).
 *
 * Order (erdp_dp_setup): mbuf pool and metadata field, classifier, ports,
 * workers (allocated and given their queues, not started), neighbours,
 * next hops, FIBs with connected and static routes. Errors come back in
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

/*
 * A connected route: what a peering link brings by itself. Per link, the
 * link /30 (/126) to the customer side of that link, the MSEE address
 * /32 (/128) local, and (IPv4) the /30's network and broadcast addresses
 * /32 to the broadcast next hop: a directed broadcast is never forwarded
 * (RFC 1812 5.3.5.2). fib.c installs them, control/routes.c protects them.
 */
struct erdp_connected {
	bool v6;
	uint8_t len;
	uint16_t vrf;
	uint32_t nh;
	uint32_t addr4;	   /* host order */
	uint8_t addr6[16]; /* network order */
};
#define ERDP_CONNECTED4_PER_PEERING (4 * ERDP_LINKS)
#define ERDP_CONNECTED6_PER_PEERING (2 * ERDP_LINKS)
#define ERDP_CONNECTED_PER_PEERING  (ERDP_CONNECTED4_PER_PEERING + ERDP_CONNECTED6_PER_PEERING)

/* The connected routes of peering p into out[ERDP_CONNECTED_PER_PEERING]; returns how many. */
int erdp_connected_routes(const struct erdp_dp *dp, int p, struct erdp_connected *out);

#endif
