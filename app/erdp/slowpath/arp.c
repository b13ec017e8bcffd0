/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP on the main lcore.
 *
 * Customer side (a peering link): erdp owns the MSEE address of the link
 * /30 and answers requests for it with the frame's own tags; any ARP whose
 * sender is the customer address of that link teaches erdp the customer's
 * MAC. Requests for other addresses are ignored and counted (arp_invalid).
 *
 * Gateway side: gateway ports carry no configured address, so erdp answers
 * every request from a gateway VLAN with its port MAC (proxy ARP); that lets
 * a gateway instance point its route at any address on the link.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>

#include "nexthop/nexthop.h"
#include "slowpath.h"

static bool arp_valid(const struct rte_arp_hdr *a)
{
	return a->arp_hardware == rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) &&
	       a->arp_protocol == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) && a->arp_hlen == 6 &&
	       a->arp_plen == 4;
}

/* Turn a request into its reply in place: we are `ip` at the port's MAC. */
static void reply(struct erdp_dp *dp, struct rte_mbuf *m, struct rte_arp_hdr *a, uint32_t ip_be)
{
	const struct erdp_meta *meta = erdp_meta(m);
	const struct rte_ether_addr *mine = &dp->port[meta->in_port].mac;

	erdp_sp_count_local(dp, m); /* the request; the reply reuses its mbuf */
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = *mine;
	a->arp_data.arp_sip = ip_be;
	erdp_sp_turn_l2(dp, m);
	erdp_sp_send(dp, m, meta->in_port, meta->plink);
}

static void customer_arp(struct erdp_dp *dp, struct rte_mbuf *m, struct rte_arp_hdr *a)
{
	const struct erdp_meta *meta = erdp_meta(m);
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[erdp_plink_peering(meta->plink)];
	const struct erdp_prefix4 *net = &pe->v4[erdp_plink_link(meta->plink)];
	uint32_t sip = rte_be_to_cpu_32(a->arp_data.arp_sip);
	uint32_t tip = rte_be_to_cpu_32(a->arp_data.arp_tip);
	bool from_customer = sip == erdp_p4_customer(net);

	if (from_customer && rte_is_unicast_ether_addr(&a->arp_data.arp_sha))
		erdp_neigh_learn(dp, meta->plink, false, &a->arp_data.arp_sha);
	if (a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && tip == erdp_p4_msee(net)) {
		reply(dp, m, a, a->arp_data.arp_tip);
		return;
	}
	if (from_customer)
		erdp_sp_consumed(dp, m); /* a reply or gratuitous ARP that taught us */
	else
		erdp_sp_drop(dp, m, ERDP_DROP_ARP_INVALID);
}

static uint16_t frame_vlan(struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	return erdp_meta(m)->l3_off > ERDP_ETH_HLEN ? (uint16_t)(((f[14] << 8) | f[15]) & 0x0fff)
						    : 0;
}

static void gateway_arp(struct erdp_dp *dp, struct rte_mbuf *m, struct rte_arp_hdr *a)
{
	if (a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY)) {
		erdp_health_reply(dp, erdp_meta(m)->in_port, frame_vlan(m),
				  rte_be_to_cpu_32(a->arp_data.arp_sip));
		erdp_sp_consumed(dp, m);
		return;
	}
	/* Gratuitous ARP / duplicate address probes are not questions. */
	if (a->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    a->arp_data.arp_tip == a->arp_data.arp_sip || a->arp_data.arp_sip == 0) {
		erdp_sp_consumed(dp, m);
		return;
	}
	reply(dp, m, a, a->arp_data.arp_tip);
}

void erdp_arp_input(struct erdp_dp *dp, struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta(m);
	struct rte_arp_hdr *a;

	if (rte_pktmbuf_data_len(m) < meta->l3_off + sizeof(*a)) {
		erdp_sp_drop(dp, m, ERDP_DROP_TRUNCATED);
		return;
	}
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, meta->l3_off);
	if (!arp_valid(a)) {
		erdp_sp_drop(dp, m, ERDP_DROP_ARP_INVALID);
		return;
	}
	if (meta->plink != ERDP_PLINK_NONE)
		customer_arp(dp, m, a);
	else
		gateway_arp(dp, m, a);
}

struct rte_mbuf *erdp_arp_request_frame(struct erdp_dp *dp, const struct erdp_l2 *l2, uint32_t sip,
					uint32_t tip)
{
	struct rte_arp_hdr *a;
	struct rte_mbuf *m =
		erdp_sp_frame_alloc(dp, l2, RTE_ETHER_TYPE_ARP, sizeof(*a), (uint8_t **)&a);

	if (m == NULL)
		return NULL;
	memset(a, 0, sizeof(*a));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	memcpy(a->arp_data.arp_sha.addr_bytes, l2->hdr + 6, 6);
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

/* Who has <customer address>? Tell <MSEE address>, on one link of a peering. */
void erdp_arp_request(struct erdp_dp *dp, unsigned int peering, unsigned int link)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const struct erdp_prefix4 *net = &dp->cfg->peerings[peering].v4[link];
	struct rte_mbuf *m;
	struct erdp_l2 l2;

	if (erdp_customer_l2(dp, (int)peering, (int)link, bcast, &l2) != 0)
		return;
	m = erdp_arp_request_frame(dp, &l2, erdp_p4_msee(net), erdp_p4_customer(net));
	if (m != NULL)
		erdp_sp_send(dp, m, (uint8_t)l2.cfg_port, l2.plink);
}
