/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the slow path sends and how it counts: every frame leaves through a
 * worker's inject ring (workers own the TX queues), and every frame it
 * takes in is counted exactly once (local, tx or a drop reason).
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "erdp_rewrite.h"
#include "slowpath.h"

static struct erdp_worker *inject_worker(struct erdp_dp *dp)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	return lcore < RTE_MAX_LCORE ? dp->workers[lcore] : NULL;
}

void erdp_sp_drop(struct erdp_dp *dp, struct rte_mbuf *m, enum erdp_drop reason)
{
	const struct erdp_meta *meta = erdp_meta(m);
	struct erdp_counters *c = dp->main_ctr;

	c->port_drop[meta->in_port][reason]++;
	if (meta->plink != ERDP_PLINK_NONE)
		c->plink_drop[meta->plink][reason]++;
	rte_pktmbuf_free(m);
}

void erdp_sp_count_local(struct erdp_dp *dp, const struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta((struct rte_mbuf *)(uintptr_t)m);
	struct erdp_counters *c = dp->main_ctr;

	c->port[meta->in_port].local_pkts++;
	if (meta->plink != ERDP_PLINK_NONE)
		c->plink[meta->plink].local_pkts++;
}

void erdp_sp_consumed(struct erdp_dp *dp, struct rte_mbuf *m)
{
	erdp_sp_count_local(dp, m);
	rte_pktmbuf_free(m);
}

void erdp_sp_send(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t port, uint16_t plink)
{
	struct erdp_worker *w = inject_worker(dp);
	struct erdp_meta *meta = erdp_meta(m);
	struct erdp_counters *c = dp->main_ctr;

	meta->in_port = port;
	meta->plink = plink;
	/* The worker that sends it counts its tx. */
	if (w == NULL || rte_ring_sp_enqueue(w->inject, m) != 0) {
		if (plink != ERDP_PLINK_NONE)
			c->plink_drop[plink][ERDP_DROP_TX_FULL]++;
		c->port_drop[port][ERDP_DROP_TX_FULL]++;
		rte_pktmbuf_free(m);
	}
}

/*
 * Tags of a frame erdp sends back where one came from: toward the customer
 * the outer TPID is the port pair's egress TPID (whatever the customer
 * used), and like every frame erdp originates, PCP and DEI are 0.
 */
static void reply_tags(struct erdp_dp *dp, uint8_t *f, uint16_t l3_off, uint16_t plink)
{
	for (uint16_t o = 12; o + 4 <= l3_off; o += 4)
		f[o + 2] &= 0x0f;
	if (plink != ERDP_PLINK_NONE && l3_off > ERDP_ETH_HLEN) {
		f[12] = (uint8_t)(dp->cfg->pair.egress_tpid >> 8);
		f[13] = (uint8_t)dp->cfg->pair.egress_tpid;
	}
}

void erdp_sp_turn_l2(struct erdp_dp *dp, struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta(m);
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);

	memcpy(f, f + 6, 6);
	memcpy(f + 6, dp->port[meta->in_port].mac.addr_bytes, 6);
	reply_tags(dp, f, meta->l3_off, meta->plink);
}

struct rte_mbuf *erdp_sp_reply_alloc(struct erdp_dp *dp, struct rte_mbuf *m, uint16_t etype,
				     uint16_t l3_len, uint8_t **l3)
{
	const struct erdp_meta *meta = erdp_meta(m);
	struct rte_mbuf *r = rte_pktmbuf_alloc(dp->pool);
	uint8_t *f;

	if (r == NULL)
		return NULL;
	f = (uint8_t *)rte_pktmbuf_append(r, (uint16_t)(meta->l3_off + l3_len));
	if (f == NULL) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	memcpy(f, rte_pktmbuf_mtod(m, uint8_t *), meta->l3_off);
	memcpy(f, f + 6, 6); /* back to the sender */
	memcpy(f + 6, dp->port[meta->in_port].mac.addr_bytes, 6);
	reply_tags(dp, f, meta->l3_off, meta->plink);
	f[meta->l3_off - 2] = (uint8_t)(etype >> 8);
	f[meta->l3_off - 1] = (uint8_t)etype;
	*erdp_meta(r) = *meta;
	*l3 = f + meta->l3_off;
	return r;
}

struct rte_mbuf *erdp_sp_frame_alloc(struct erdp_dp *dp, const struct erdp_l2 *l2, uint16_t etype,
				     uint16_t l3_len, uint8_t **l3)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	uint8_t *f;

	if (m == NULL)
		return NULL;
	f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l2->len + 2 + l3_len));
	if (f == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(f, l2->hdr, l2->len);
	f[l2->len] = (uint8_t)(etype >> 8);
	f[l2->len + 1] = (uint8_t)etype;
	*l3 = f + l2->len + 2;
	return m;
}

void erdp_sp_forward(struct erdp_dp *dp, struct rte_mbuf *m, const struct erdp_l2 *l2)
{
	struct erdp_meta *meta = erdp_meta(m);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l3_off);

	/* The host's own frames (BGP with TTL 1, BFD with 255) are originated, not routed. */
	if (meta->punt == ERDP_PUNT_HOST)
		;
	else if (meta->etype == ERDP_ETYPE_IPV6)
		((struct rte_ipv6_hdr *)l3)->hop_limits--;
	else
		erdp_ipv4_ttl_dec((struct rte_ipv4_hdr *)l3);
	if (erdp_rewrite_l2(m, meta->l3_off, l2, meta->etype) == NULL) {
		erdp_sp_drop(dp, m, ERDP_DROP_TRUNCATED);
		return;
	}
	erdp_sp_send(dp, m, (uint8_t)l2->cfg_port, l2->plink);
}

/* The MSEE address of the ingress link, or the VRF's address for the gateway side. */
bool erdp_sp_src4(struct erdp_dp *dp, struct rte_mbuf *m, uint32_t *src)
{
	const struct erdp_meta *meta = erdp_meta(m);

	if (meta->plink != ERDP_PLINK_NONE) {
		const struct erdp_peering_conf *pe =
			&dp->cfg->peerings[erdp_plink_peering(meta->plink)];

		*src = erdp_p4_msee(&pe->v4[erdp_plink_link(meta->plink)]);
		return true;
	}
	*src = dp->vrf_src4[meta->vrf];
	return (dp->vrf_has_src[meta->vrf] & 1) != 0;
}

bool erdp_sp_src6(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t src[16])
{
	const struct erdp_meta *meta = erdp_meta(m);

	if (meta->plink != ERDP_PLINK_NONE) {
		const struct erdp_peering_conf *pe =
			&dp->cfg->peerings[erdp_plink_peering(meta->plink)];

		if (!pe->has_v6)
			return false;
		erdp_p6_msee(&pe->v6[erdp_plink_link(meta->plink)], src);
		return true;
	}
	memcpy(src, dp->vrf_src6[meta->vrf], 16);
	return (dp->vrf_has_src[meta->vrf] & 2) != 0;
}
