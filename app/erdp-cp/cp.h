/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp-cp: the control plane process. One thread, one event loop:
 *
 *   erdpctl --(Unix socket, JSON lines)--> server/ --> core/ (RIB + state)
 *                                             |
 *                              channel/: ops --> control ring --> erdp
 *                                        acks <-- ack ring <----- erdp
 *
 * Folders by role, each with a header that states its contract, and
 * dependencies in one direction: server/ uses channel/ and core/, channel/
 * uses core/, core/ uses nothing of erdp-cp's (it is unit-tested alone).
 *
 * The RIB and the runtime state (gateway instances, link and port admin
 * states) are the truth. Every change updates them first, then queues ops
 * for the data plane and records for the state file (store/); when erdp
 * (re)appears, a full sync replays the truth and erdp sweeps whatever was
 * not replayed. A change erdp rejects is undone in the truth (one truth:
 * the RIB holds what erdp holds, which `erdpctl verify` checks).
 *
 * store/ uses core/ only; channel/ uses core/ and the store's commit.
 *
 * bgp/ (the customer's BGP sessions through FRR, routes learned over FPM)
 * uses channel/ and core/ like server/ does; server/ calls it for its verbs.
 *
 * This header holds the process's state, shared by all folders.
 */
#ifndef ERDP_CP_H
#define ERDP_CP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "channel/channel.h"
#include "core/core.h"
#include "erdp_config.h"
#include "store/store.h"

struct cp {
	struct erdp_config *cfg;
	const char *cfg_path;
	char instance[ERDP_NAME_LEN];
	char tel_path[108];    /* erdp's DPDK telemetry socket (sun_path size) */
	struct cp_state state; /* core/: the RIB and the runtime state */
	struct chan chan;      /* channel/: the control segment */
	struct waiter *waiters, **waiters_tail;
	struct store *store; /* store/: the runtime state on disk; NULL with --state none */
	struct bgp *bgp; /* bgp/: FRR per peering, FPM; NULL when bgp.enabled is false */
	volatile sig_atomic_t quit;
};

#endif
