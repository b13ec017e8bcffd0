/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateways from the control plane.
 *
 * A gateway is an ECMP group of instances on gateway ports; traffic coming
 * back from an instance is classified to a VRF by its (port, VLAN). Several
 * gateways may share a (port, VLAN) when they share the VRF (the config
 * allows it too), so the data plane counts the gateways that use each pair:
 * a pair is mapped while one gateway uses it, and two gateways of
 * different VRFs can never claim the same pair.
 *
 * Every change validates first and publishes last: a new next hop is built
 * before anything else changes, so an allocation failure leaves the old
 * gateway exactly as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "dp.h"
#include "nexthop/nexthop.h"

struct pair {
	uint8_t port;
	uint16_t vlan;
};

static uint16_t *users(struct erdp_ctrl *c, struct pair p)
{
	return &c->pair_users[(size_t)p.port * ERDP_VLAN_TABLE + p.vlan];
}

static bool has_pair(const struct pair *set, int n, struct pair p)
{
	for (int i = 0; i < n; i++)
		if (set[i].port == p.port && set[i].vlan == p.vlan)
			return true;
	return false;
}

static int add_pair(struct pair *set, int n, uint8_t port, uint16_t vlan)
{
	struct pair p = {.port = port, .vlan = vlan};

	if (!has_pair(set, n, p))
		set[n++] = p;
	return n;
}

/* Distinct (port, VLAN) pairs of a gateway in use; 0 when not in use. */
static int gw_pairs(const struct erdp_gw_rt *gw, struct pair *set)
{
	int n = 0;

	for (int i = 0; gw->in_use && i < gw->n_instances; i++)
		n = add_pair(set, n, gw->inst[i].port, gw->inst[i].vlan);
	return n;
}

int erdp_ctrl_gw_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err)
{
	struct pair set[ERDP_MAX_GW_INSTANCES];

	c->pair_users =
		calloc((size_t)dp->cfg->n_ports * ERDP_VLAN_TABLE + 1, sizeof(*c->pair_users));
	if (c->pair_users == NULL)
		return erdp_errf(err, ENOMEM, "gateway pair table: out of memory");
	for (uint32_t g = 0; g < dp->max_gateways; g++) {
		int n = gw_pairs(&dp->gw[g], set);

		for (int i = 0; i < n; i++)
			(*users(c, set[i]))++;
	}
	return 0;
}

void erdp_ctrl_gw_free(struct erdp_ctrl *c)
{
	free(c->pair_users);
	c->pair_users = NULL;
}

/* Stateful checks of a GW_SET; fills `set` with the new distinct pairs. */
static enum erdp_ack_status gw_set_check(struct erdp_dp *dp, struct erdp_ctrl *c,
					 const struct erdp_msg_gw *g, struct pair *set, int *n_set,
					 char *detail)
{
	const struct erdp_config *cfg = dp->cfg;
	struct pair old[ERDP_MAX_GW_INSTANCES];
	int n_old, n = 0;

	if (g->gateway >= dp->max_gateways)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE, "gateway %u >= max %u",
					g->gateway, dp->max_gateways);
	if (g->vrf >= cfg->n_vrfs)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_VRF, "no vrf %u (%d vrfs)", g->vrf,
					cfg->n_vrfs);
	n_old = gw_pairs(&dp->gw[g->gateway], old);
	/* Routes name a gateway of their own VRF; moving it would break that. */
	if (dp->gw[g->gateway].in_use && dp->gw[g->gateway].vrf != g->vrf &&
	    c->gw_routes[g->gateway] != 0)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_IN_USE, "%u routes keep gw in vrf %u",
					c->gw_routes[g->gateway], dp->gw[g->gateway].vrf);
	for (int i = 0; i < g->n_instances; i++) {
		const struct erdp_msg_gw_instance_desc *in = &g->inst[i];

		if (in->port >= cfg->n_ports)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH,
						"instance %d: no port %u", i, in->port);
		if (cfg->ports[in->port].role != ERDP_ROLE_GATEWAY)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE,
						"instance %d: port %u not gateway", i, in->port);
		n = add_pair(set, n, in->port, in->vlan);
	}
	for (int i = 0; i < n; i++) {
		/* Other gateways that use the pair; they all share its VRF. */
		int others = *users(c, set[i]) - (has_pair(old, n_old, set[i]) ? 1 : 0);
		uint16_t vrf = erdp_classifier_gw_get(dp->cls, set[i].port, set[i].vlan);

		if (others > 0 && vrf != g->vrf)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_BAD_VALUE,
						"port %u vlan %u is vrf %u's", set[i].port,
						set[i].vlan, vrf);
	}
	*n_set = n;
	return ERDP_ACK_OK;
}

/* Make `now` the gateway's pairs, given the pairs it had before. */
static void repair(struct erdp_dp *dp, struct erdp_ctrl *c, const struct pair *before, int n_before,
		   const struct pair *now, int n_now, uint16_t vrf)
{
	for (int i = 0; i < n_now; i++) {
		if (!has_pair(before, n_before, now[i]))
			(*users(c, now[i]))++;
		erdp_classifier_gw_set(dp->cls, now[i].port, now[i].vlan, vrf);
	}
	for (int i = 0; i < n_before; i++) {
		if (has_pair(now, n_now, before[i]))
			continue;
		if (--(*users(c, before[i])) == 0)
			erdp_classifier_gw_set(dp->cls, before[i].port, before[i].vlan,
					       ERDP_CLS_NONE);
	}
}

/*
 * The message carries no instance addresses: an instance that stays (same
 * port, VLAN and MAC) keeps the health checking it had from the config,
 * and its current health, so replaying a gateway moves no flow.
 */
static void fill(struct erdp_gw_rt *gw, const struct erdp_gw_rt *old, const struct erdp_msg_gw *g)
{
	memset(gw, 0, sizeof(*gw));
	gw->in_use = true;
	gw->vrf = g->vrf;
	gw->n_instances = g->n_instances;
	if (old->in_use) {
		gw->health_interval_ms = old->health_interval_ms;
		gw->health_multiplier = old->health_multiplier;
	}
	for (int i = 0; i < g->n_instances; i++) {
		gw->inst[i].port = g->inst[i].port;
		gw->inst[i].vlan = g->inst[i].vlan;
		memcpy(gw->inst[i].mac.addr_bytes, g->inst[i].mac, 6);
		gw->inst[i].alive = true; /* not health-checked */
		for (int j = 0; old->in_use && j < old->n_instances; j++) {
			if (old->inst[j].port == gw->inst[i].port &&
			    old->inst[j].vlan == gw->inst[i].vlan &&
			    rte_is_same_ether_addr(&old->inst[j].mac, &gw->inst[i].mac)) {
				gw->inst[i] = old->inst[j];
				break;
			}
		}
		gw->inst[i].admin_up = g->inst[i].up != 0;
	}
}

enum erdp_ack_status erdp_ctrl_gw_set(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail)
{
	struct pair now[ERDP_MAX_GW_INSTANCES], before[ERDP_MAX_GW_INSTANCES];
	enum erdp_ack_status st;
	struct erdp_gw_rt *gw, saved;
	struct erdp_nh *nh;
	int n_now = 0, n_before;

	st = gw_set_check(dp, c, g, now, &n_now, detail);
	if (st != ERDP_ACK_OK)
		return st;
	gw = &dp->gw[g->gateway];
	saved = *gw;
	n_before = gw_pairs(&saved, before);
	fill(gw, &saved, g);
	nh = erdp_nh_gateway(dp, g->gateway);
	if (nh == NULL) {
		*gw = saved;
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "out of memory");
	}
	repair(dp, c, before, n_before, now, n_now, g->vrf);
	erdp_nh_publish(dp, nh);
	return ERDP_ACK_OK;
}

enum erdp_ack_status erdp_ctrl_gw_del(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail)
{
	struct pair before[ERDP_MAX_GW_INSTANCES];
	struct erdp_gw_rt *gw, saved;
	struct erdp_nh *nh;
	int n_before;

	if (g->gateway >= dp->max_gateways || !dp->gw[g->gateway].in_use)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_NOT_FOUND, "no gateway %u", g->gateway);
	if (c->gw_routes[g->gateway] != 0)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_IN_USE, "%u routes use gateway %u",
					c->gw_routes[g->gateway], g->gateway);
	gw = &dp->gw[g->gateway];
	saved = *gw;
	n_before = gw_pairs(&saved, before);
	memset(gw, 0, sizeof(*gw)); /* not in use: a next hop with no member */
	nh = erdp_nh_gateway(dp, g->gateway);
	if (nh == NULL) {
		*gw = saved;
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "out of memory");
	}
	repair(dp, c, before, n_before, NULL, 0, ERDP_CLS_NONE);
	erdp_nh_publish(dp, nh);
	return ERDP_ACK_OK;
}

enum erdp_ack_status erdp_ctrl_gw_instance(struct erdp_dp *dp, const struct erdp_msg_instance *in,
					   char *detail)
{
	struct erdp_gw_rt *gw;
	bool was;

	if (in->gateway >= dp->max_gateways || !dp->gw[in->gateway].in_use)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no gateway %u", in->gateway);
	gw = &dp->gw[in->gateway];
	if (in->instance >= gw->n_instances)
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "gateway %u has %u instances",
					in->gateway, gw->n_instances);
	was = gw->inst[in->instance].admin_up;
	if (erdp_gateway_instance_set(dp, in->gateway, in->instance, in->up != 0) != 0) {
		gw->inst[in->instance].admin_up = was; /* not published: keep what runs */
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "out of memory");
	}
	return ERDP_ACK_OK;
}
