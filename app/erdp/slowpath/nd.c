/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery on the main lcore (RFC 4861), the IPv6 twin of
 * arp.c: NA for the MSEE address of a link /126, learning the customer's
 * MAC from its NS/NA, proxy NA on gateway ports, and NS to resolve the
 * customer. Messages must arrive with hop limit 255 (else nd_invalid) and
 * a right ICMPv6 checksum (else icmp_bad_checksum, RFC 4861 7.1.1).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "nexthop/nexthop.h"
#include "slowpath.h"

#define ND_NS	       135
#define ND_NA	       136
#define ND_OPT_SLLA    1
#define ND_OPT_TLLA    2
#define ND_NA_ROUTER   0x80
#define ND_NA_SOLICIT  0x40
#define ND_NA_OVERRIDE 0x20
#define ND_LEN	       24 /* type, code, cksum, flags/reserved, target */

/* The link-layer address option of type `opt` in an NS/NA, or NULL. */
static const uint8_t *nd_lladdr(const uint8_t *icmp, uint32_t len, uint8_t opt)
{
	for (uint32_t o = ND_LEN; o + 8 <= len;) {
		uint32_t olen = (uint32_t)icmp[o + 1] * 8;

		if (olen == 0)
			return NULL; /* malformed: RFC 4861 says drop; we just stop */
		if (icmp[o] == opt && olen == 8)
			return icmp + o + 2;
		o += olen;
	}
	return NULL;
}

static void fill_ipv6(struct rte_ipv6_hdr *ip, const uint8_t src[16], const uint8_t dst[16],
		      uint16_t plen, uint8_t hops)
{
	ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
}

static void icmp6_cksum(struct rte_ipv6_hdr *ip, uint8_t *icmp)
{
	icmp[2] = 0;
	icmp[3] = 0;
	uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);

	memcpy(icmp + 2, &ck, 2);
}

static bool is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* Neighbour advertisement from us (`target`, our port MAC) back to the sender of m. */
static void send_na(struct erdp_dp *dp, struct rte_mbuf *m, const uint8_t target[16])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	const struct rte_ipv6_hdr *in =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, erdp_meta(m)->l3_off);
	bool dad = is_unspecified(in->src_addr);
	uint8_t *l3, *icmp;
	struct rte_mbuf *r = erdp_sp_reply_alloc(dp, m, ERDP_ETYPE_IPV6, 40 + ND_LEN + 8, &l3);

	if (r == NULL)
		return;
	fill_ipv6((struct rte_ipv6_hdr *)l3, target, dad ? all_nodes : in->src_addr, ND_LEN + 8,
		  255);
	icmp = l3 + 40;
	memset(icmp, 0, ND_LEN + 8);
	icmp[0] = ND_NA;
	icmp[4] = ND_NA_ROUTER | ND_NA_OVERRIDE | (dad ? 0 : ND_NA_SOLICIT);
	memcpy(icmp + 8, target, 16);
	icmp[ND_LEN] = ND_OPT_TLLA;
	icmp[ND_LEN + 1] = 1;
	memcpy(icmp + ND_LEN + 2, dp->port[erdp_meta(m)->in_port].mac.addr_bytes, 6);
	icmp6_cksum((struct rte_ipv6_hdr *)l3, icmp);
	erdp_sp_send(dp, r, erdp_meta(r)->in_port, erdp_meta(r)->plink);
}

static void customer_nd(struct erdp_dp *dp, struct rte_mbuf *m, const struct rte_ipv6_hdr *ip,
			const uint8_t *icmp, uint32_t len)
{
	const struct erdp_meta *meta = erdp_meta(m);
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[erdp_plink_peering(meta->plink)];
	uint8_t msee[16], cust[16];
	const uint8_t *ll;
	bool answered = false;

	if (!pe->has_v6) {
		erdp_sp_drop(dp, m, ERDP_DROP_ND_INVALID);
		return;
	}
	erdp_p6_msee(&pe->v6[erdp_plink_link(meta->plink)], msee);
	erdp_p6_customer(&pe->v6[erdp_plink_link(meta->plink)], cust);
	if (icmp[0] == ND_NS) {
		ll = nd_lladdr(icmp, len, ND_OPT_SLLA);
		if (ll != NULL && memcmp(ip->src_addr, cust, 16) == 0)
			erdp_neigh_learn(dp, meta->plink, true, (const struct rte_ether_addr *)ll);
		if (memcmp(icmp + 8, msee, 16) == 0) {
			send_na(dp, m, msee);
			answered = true;
		}
	} else if (memcmp(icmp + 8, cust, 16) == 0) { /* NA about the customer address */
		ll = nd_lladdr(icmp, len, ND_OPT_TLLA);
		if (ll == NULL)
			ll = rte_pktmbuf_mtod_offset(m, uint8_t *, 6); /* the frame's source MAC */
		erdp_neigh_learn(dp, meta->plink, true, (const struct rte_ether_addr *)ll);
		answered = true;
	}
	if (answered)
		erdp_sp_consumed(dp, m);
	else
		erdp_sp_drop(dp, m, ERDP_DROP_ND_INVALID);
}

void erdp_nd_input(struct erdp_dp *dp, struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta(m);
	const struct rte_ipv6_hdr *ip;
	const uint8_t *icmp;
	uint32_t len;

	if (rte_pktmbuf_data_len(m) < meta->l3_off + 40u + ND_LEN) {
		erdp_sp_drop(dp, m, ERDP_DROP_LOCAL); /* link-local / multicast, not ND */
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta->l3_off);
	icmp = (const uint8_t *)(ip + 1);
	len = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != IPPROTO_ICMPV6 || (icmp[0] != ND_NS && icmp[0] != ND_NA)) {
		erdp_sp_drop(dp, m, ERDP_DROP_LOCAL);
		return;
	}
	if (ip->hop_limits != 255 || icmp[1] != 0 || len < ND_LEN ||
	    rte_pktmbuf_data_len(m) < meta->l3_off + 40u + len) {
		erdp_sp_drop(dp, m, ERDP_DROP_ND_INVALID);
		return;
	}
	if (!erdp_icmp_cksum_ok(m)) {
		erdp_sp_drop(dp, m, ERDP_DROP_ICMP_CKSUM);
		return;
	}
	if (meta->plink != ERDP_PLINK_NONE) {
		customer_nd(dp, m, ip, icmp, len);
		return;
	}
	/*
	 * Gateway side: proxy every NS, except duplicate address detection
	 * (source ::, RFC 4862 5.4): answering it would tell the instance its
	 * own address is taken, and it would drop it.
	 */
	if (icmp[0] == ND_NS && !is_unspecified(ip->src_addr) &&
	    memcmp(icmp + 8, ip->src_addr, 16) != 0)
		send_na(dp, m, icmp + 8);
	erdp_sp_consumed(dp, m);
}

/* NS for the customer address of one link, to its solicited-node group. */
void erdp_nd_solicit(struct erdp_dp *dp, unsigned int peering, unsigned int link)
{
	const struct erdp_peering_conf *pe = &dp->cfg->peerings[peering];
	uint8_t mac[6] = {0x33, 0x33, 0xff}, snm[16] = {0xff, 0x02, [11] = 1, [12] = 0xff};
	uint8_t msee[16], cust[16], *icmp;
	struct rte_ipv6_hdr *ip;
	struct rte_mbuf *m;
	struct erdp_l2 l2;

	if (!pe->has_v6)
		return;
	erdp_p6_msee(&pe->v6[link], msee);
	erdp_p6_customer(&pe->v6[link], cust);
	memcpy(mac + 3, cust + 13, 3);
	memcpy(snm + 13, cust + 13, 3);
	if (erdp_customer_l2(dp, (int)peering, (int)link, mac, &l2) != 0)
		return;
	m = erdp_sp_frame_alloc(dp, &l2, ERDP_ETYPE_IPV6, 40 + ND_LEN + 8, (uint8_t **)&ip);
	if (m == NULL)
		return;
	fill_ipv6(ip, msee, snm, ND_LEN + 8, 255);
	icmp = (uint8_t *)(ip + 1);
	memset(icmp, 0, ND_LEN + 8);
	icmp[0] = ND_NS;
	memcpy(icmp + 8, cust, 16);
	icmp[ND_LEN] = ND_OPT_SLLA;
	icmp[ND_LEN + 1] = 1;
	memcpy(icmp + ND_LEN + 2, l2.hdr + 6, 6);
	icmp6_cksum(ip, icmp);
	erdp_sp_send(dp, m, (uint8_t)l2.cfg_port, l2.plink);
}
