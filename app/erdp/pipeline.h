/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-packet pipeline of a worker, as three burst stages:
 *
 *   erdp_burst_parse    classify tags, L3 checks, collect (vrf, dst) keys
 *   erdp_burst_lookup   one bulk LPM per family for the whole burst
 *   erdp_burst_forward  next hop (gateway instance by flow hash / customer
 *                       link), TTL + L2 rewrite, per-port TX buffers
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
};

struct burst_ctx {
	struct erdp_worker *w;
	uint8_t cfg_port;
	uint16_t n_free;
	struct rte_mbuf *free[ERDP_BURST_MAX];
	struct pkt_ctx pc[ERDP_BURST_MAX];
	/* IPv4 lookups */
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
	/* forward stage, in lookup order (IPv4 then IPv6): next hop and flow hash */
	const struct erdp_nh *fnh[2 * ERDP_BURST_MAX];
	uint32_t fhash[2 * ERDP_BURST_MAX];
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
	if (r.peering != ERDP_CLS_NONE) {
		pc->plink = (uint16_t)erdp_plink(r.peering, r.link);
		c->plink[pc->plink].rx_pkts++;
		c->plink[pc->plink].rx_bytes += m->pkt_len;
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
	if (l2->plink != 0xffff) {
		c->plink[l2->plink].tx_pkts++;
		c->plink[l2->plink].tx_bytes += m->pkt_len;
	}
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
	b->n_free = 0;
	b->n4 = 0;
	b->n6 = 0;
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
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
	if (b->n6 != 0)
		erdp_fib6_lookup_bulk(erdp.fib6, b->vrf6, (const uint8_t(*)[16])b->ip6, b->nh6,
				      b->n6);
}

/* Next hop and flow hash of one packet; prefetch the ECMP bucket it will read. */
static inline void forward_prepare(struct burst_ctx *b, struct rte_mbuf *m, uint16_t i,
				   uint32_t nh_id, bool v6, unsigned int k)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, b->pc[i].l3_off);
	uint32_t len = m->pkt_len - b->pc[i].l3_off, h;
	const struct erdp_nh *nh = nh_id == ERDP_FIB_NO_ROUTE ? NULL : erdp_nh_get(&erdp.nh, nh_id);

	b->fnh[k] = nh;
	b->fhash[k] = 0;
	/* Only a choice between members needs the flow hash. */
	if (nh == NULL || nh->type <= ERDP_NH_LOCAL || nh->n_members < 2)
		return;
	h = v6 ? erdp_flow_hash6(l3, len) : erdp_flow_hash4(l3, len);
	b->fhash[k] = h;
	if (nh->type == ERDP_NH_GATEWAY)
		rte_prefetch0(&nh->ecmp.bucket[h & (ERDP_ECMP_BUCKETS - 1)]);
}

/*
 * Stage 3: next hop, rewrite, TX buffers; then free the dropped frames. A
 * first pass finds every packet's next hop and flow hash and prefetches the
 * ECMP bucket it needs, so the burst's cache misses overlap.
 */
static inline void erdp_burst_forward(struct burst_ctx *b, struct rte_mbuf **pkts)
{
	uint16_t i;

	for (i = 0; i < b->n4; i++)
		forward_prepare(b, pkts[b->idx4[i]], b->idx4[i], b->nh4[i], false, i);
	for (i = 0; i < b->n6; i++)
		forward_prepare(b, pkts[b->idx6[i]], b->idx6[i], b->nh6[i], true, b->n4 + i);
	for (i = 0; i < b->n4; i++)
		stage_forward(b, pkts[b->idx4[i]], b->idx4[i], b->nh4[i], false, b->fnh[i],
			      b->fhash[i]);
	for (i = 0; i < b->n6; i++)
		stage_forward(b, pkts[b->idx6[i]], b->idx6[i], b->nh6[i], true, b->fnh[b->n4 + i],
			      b->fhash[b->n4 + i]);
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
