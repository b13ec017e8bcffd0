/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port and gateway-instance state. The main lcore polls each port's link
 * (no interrupts: vdevs have none) and, when a port changes, rebuilds the
 * next hops that use it: gateway instances on a port that is down leave
 * their gateway's ECMP table (only their flows move), and customer traffic
 * avoids an ExpressRoute link that is down.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dp.h"

#define LINK_POLL_MS 200

static void republish_gateways_on(struct erdp_dp *dp, int port)
{
	for (uint32_t g = 0; g < dp->max_gateways; g++) {
		const struct erdp_gw_rt *gw = &dp->gw[g];
		bool uses = false;

		for (int i = 0; gw->in_use && i < gw->n_instances; i++)
			uses |= gw->inst[i].port == port;
		if (!uses)
			continue;
		struct erdp_nh *nh = erdp_nh_gateway(dp, (int)g);

		if (nh != NULL)
			erdp_nh_publish(dp, nh);
	}
}

int erdp_port_republish(struct erdp_dp *dp, int port)
{
	int rc = 0;

	if (dp->cfg->ports[port].role == ERDP_ROLE_GATEWAY) {
		republish_gateways_on(dp, port);
		return 0;
	}
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

	if (now - last < rte_get_tsc_hz() * LINK_POLL_MS / 1000)
		return;
	last = now;
	for (int p = 0; p < dp->cfg->n_ports; p++) {
		struct rte_eth_link link;
		bool up;

		if (rte_eth_link_get_nowait(dp->port[p].port_id, &link) != 0)
			continue;
		up = link.link_status == RTE_ETH_LINK_UP;
		if (up != dp->port[p].link_up) {
			dp->port[p].link_up = up;
			port_changed(dp, p);
		}
	}
}

int erdp_gateway_instance_set(struct erdp_dp *dp, int gateway, int instance, bool up)
{
	struct erdp_nh *nh;

	if (gateway < 0 || (uint32_t)gateway >= dp->max_gateways || !dp->gw[gateway].in_use ||
	    instance < 0 || instance >= dp->gw[gateway].n_instances)
		return -EINVAL;
	dp->gw[gateway].inst[instance].admin_up = up;
	nh = erdp_nh_gateway(dp, gateway);
	if (nh == NULL)
		return -ENOMEM;
	erdp_nh_publish(dp, nh);
	return 0;
}
