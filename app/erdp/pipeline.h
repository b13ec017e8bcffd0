/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-packet pipeline of a worker, as three burst stages:
 *
 *   erdp_burst_parse    classify tags, L3 checks, collect (vrf, dst) keys
 *   erdp_burst_lookup   one bulk LPM per family for the whole burst
 *   erdp_burst_forward  next hop (gateway instance by flow hash / customer
 *                       link), TTL + L2 rewrite, per-port TX buffers
 *
 * Each stage walks the burst in passes, and each pass prefetches what the
 * next one reads (classifier entries, link counter lines, LPM levels,
 * next-hop lines), so that a burst's cache misses overlap instead of
 * queueing (what it gained with full tables: docs/performance.md).
 *
 * Header-only and inline so that the worker loop compiles to one function,
 * and so that tools/pipeline-bench can time each stage on the same code.
 * No locks, no syscalls, no allocation; every drop is counted on the RX port
 * and, when known, the circuit and peering link.
 */
#ifndef ERDP_PIPELINE_H
#define ERDP_PIPELINE_H

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "erdp_cksum.h"
#include "erdp_ecmp.h"
#include "erdp_rewrite.h"

#define PREFETCH_AHEAD 4

struct pkt_ctx {
	uint16_t l3_off;
	uint16_t plink; /* ingress peering link or 0xffff */
	uint16_t vrf;
	uint16_t etype;
	uint32_t len; /* frame length, for the link's RX counter (counted after the lookup) */
};

struct burst_ctx {
	struct erdp_worker *w;
	uint8_t cfg_port;
	uint16_t n; /* frames in the burst */
	uint16_t n_free;
	struct rte_mbuf *free[ERDP_BURST_MAX];
	struct pkt_ctx pc[ERDP_BURST_MAX];
	/*
	 * IPv4 lookups. After the lookup stage idx4/nh4 also hold the IPv6
	 * frames at [n4, n4 + n6), so that the forward stage walks one list
	 * (n4 + n6 <= n <= ERDP_BURST_MAX).
	 */
	uint16_t n4;
	uint16_t idx4[ERDP_BURST_MAX];
	uint16_t vrf4[ERDP_BURST_MAX];
	uint32_t ip4[ERDP_BURST_MAX];
	uint32_t nh4[ERDP_BURST_MAX];
	/* IPv6 lookups */
	uint16_t n6;
	uint16_t idx6[ERDP_BURST_MAX];
	uint16_t vrf6[ERDP_BURST_MAX];
	uint8_t ip6[ERDP_BURST_MAX][16];
	uint32_t nh6[ERDP_BURST_MAX];
	/* forward stage, in the order of idx4: next hop and flow hash */
	const struct erdp_nh *fnh[ERDP_BURST_MAX];
	uint32_t fhash[ERDP_BURST_MAX];
};

/* Count a drop where it is known, and queue the mbuf for a bulk free. */
static inline void drop(struct burst_ctx *b, struct rte_mbuf *m, unsigned int reason,
			uint16_t circuit, uint16_t plink)
{
	struct erdp_counters *c = b->w->ctr;

	c->port_drop[b->cfg_port][reason]++;
	if (plink != 0xffff)
		c->plink_drop[plink][reason]++;
	else if (circuit != ERDP_CLS_NONE)
		c->circuit_drop[circuit][reason]++;
	b->free[b->n_free++] = m;
}

static inline void punt(struct burst_ctx *b, struct rte_mbuf *m, const struct pkt_ctx *pc,
			enum erdp_punt why, uint32_t nh_id, uint8_t member)
{
	struct erdp_meta *meta = erdp_meta(m);

	meta->plink = pc->plink;
	meta->vrf = pc->vrf;
	meta->l3_off = pc->l3_off;
	meta->in_port = b->cfg_port;
	meta->punt = (uint8_t)why;
	meta->etype = pc->etype;
	meta->nh_id = nh_id;
	meta->member = member;
	if (rte_ring_sp_enqueue(b->w->punt, m) != 0)
		drop(b, m, ERDP_DROP_PUNT_FULL, ERDP_CLS_NONE, pc->plink);
}

/* avail: bytes from the IP header to the frame end; seg: to the first segment's end. */
static inline bool ipv4_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint32_t avail,
			   uint32_t seg, unsigned int *reason)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl || tot > avail) {
		*reason = ERDP_DROP_IPV4_HEADER;
		return false;
	}
	if (unlikely(ihl > seg)) { /* options split across segments: not worth a copy */
		*reason = ERDP_DROP_TRUNCATED;
		return false;
	}
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return true;
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD || !erdp_ipv4_cksum_ok(ip, ihl)) {
		*reason = ERDP_DROP_IPV4_CKSUM;
		return false;
	}
	return true;
}

/* Stage 1: classify and check one frame, queue its lookup. */
static inline void stage_parse(struct burst_ctx *b, struct rte_mbuf *m, uint16_t i)
{
	const struct erdp_classifier *cls = erdp.cls;
	struct erdp_counters *c = b->w->ctr;
	struct pkt_ctx *pc = &b->pc[i];
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t dlen = rte_pktmbuf_data_len(m);
	struct erdp_cls r;
	unsigned int reason;
	int rc;

	rc = erdp_classify(cls, b->cfg_port, f, dlen, &r);
	pc->plink = 0xffff;
	pc->len = m->pkt_len;
	if (r.peering != ERDP_CLS_NONE) {
		/* counted by account_rx() once the line is in */
		pc->plink = (uint16_t)erdp_plink(r.peering, r.link);
		rte_prefetch0(&c->plink[pc->plink]);
	} else if (r.circuit != ERDP_CLS_NONE) {
		c->circuit[r.circuit].rx_pkts++;
		c->circuit[r.circuit].rx_bytes += m->pkt_len;
	}
	if (unlikely(rc != 0)) {
		drop(b, m, (unsigned int)rc, r.circuit, pc->plink);
		return;
	}
	pc->l3_off = r.tags.l3_off;
	pc->vrf = r.vrf;
	pc->etype = r.tags.etype;
	if (likely(r.tags.etype == ERDP_ETYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + pc->l3_off);

		if (unlikely(dlen < pc->l3_off + sizeof(*ip))) {
			drop(b, m, ERDP_DROP_TRUNCATED, r.circuit, pc->plink);
			return;
		}
		if (unlikely(
			    !ipv4_ok(m, ip, m->pkt_len - pc->l3_off, dlen - pc->l3_off, &reason))) {
			drop(b, m, reason, r.circuit, pc->plink);
			return;
		}
		b->idx4[b->n4] = i;
		b->vrf4[b->n4] = r.vrf;
		b->ip4[b->n4] = rte_be_to_cpu_32(ip->dst_addr);
		b->n4++;
	} else if (r.tags.etype == ERDP_ETYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(f + pc->l3_off);

		if (unlikely(dlen < pc->l3_off + sizeof(*ip))) {
			drop(b, m, ERDP_DROP_TRUNCATED, r.circuit, pc->plink);
			return;
		}
		if (unlikely((ip->vtc_flow & rte_cpu_to_be_32(0xf0000000)) !=
				     rte_cpu_to_be_32(0x60000000) ||
			     rte_be_to_cpu_16(ip->payload_len) + sizeof(*ip) >
				     m->pkt_len - pc->l3_off)) {
			drop(b, m, ERDP_DROP_IPV6_HEADER, r.circuit, pc->plink);
			return;
		}
		/* Neighbour discovery, link-local and multicast never route. */
		if (unlikely(ip->dst_addr[0] == 0xff ||
			     (ip->dst_addr[0] == 0xfe && (ip->dst_addr[1] & 0xc0) == 0x80))) {
			punt(b, m, pc, ERDP_PUNT_NDP, 0, 0);
			return;
		}
		b->idx6[b->n6] = i;
		b->vrf6[b->n6] = r.vrf;
		memcpy(b->ip6[b->n6], ip->dst_addr, 16);
		b->n6++;
	} else if (r.tags.etype == ERDP_ETYPE_ARP) {
		punt(b, m, pc, ERDP_PUNT_ARP, 0, 0);
	} else {
		drop(b, m, ERDP_DROP_NON_IP, r.circuit, pc->plink);
	}
}

static inline void tx_enqueue(struct erdp_worker *w, uint8_t cfg_port, struct rte_mbuf *m,
			      uint16_t plink)
{
	struct erdp_txb *t = &w->txb[cfg_port];

	t->plink[t->n] = plink;
	t->m[t->n++] = m;
	if (unlikely(t->n == ERDP_TXB_MAX)) {
		erdp_eth_tx(&erdp, w->ctr, cfg_port, w->txq[cfg_port], t->m, t->plink, t->n);
		t->n = 0;
	}
}

/* Stage 3: act on the looked-up next hop of packet i. */
static inline void stage_forward(struct burst_ctx *b, struct rte_mbuf *m, uint16_t i,
				 uint32_t nh_id, bool v6, const struct erdp_nh *nh, uint32_t hash)
{
	struct pkt_ctx *pc = &b->pc[i];
	struct erdp_counters *c = b->w->ctr;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, pc->l3_off);
	const struct erdp_l2 *l2;
	unsigned int reason = ERDP_DROP_NO_ROUTE;
	uint8_t ttl;
	uint32_t ip_len;

	if (unlikely(nh == NULL)) {
		drop(b, m, ERDP_DROP_NO_ROUTE, ERDP_CLS_NONE, pc->plink);
		return;
	}
	if (unlikely(nh->type <= ERDP_NH_LOCAL)) {
		if (nh->type == ERDP_NH_LOCAL)
			punt(b, m, pc, ERDP_PUNT_LOCAL, nh_id, 0);
		else
			drop(b, m, ERDP_DROP_BLACKHOLE, ERDP_CLS_NONE, pc->plink);
		return;
	}
	ttl = v6 ? ((struct rte_ipv6_hdr *)l3)->hop_limits
		 : ((struct rte_ipv4_hdr *)l3)->time_to_live;
	if (unlikely(ttl <= 1)) {
		punt(b, m, pc, ERDP_PUNT_TTL, nh_id, 0);
		return;
	}
	l2 = erdp_nh_select_hash(nh, hash, v6, &reason);
	if (unlikely(l2 == NULL)) {
		if (reason == ERDP_DROP_NEIGH)
			punt(b, m, pc, ERDP_PUNT_NEIGH, nh_id, 0);
		else
			drop(b, m, reason, ERDP_CLS_NONE, pc->plink);
		return;
	}
	ip_len = v6 ? rte_be_to_cpu_16(((struct rte_ipv6_hdr *)l3)->payload_len) + 40u
		    : rte_be_to_cpu_16(((struct rte_ipv4_hdr *)l3)->total_length);
	if (unlikely(ip_len > l2->mtu)) {
		punt(b, m, pc, ERDP_PUNT_MTU, nh_id, (uint8_t)(l2 - nh->m));
		return;
	}
	if (v6)
		((struct rte_ipv6_hdr *)l3)->hop_limits--;
	else
		erdp_ipv4_ttl_dec((struct rte_ipv4_hdr *)l3);
	if (unlikely(erdp_rewrite_l2(m, pc->l3_off, l2, pc->etype) == NULL)) {
		drop(b, m, ERDP_DROP_TRUNCATED, ERDP_CLS_NONE, pc->plink);
		return;
	}
	if (l2->plink != 0xffff) /* counted by erdp_eth_tx() */
		rte_prefetch0(&c->plink[l2->plink]);
	tx_enqueue(b->w, (uint8_t)l2->cfg_port, m, l2->plink);
}

/* Stage 1 over a burst: classify and check every frame, collect lookup keys. */
static inline void erdp_burst_parse(struct burst_ctx *b, struct erdp_worker *w, uint8_t cfg_port,
				    struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	b->w = w;
	b->cfg_port = cfg_port;
	b->n = n;
	b->n_free = 0;
	b->n4 = 0;
	b->n6 = 0;
	/* Headers first, then the classifier entries, so both kinds of miss overlap. */
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		erdp_classify_prefetch(erdp.cls, cfg_port, rte_pktmbuf_mtod(pkts[i], uint8_t *));
	}
	for (i = 0; i < n; i++) {
		bytes += pkts[i]->pkt_len;
		stage_parse(b, pkts[i], i);
	}
	w->ctr->port[cfg_port].rx_pkts += n;
	w->ctr->port[cfg_port].rx_bytes += bytes;
}

/* Stage 2: one bulk LPM per family for the whole burst, whatever the VRFs. */
static inline void erdp_burst_lookup(struct burst_ctx *b)
{
	if (b->n4 != 0)
		erdp_fib4_lookup_bulk(erdp.fib4, b->vrf4, b->ip4, b->nh4, b->n4);
	if (b->n6 != 0) {
		erdp_fib6_lookup_bulk(erdp.fib6, b->vrf6, (const uint8_t(*)[16])b->ip6, b->nh6,
				      b->n6);
		memcpy(&b->idx4[b->n4], b->idx6, b->n6 * sizeof(b->idx6[0]));
		memcpy(&b->nh4[b->n4], b->nh6, b->n6 * sizeof(b->nh6[0]));
	}
}

/* RX counters of the burst's peering links, whose lines stage_parse() prefetched. */
static inline void account_rx(struct burst_ctx *b)
{
	struct erdp_ctr *pl = b->w->ctr->plink;

	for (uint16_t i = 0; i < b->n; i++) {
		const struct pkt_ctx *pc = &b->pc[i];

		if (pc->plink != 0xffff) {
			pl[pc->plink].rx_pkts++;
			pl[pc->plink].rx_bytes += pc->len;
		}
	}
}

/* Pass 1: next hop pointers; prefetch the header, bucket and member lines. */
static inline void forward_fetch(struct burst_ctx *b, uint16_t k)
{
	uint32_t id = b->nh4[k];
	const struct erdp_nh *nh = id == ERDP_FIB_NO_ROUTE ? NULL : erdp_nh_get(&erdp.nh, id);

	b->fnh[k] = nh;
	if (nh != NULL)
		for (unsigned int off = 0; off < ERDP_NH_HOT_BYTES; off += RTE_CACHE_LINE_SIZE)
			rte_prefetch0((const uint8_t *)nh + off);
}

/* Pass 2: the flow hash, only where the next hop has members to choose from. */
static inline void forward_hash(struct burst_ctx *b, struct rte_mbuf *m, uint16_t k)
{
	const struct erdp_nh *nh = b->fnh[k];
	uint16_t l3_off = b->pc[b->idx4[k]].l3_off;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off);
	uint32_t len = m->pkt_len - l3_off;

	b->fhash[k] = 0;
	if (nh == NULL || nh->type <= ERDP_NH_LOCAL || nh->n_members < 2)
		return;
	b->fhash[k] = k < b->n4 ? erdp_flow_hash4(l3, len) : erdp_flow_hash6(l3, len);
}

/*
 * Stage 3: count the burst's RX, then next hop, rewrite and TX buffers in
 * three passes over the routed frames, so that the misses of one pass
 * (next-hop lines, counter lines) overlap the work of the previous one;
 * then free the dropped frames.
 */
static inline void erdp_burst_forward(struct burst_ctx *b, struct rte_mbuf **pkts)
{
	uint16_t nf = b->n4 + b->n6, k;

	for (k = 0; k < nf; k++)
		forward_fetch(b, k);
	account_rx(b);
	for (k = 0; k < nf; k++)
		forward_hash(b, pkts[b->idx4[k]], k);
	for (k = 0; k < nf; k++) {
		uint16_t i = b->idx4[k];

		stage_forward(b, pkts[i], i, b->nh4[k], k >= b->n4, b->fnh[k], b->fhash[k]);
	}
	if (b->n_free != 0)
		rte_pktmbuf_free_bulk(b->free, b->n_free);
}

static inline void erdp_process_burst(struct erdp_worker *w, uint8_t cfg_port,
				      struct rte_mbuf **pkts, uint16_t n)
{
	struct burst_ctx b;

	erdp_burst_parse(&b, w, cfg_port, pkts, n);
	erdp_burst_lookup(&b);
	erdp_burst_forward(&b, pkts);
}

/* Send what the TX buffers hold. */
static inline void erdp_flush_tx(struct erdp_worker *w)
{
	for (int p = 0; p < erdp.cfg->n_ports; p++) {
		struct erdp_txb *t = &w->txb[p];

		if (t->n != 0) {
			erdp_eth_tx(&erdp, w->ctr, (uint8_t)p, w->txq[p], t->m, t->plink, t->n);
			t->n = 0;
		}
	}
}

#endif
