/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's end of the control channel (lib/ctl/erdp_ctl.h): the
 * main lcore takes batches of messages from erdp-cp, applies each one all
 * or nothing, and acknowledges them.
 *
 * Who: the main lcore (poll, apply); the telemetry thread reads only the
 * counter copies below, with relaxed loads. What it writes: the FIBs (one
 * aligned store per entry), the classifier's gateway VLAN map (single
 * stores), the gateway table and admin states, and next hops only through
 * nexthop/ (RCU publish), so workers never see a half-applied message.
 *
 * Besides the FIB, the data plane keeps a table of the routes it holds
 * (config and control plane alike), with the generation that last added
 * each one, so that a full replay (SYNC_BEGIN .. SYNC_END) can remove the
 * routes that were not replayed without ever withdrawing those that were.
 */
#ifndef ERDP_CONTROL_H
#define ERDP_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "erdp_ctl.h"
#include "erdp_err.h"

struct erdp_dp;
struct rte_hash;

#define ERDP_CTRL_BATCH	     4096 /* messages applied per poll at most */
#define ERDP_CTRL_BEAT_MS    10
#define ERDP_CTRL_DETAIL_LEN 40 /* sizeof(erdp_ack.detail) */

/* Route table stamp of the link subnets and MSEE addresses erdp installs itself. */
#define ERDP_CTRL_GEN_CONNECTED 0xffffffffu

struct erdp_ctrl {
	struct erdp_ctl *seg;
	char instance[64];
	uint64_t boot_id;
	uint64_t next_beat; /* TSC */
	struct erdp_msg *batch;
	struct erdp_ack *acks;
	/* routes (routes.c) */
	struct rte_hash *routes;
	uint32_t *gw_routes;  /* per gateway: routes pointing at it */
	uint32_t n_connected; /* entries of `routes` that are connected */
	uint32_t gen;	      /* internal stamp of adds; 0 = the config's */
	bool syncing;
	uint32_t sync_token; /* erdp-cp's generation of the running sync */
	/* gateways (gateways.c) */
	uint16_t *pair_users; /* n_ports x 4096: gateways that use (port, vlan) */
	/* counters (read by the telemetry thread: relaxed atomics) */
	uint64_t applied;
	uint64_t batches;
	uint64_t swept;
	uint64_t rejected[ERDP_ACK_STATUS_MAX];
	/* copies for the telemetry thread, refreshed every heartbeat and batch */
	uint64_t n_routes;
	uint64_t dp_beat;
	uint64_t cp_boot_id;
	uint64_t cp_beat;
};

extern struct erdp_ctrl erdp_ctrl;

/* channel.c: lifecycle and the poll loop (main lcore). */
int erdp_ctrl_init(struct erdp_dp *dp, const char *instance, struct erdp_err *err);
/* Returns the number of messages taken (the main loop does not sleep while > 0). */
unsigned int erdp_ctrl_poll(struct erdp_dp *dp);
void erdp_ctrl_fini(struct erdp_dp *dp);

/* channel.c: one message, validated and applied or rejected (detail filled). */
enum erdp_ack_status erdp_ctrl_apply(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail);

/* routes.c */
int erdp_ctrl_routes_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err);
void erdp_ctrl_routes_free(struct erdp_ctrl *c);
enum erdp_ack_status erdp_ctrl_route(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail);
enum erdp_ack_status erdp_ctrl_sync(struct erdp_dp *dp, struct erdp_ctrl *c,
				    const struct erdp_msg *m, char *detail);
uint32_t erdp_ctrl_routes_count(const struct erdp_ctrl *c); /* connected excluded */

/* gateways.c */
int erdp_ctrl_gw_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err);
void erdp_ctrl_gw_free(struct erdp_ctrl *c);
enum erdp_ack_status erdp_ctrl_gw_set(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail);
enum erdp_ack_status erdp_ctrl_gw_del(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail);
enum erdp_ack_status erdp_ctrl_gw_instance(struct erdp_dp *dp, const struct erdp_msg_instance *in,
					   char *detail);

/* admin.c: port and peering link admin states */
enum erdp_ack_status erdp_ctrl_link(struct erdp_dp *dp, const struct erdp_msg_link *l,
				    char *detail);

/* telemetry.c: /erdp/ctl */
void erdp_ctrl_telemetry_init(void);

#define ERDP_CTRL_REJECT(detail, st, ...)                                                          \
	(snprintf((detail), ERDP_CTRL_DETAIL_LEN, __VA_ARGS__), (st))

#endif
