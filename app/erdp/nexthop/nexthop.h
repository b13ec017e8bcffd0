/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops: the one place that writes them.
 *
 * Who: the main lcore only (setup, slow path, control channel, link and
 * health polling all call in here); workers only read, through
 * erdp_nh_get() (lib/nexthop/erdp_nh.h).
 * How: a next hop is immutable once published. A change builds a new one
 * from the current state (gateway table, neighbours, port and link admin
 * states), publishes it with one release store at its id, and retires the
 * old one to an RCU defer queue; erdp_nh_reclaim() frees it once every
 * worker has passed a quiescent state. A worker therefore sees the old next
 * hop or the new one, never a mix, and never a freed one.
 * Errors: building needs memory; on -ENOMEM the old next hop stays
 * published (stale but consistent) and the caller decides whether to undo
 * the state change that asked for the rebuild.
 */
#ifndef ERDP_NEXTHOP_H
#define ERDP_NEXTHOP_H

#include <stdbool.h>

#include "dp.h"
#include "erdp_err.h"

/* table.c: the id -> next hop table, the defer queue, publish and reclaim */
int erdp_nexthops_init(struct erdp_dp *dp, struct erdp_err *err); /* after workers_init */
void erdp_nexthops_free(struct erdp_dp *dp);
/* A zeroed next hop of `type` at `id`, every member "no port" (for the builders below). */
struct erdp_nh *erdp_nh_alloc(uint8_t type, uint32_t id, uint16_t owner);
/* Publish `nh` at nh->id and retire the previous one under RCU. */
void erdp_nh_publish(struct erdp_dp *dp, struct erdp_nh *nh);
/* Free retired next hops whose grace period is over (main loop, every poll). */
void erdp_nh_reclaim(struct erdp_dp *dp);

/* gateway.c: the run-time gateway table and gateway next hops */
int erdp_gateways_init(struct erdp_dp *dp, struct erdp_err *err);
struct erdp_nh *erdp_nh_gateway(struct erdp_dp *dp, int gateway); /* build, not published */
/* Rebuild and publish one gateway's next hop; -ENOMEM. */
int erdp_nh_republish_gateway(struct erdp_dp *dp, int gateway);
/* Set a gateway instance's operator state and republish; -EINVAL for bad indices. */
int erdp_gateway_instance_set(struct erdp_dp *dp, int gateway, int instance, bool up);

/* customer.c: the customer side of a peering (both links, or one) */
struct erdp_nh *erdp_nh_customer(struct erdp_dp *dp, int peering, enum erdp_nh_links links);
/* Rebuild and publish a peering's next hops (neighbour, link or admin change); -ENOMEM. */
int erdp_nh_republish_peering(struct erdp_dp *dp, unsigned int peering);
/* Egress L2 toward the customer of a peering link with destination `dst`; -1 if no link. */
int erdp_customer_l2(const struct erdp_dp *dp, int peering, int link, const uint8_t dst[6],
		     struct erdp_l2 *l2);

/* linkstate.c: port link state (polled) and admin state */
void erdp_link_poll(struct erdp_dp *dp);
/* Rebuild the next hops that use a port after its link or admin state changed; -ENOMEM. */
int erdp_port_republish(struct erdp_dp *dp, int port);

#endif
