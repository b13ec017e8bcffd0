/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The customer side of a peering: three next hops per peering (both links
 * per flow, primary only, secondary only; the link /30s point at the one
 * link). A member is usable when its port is usable, the peering link is
 * admin up and the customer's MAC is known (slowpath/neigh.c, or static).
 */
#include <errno.h>

#include "nexthop.h"

int erdp_customer_l2(const struct erdp_dp *dp, int peering, int link, const uint8_t dst[6],
		     struct erdp_l2 *l2)
{
	const struct erdp_config *cfg = dp->cfg;
	const struct erdp_peering_conf *pe = &cfg->peerings[peering];
	int port = link == ERDP_LINK_PRIMARY ? cfg->pair.primary_port : cfg->pair.secondary_port;
	unsigned int plink = erdp_plink((unsigned int)peering, (unsigned int)link);
	uint16_t tpid[2] = {cfg->pair.egress_tpid, ERDP_TPID_8021Q}, vid[2];
	int n_tags;

	if (port < 0 || !erdp_port_usable(dp, port) || !dp->plink_admin_up[plink])
		return -1; /* no such link, or down: l2->port stays ERDP_NH_PORT_NONE */
	if (cfg->pair.encap == ERDP_ENCAP_QINQ) {
		vid[0] = cfg->circuits[pe->circuit].s_tag;
		vid[1] = pe->vlan;
		n_tags = 2;
	} else {
		vid[0] = pe->vlan;
		n_tags = 1;
	}
	erdp_l2_build(l2, dst, dp->port[port].mac.addr_bytes, n_tags, tpid, vid);
	l2->port = dp->port[port].port_id;
	l2->cfg_port = (uint16_t)port;
	l2->mtu = cfg->ports[port].mtu;
	l2->plink = (uint16_t)plink;
	return 0;
}

/* Member toward one link for one family, from the neighbour table. */
static void customer_member(struct erdp_dp *dp, int peering, int link, bool v6, struct erdp_l2 *l2)
{
	const struct erdp_neigh *n =
		erdp_neigh_get(dp, erdp_plink((unsigned int)peering, (unsigned int)link), v6);

	if (erdp_customer_l2(dp, peering, link, n->mac.addr_bytes, l2) == 0)
		l2->ok = n->state != ERDP_NEIGH_NONE;
}

struct erdp_nh *erdp_nh_customer(struct erdp_dp *dp, int peering, enum erdp_nh_links links)
{
	uint32_t id = erdp_nh_id_peering(&dp->nh, (uint32_t)peering, links);
	struct erdp_nh *nh = erdp_nh_alloc(ERDP_NH_CUSTOMER, id, (uint16_t)peering);
	int first = links == ERDP_NH_LINKS_SECONDARY ? ERDP_LINK_SECONDARY : ERDP_LINK_PRIMARY;

	if (nh == NULL)
		return NULL;
	nh->n_members = links == ERDP_NH_LINKS_BOTH ? 2 : 1;
	for (int k = 0; k < nh->n_members; k++) {
		customer_member(dp, peering, first + k, false, &nh->m[k]);
		customer_member(dp, peering, first + k, true, &nh->m[ERDP_NH_V6_MEMBER + k]);
	}
	return nh;
}

int erdp_nh_republish_peering(struct erdp_dp *dp, unsigned int peering)
{
	for (int k = 0; k < ERDP_NH_PER_PEERING; k++) {
		struct erdp_nh *nh = erdp_nh_customer(dp, (int)peering, (enum erdp_nh_links)k);

		if (nh == NULL)
			return -ENOMEM; /* keep the old one: stale but consistent */
		erdp_nh_publish(dp, nh);
	}
	return 0;
}
