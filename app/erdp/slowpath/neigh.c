/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Customer neighbours and hold queues (the contract is in slowpath.h).
 * Everything here runs on the main lcore.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "nexthop/nexthop.h"
#include "slowpath.h"

unsigned int erdp_neigh_refresh_s = 240;
unsigned int erdp_neigh_timeout_s = 300;

static struct erdp_hold *hold_of(struct erdp_dp *dp, unsigned int peering, bool v6)
{
	return &dp->hold[peering * 2 + (v6 ? 1 : 0)];
}

/* Per VRF, the first peering's primary MSEE addresses source ICMP sent to the gateway side. */
static void vrf_sources(struct erdp_dp *dp)
{
	for (int p = dp->cfg->n_peerings - 1; p >= 0; p--) {
		const struct erdp_peering_conf *pe = &dp->cfg->peerings[p];

		dp->vrf_src4[pe->vrf] = erdp_p4_msee(&pe->v4[0]);
		dp->vrf_has_src[pe->vrf] |= 1;
		if (pe->has_v6) {
			erdp_p6_msee(&pe->v6[0], dp->vrf_src6[pe->vrf]);
			dp->vrf_has_src[pe->vrf] |= 2;
		}
	}
}

int erdp_neigh_init(struct erdp_dp *dp)
{
	const struct erdp_config *cfg = dp->cfg;
	size_t np = cfg->n_peerings > 0 ? (size_t)cfg->n_peerings : 1;
	size_t nv = cfg->n_vrfs > 0 ? (size_t)cfg->n_vrfs : 1;

	dp->neigh = rte_zmalloc("erdp_neigh", erdp_plink_count(np) * 2 * sizeof(*dp->neigh), 0);
	dp->hold = rte_zmalloc("erdp_hold", np * 2 * sizeof(*dp->hold), 0);
	dp->vrf_src4 = rte_zmalloc(NULL, nv * sizeof(*dp->vrf_src4), 0);
	dp->vrf_src6 = rte_zmalloc(NULL, nv * sizeof(*dp->vrf_src6), 0);
	dp->vrf_has_src = rte_zmalloc(NULL, nv, 0);
	if (dp->neigh == NULL || dp->hold == NULL || dp->vrf_src4 == NULL || dp->vrf_src6 == NULL ||
	    dp->vrf_has_src == NULL)
		return -ENOMEM;
	for (int p = 0; p < cfg->n_peerings; p++)
		for (int l = 0; l < ERDP_LINKS; l++) {
			if (!cfg->peerings[p].has_customer_mac[l])
				continue;
			for (int v6 = 0; v6 < 2; v6++) {
				struct erdp_neigh *n = erdp_neigh_get(
					dp, erdp_plink((unsigned int)p, (unsigned int)l), v6);

				memcpy(n->mac.addr_bytes, cfg->peerings[p].customer_mac[l].b, 6);
				n->state = ERDP_NEIGH_STATIC;
			}
		}
	vrf_sources(dp);
	return 0;
}

void erdp_neigh_drop_held(struct erdp_dp *dp)
{
	for (int i = 0; dp->hold != NULL && i < dp->cfg->n_peerings * 2; i++) {
		for (uint16_t k = 0; k < dp->hold[i].n; k++)
			erdp_sp_drop(dp, dp->hold[i].m[k], ERDP_DROP_NEIGH);
		dp->hold[i].n = 0;
	}
}

void erdp_neigh_free(struct erdp_dp *dp)
{
	erdp_neigh_drop_held(dp);
	rte_free(dp->neigh);
	rte_free(dp->hold);
	rte_free(dp->vrf_src4);
	rte_free(dp->vrf_src6);
	rte_free(dp->vrf_has_src);
}

/* Release held frames of a peering that can go now; keep the others. */
static void hold_flush(struct erdp_dp *dp, unsigned int peering, bool v6)
{
	struct erdp_hold *h = hold_of(dp, peering, v6);
	uint16_t keep = 0;

	for (uint16_t i = 0; i < h->n; i++) {
		struct rte_mbuf *m = h->m[i];
		struct erdp_meta *meta = erdp_meta(m);
		const struct erdp_nh *nh = erdp_nh_get(&dp->nh, meta->nh_id);
		uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);
		enum erdp_drop reason = ERDP_DROP_NEIGH;
		const struct erdp_l2 *l2 =
			nh != NULL ? erdp_nh_select(nh, l3, m->pkt_len - meta->l3_off, v6, &reason)
				   : NULL;

		if (l2 != NULL)
			erdp_sp_forward(dp, m, l2);
		else if (reason == ERDP_DROP_NEIGH)
			h->m[keep++] = m;
		else
			erdp_sp_drop(dp, m, reason);
	}
	h->n = keep;
}

void erdp_neigh_learn(struct erdp_dp *dp, unsigned int plink, bool v6,
		      const struct rte_ether_addr *mac)
{
	struct erdp_neigh *n = erdp_neigh_get(dp, plink, v6);
	bool changed;

	if (n->state == ERDP_NEIGH_STATIC)
		return; /* the config wins over what the wire says */
	changed = n->state == ERDP_NEIGH_NONE || !rte_is_same_ether_addr(&n->mac, mac);
	n->mac = *mac;
	n->state = ERDP_NEIGH_REACHABLE;
	n->updated = rte_rdtsc();
	if (!changed)
		return;
	erdp_nh_republish_peering(dp, erdp_plink_peering(plink));
	hold_flush(dp, erdp_plink_peering(plink), v6);
}

static void probe(struct erdp_dp *dp, unsigned int plink, bool v6, uint64_t now)
{
	struct erdp_neigh *n = erdp_neigh_get(dp, plink, v6);

	if (n->last_probe != 0 &&
	    now - n->last_probe < rte_get_tsc_hz() * ERDP_NEIGH_PROBE_MS / 1000)
		return;
	n->last_probe = now;
	if (v6)
		erdp_nd_solicit(dp, erdp_plink_peering(plink), erdp_plink_link(plink));
	else
		erdp_arp_request(dp, erdp_plink_peering(plink), erdp_plink_link(plink));
}

void erdp_neigh_hold(struct erdp_dp *dp, struct rte_mbuf *m)
{
	struct erdp_meta *meta = erdp_meta(m);
	const struct erdp_nh *nh = erdp_nh_get(&dp->nh, meta->nh_id);
	bool v6 = meta->etype == ERDP_ETYPE_IPV6;
	struct erdp_hold *h;
	uint64_t now = rte_rdtsc();

	if (nh == NULL || nh->type != ERDP_NH_CUSTOMER) {
		erdp_sp_drop(dp, m, ERDP_DROP_NO_ROUTE);
		return;
	}
	/* Resolve every existing link of the next hop that is not resolved yet. */
	for (int k = 0; k < nh->n_members; k++) {
		const struct erdp_l2 *l2 = &nh->m[(v6 ? ERDP_NH_V6_MEMBER : 0) + k];

		if (l2->port != ERDP_NH_PORT_NONE && !l2->ok)
			probe(dp, l2->plink, v6, now);
	}
	h = hold_of(dp, nh->owner, v6);
	if (h->n == ERDP_HOLD_MAX) {
		erdp_sp_drop(dp, m, ERDP_DROP_NEIGH);
		return;
	}
	if (h->n == 0)
		h->since = now;
	h->m[h->n++] = m;
	/* The MAC may have been learned between the worker's look and now. */
	hold_flush(dp, nh->owner, v6);
}

static void tick_entry(struct erdp_dp *dp, unsigned int plink, bool v6, uint64_t now, uint64_t hz)
{
	struct erdp_neigh *n = erdp_neigh_get(dp, plink, v6);
	uint64_t age;

	if (n->state != ERDP_NEIGH_REACHABLE)
		return;
	age = now - n->updated;
	if (age >= hz * erdp_neigh_timeout_s) {
		n->state = ERDP_NEIGH_NONE;
		erdp_nh_republish_peering(dp, erdp_plink_peering(plink));
	} else if (age >= hz * erdp_neigh_refresh_s) {
		probe(dp, plink, v6, now);
	}
}

void erdp_neigh_tick(struct erdp_dp *dp)
{
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	int np = dp->cfg->n_peerings;

	for (int p = 0; p < np; p++) {
		for (int v6 = 0; v6 < 2; v6++) {
			struct erdp_hold *h = hold_of(dp, (unsigned int)p, v6);

			for (int l = 0; l < ERDP_LINKS; l++)
				tick_entry(dp, erdp_plink((unsigned int)p, (unsigned int)l), v6,
					   now, hz);
			if (h->n != 0 && now - h->since >= hz * ERDP_HOLD_TIMEOUT_MS / 1000) {
				for (uint16_t i = 0; i < h->n; i++)
					erdp_sp_drop(dp, h->m[i], ERDP_DROP_NEIGH);
				h->n = 0;
			}
		}
	}
}
