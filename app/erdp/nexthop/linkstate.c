/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port state and the next hops that depend on it. The main lcore polls each port's link
 * (no interrupts: vdevs have none) and, when a port changes, rebuilds the
 * next hops that use it: gateway instances on a port that is down leave
 * their gateway's ECMP table (only their flows move), and customer traffic
 * avoids an ExpressRoute link that is down.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "nexthop.h"

#define LINK_POLL_MS 200

static int republish_gateways_on(struct erdp_dp *dp, int port)
{
	int rc = 0;

	for (uint32_t g = 0; g < dp->max_gateways; g++) {
		const struct erdp_gw_rt *gw = &dp->gw[g];
		bool uses = false;

		for (int i = 0; gw->in_use && i < gw->n_instances; i++)
			uses |= gw->inst[i].port == port;
		if (uses)
			rc |= erdp_nh_republish_gateway(dp, (int)g);
	}
	return rc != 0 ? -ENOMEM : 0;
}

int erdp_port_republish(struct erdp_dp *dp, int port)
{
	int rc = 0;

	if (dp->cfg->ports[port].role == ERDP_ROLE_GATEWAY)
		return republish_gateways_on(dp, port);
	for (int p = 0; p < dp->cfg->n_peerings; p++)
		rc |= erdp_nh_republish_peering(dp, (unsigned int)p);
	return rc != 0 ? -ENOMEM : 0;
}

static void port_changed(struct erdp_dp *dp, int port)
{
	const struct erdp_port_conf *pc = &dp->cfg->ports[port];

	printf("erdp: port %s link %s\n", pc->name, dp->port[port].link_up ? "up" : "down");
	fflush(stdout);
	erdp_port_republish(dp, port);
}

void erdp_link_poll(struct erdp_dp *dp)
{
	static uint64_t last;
	uint64_t now = rte_rdtsc();

	if (dp->portless || now - last < rte_get_tsc_hz() * LINK_POLL_MS / 1000)
		return;
	last = now;
	for (int p = 0; p < dp->cfg->n_ports; p++) {
		struct rte_eth_link link;
		bool up;

		if (dp->port[p].link_fixed)
			continue;
		if (rte_eth_link_get_nowait(dp->port[p].port_id, &link) != 0)
			continue;
		up = link.link_status == RTE_ETH_LINK_UP;
		if (up != dp->port[p].link_up) {
			dp->port[p].link_up = up;
			port_changed(dp, p);
		}
	}
}
