/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateways as the data plane runs them, and their next hops: an ECMP group
 * of instances on gateway ports. An instance is in the flow hash while it
 * is admin up, alive (health probes, slowpath/health.c) and its port is
 * usable; resilient buckets (lib/nexthop/erdp_ecmp.h) move only the flows
 * of an instance that leaves or returns.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "nexthop.h"

/* The run-time gateway table from the config; ids above the config's are free. */
int erdp_gateways_init(struct erdp_dp *dp, struct erdp_err *err)
{
	const struct erdp_config *cfg = dp->cfg;

	dp->max_gateways = (uint32_t)cfg->n_gateways + ERDP_DYN_GATEWAYS;
	dp->gw = rte_zmalloc("erdp_gw", dp->max_gateways * sizeof(*dp->gw), 0);
	if (dp->gw == NULL)
		return erdp_errf(err, ENOMEM, "gateway table: out of memory");
	for (int g = 0; g < cfg->n_gateways; g++) {
		const struct erdp_gateway_conf *gc = &cfg->gateways[g];
		struct erdp_gw_rt *gw = &dp->gw[g];

		gw->in_use = true;
		gw->vrf = (uint16_t)gc->vrf;
		gw->n_instances = (uint8_t)gc->n_instances;
		gw->health_interval_ms = gc->health_interval_ms;
		gw->health_multiplier = gc->health_multiplier;
		for (int i = 0; i < gc->n_instances; i++) {
			gw->inst[i].has_ip = gc->inst[i].has_ip;
			gw->inst[i].ip = gc->inst[i].ip;
			gw->inst[i].alive = true; /* until probes say otherwise */
			gw->inst[i].port = (uint8_t)gc->inst[i].port;
			gw->inst[i].admin_up = gc->inst[i].up;
			gw->inst[i].vlan = gc->inst[i].vlan;
			memcpy(gw->inst[i].mac.addr_bytes, gc->inst[i].mac.b, 6);
		}
	}
	return 0;
}

struct erdp_nh *erdp_nh_gateway(struct erdp_dp *dp, int g)
{
	const struct erdp_gw_rt *gw = &dp->gw[g];
	struct erdp_nh *nh =
		erdp_nh_alloc(ERDP_NH_GATEWAY, erdp_nh_id_gateway((uint32_t)g), (uint16_t)g);
	bool up[ERDP_ECMP_MAX_MEMBERS];

	if (nh == NULL)
		return NULL;
	nh->n_members = gw->in_use ? gw->n_instances : 0;
	for (int i = 0; i < nh->n_members; i++) {
		const struct erdp_port *p = &dp->port[gw->inst[i].port];
		struct erdp_l2 *l2 = &nh->m[i];
		uint16_t tpid = ERDP_TPID_8021Q;

		erdp_l2_build(l2, gw->inst[i].mac.addr_bytes, p->mac.addr_bytes,
			      gw->inst[i].vlan != 0, &tpid, &gw->inst[i].vlan);
		l2->ok = 1;
		l2->port = p->port_id;
		l2->cfg_port = gw->inst[i].port;
		l2->mtu = dp->cfg->ports[gw->inst[i].port].mtu;
		up[i] = gw->inst[i].admin_up && gw->inst[i].alive &&
			erdp_port_usable(dp, gw->inst[i].port);
	}
	if (nh->n_members != 0)
		erdp_ecmp_build(&nh->ecmp, nh->n_members, up);
	else
		memset(nh->ecmp.bucket, ERDP_ECMP_NONE, sizeof(nh->ecmp.bucket));
	return nh;
}

int erdp_nh_republish_gateway(struct erdp_dp *dp, int gateway)
{
	struct erdp_nh *nh = erdp_nh_gateway(dp, gateway);

	if (nh == NULL)
		return -ENOMEM;
	erdp_nh_publish(dp, nh);
	return 0;
}

int erdp_gateway_instance_set(struct erdp_dp *dp, int gateway, int instance, bool up)
{
	if (gateway < 0 || (uint32_t)gateway >= dp->max_gateways || !dp->gw[gateway].in_use ||
	    instance < 0 || instance >= dp->gw[gateway].n_instances)
		return -EINVAL;
	dp->gw[gateway].inst[instance].admin_up = up;
	return erdp_nh_republish_gateway(dp, gateway);
}
