/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage 1, parse: classify each frame's tags to a circuit, peering link
 * and VRF (lib/circuit), check its L3 header and the receive rules of a
 * router (receive.h), and queue its lookup key; or punt it (ARP, neighbour
 * discovery) or drop it with its reason.
 *
 * Two passes: headers and classifier entries are prefetched first, so that
 * both kinds of miss overlap; the peering link's counter line is
 * prefetched here and written after the lookup (forward.h, account_rx).
 */
#ifndef ERDP_DATAPATH_PARSE_H
#define ERDP_DATAPATH_PARSE_H

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "erdp_cksum.h"
#include "exit.h"
#include "receive.h"

#define ERDP_PREFETCH_AHEAD 4

/* avail: bytes from the IP header to the frame end; seg: to the first segment's end. */
static inline enum erdp_drop erdp_ipv4_check(const struct rte_mbuf *m,
					     const struct rte_ipv4_hdr *ip, uint32_t avail,
					     uint32_t seg)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl || tot > avail)
		return ERDP_DROP_IPV4_HEADER;
	if (unlikely(ihl > seg)) /* options split across segments: not worth a copy */
		return ERDP_DROP_TRUNCATED;
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return ERDP_DROP_NONE;
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD || !erdp_ipv4_cksum_ok(ip, ihl))
		return ERDP_DROP_IPV4_CKSUM;
	return ERDP_DROP_NONE;
}

static inline enum erdp_drop erdp_ipv6_check(const struct rte_ipv6_hdr *ip, uint32_t avail)
{
	if ((ip->vtc_flow & rte_cpu_to_be_32(0xf0000000)) != rte_cpu_to_be_32(0x60000000) ||
	    rte_be_to_cpu_16(ip->payload_len) + sizeof(*ip) > avail)
		return ERDP_DROP_IPV6_HEADER;
	return ERDP_DROP_NONE;
}

/* One frame: classify and check, queue its lookup key, or punt or drop it. */
static inline void erdp_parse_one(struct erdp_burst *b, struct rte_mbuf *m, uint16_t i)
{
	struct erdp_pkt *pkt = &b->pkt[i];
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t dlen = rte_pktmbuf_data_len(m);
	enum erdp_rx_l2 l2;
	enum erdp_drop reason;
	struct erdp_cls r;
	bool punt;
	int rc;

	rc = erdp_classify(b->dp->cls, b->cfg_port, f, dlen, &r);
	pkt->plink = ERDP_PLINK_NONE;
	pkt->len = m->pkt_len;
	if (r.peering != ERDP_CLS_NONE) {
		/* counted by erdp_account_rx() once the line is in */
		pkt->plink = (uint16_t)erdp_plink(r.peering, r.link);
		rte_prefetch0(&b->ctr->plink[pkt->plink]);
	} else if (r.circuit != ERDP_CLS_NONE) {
		b->ctr->circuit[r.circuit].rx_pkts++;
		b->ctr->circuit[r.circuit].rx_bytes += m->pkt_len;
	}
	if (unlikely(rc != 0)) {
		erdp_burst_drop(b, m, (enum erdp_drop)rc, r.circuit, pkt->plink);
		return;
	}
	l2 = erdp_rx_l2_of(&b->rx_mac, f);
	if (unlikely(l2 == ERDP_RX_L2_OTHER)) {
		erdp_burst_drop(b, m, ERDP_DROP_L2_NOT_FOR_US, r.circuit, pkt->plink);
		return;
	}
	pkt->l3_off = r.tags.l3_off;
	pkt->vrf = r.vrf;
	pkt->etype = r.tags.etype;
	if (likely(r.tags.etype == ERDP_ETYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + pkt->l3_off);

		if (unlikely(dlen < pkt->l3_off + sizeof(*ip))) {
			erdp_burst_drop(b, m, ERDP_DROP_TRUNCATED, r.circuit, pkt->plink);
			return;
		}
		reason = erdp_ipv4_check(m, ip, m->pkt_len - pkt->l3_off, dlen - pkt->l3_off);
		if (likely(reason == ERDP_DROP_NONE))
			reason = erdp_rx_ipv4(ip, l2);
		if (unlikely(reason != ERDP_DROP_NONE)) {
			erdp_burst_drop(b, m, reason, r.circuit, pkt->plink);
			return;
		}
		b->routed[b->n4] = i;
		b->vrf4[b->n4] = r.vrf;
		b->dst4[b->n4] = rte_be_to_cpu_32(ip->dst_addr);
		b->n4++;
	} else if (r.tags.etype == ERDP_ETYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(f + pkt->l3_off);

		if (unlikely(dlen < pkt->l3_off + sizeof(*ip))) {
			erdp_burst_drop(b, m, ERDP_DROP_TRUNCATED, r.circuit, pkt->plink);
			return;
		}
		reason = erdp_ipv6_check(ip, m->pkt_len - pkt->l3_off);
		if (likely(reason == ERDP_DROP_NONE))
			reason = erdp_rx_ipv6(ip, dlen - pkt->l3_off - sizeof(*ip), l2, &punt);
		if (unlikely(reason != ERDP_DROP_NONE)) {
			erdp_burst_drop(b, m, reason, r.circuit, pkt->plink);
			return;
		}
		if (unlikely(punt)) {
			erdp_burst_punt(b, m, pkt, ERDP_PUNT_NDP, 0, 0);
			return;
		}
		b->idx6[b->n6] = i;
		b->vrf6[b->n6] = r.vrf;
		memcpy(b->dst6[b->n6], ip->dst_addr, 16);
		b->n6++;
	} else if (r.tags.etype == ERDP_ETYPE_ARP) {
		erdp_burst_punt(b, m, pkt, ERDP_PUNT_ARP, 0, 0);
	} else {
		erdp_burst_drop(b, m, ERDP_DROP_NON_IP, r.circuit, pkt->plink);
	}
}

/* Stage 1 over a burst that arrived on cfg_port. */
static inline void erdp_stage_parse(struct erdp_burst *b, const struct erdp_dp *dp,
				    struct erdp_worker *w, uint8_t cfg_port, struct rte_mbuf **pkts,
				    uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	b->dp = dp;
	b->w = w;
	b->ctr = w->ctr;
	b->cfg_port = cfg_port;
	erdp_rx_mac_init(&b->rx_mac, &dp->port[cfg_port]);
	b->n = n;
	b->n_free = 0;
	b->n4 = 0;
	b->n6 = 0;
	/* Headers first, then the classifier entries, so both kinds of miss overlap. */
	for (i = 0; i < n && i < ERDP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + ERDP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + ERDP_PREFETCH_AHEAD], void *));
		erdp_classify_prefetch(dp->cls, cfg_port, rte_pktmbuf_mtod(pkts[i], uint8_t *));
	}
	for (i = 0; i < n; i++) {
		bytes += pkts[i]->pkt_len;
		erdp_parse_one(b, pkts[i], i);
	}
	b->ctr->port[cfg_port].rx_pkts += n;
	b->ctr->port[cfg_port].rx_bytes += bytes;
}

#endif
