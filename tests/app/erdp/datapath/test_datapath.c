/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath stages on synthetic mbufs, with no ports: erdp's tables are
 * built portless from datapath.conf, frames are fed through parse, lookup
 * and forward (app/erdp/datapath/) on this lcore, and the test reads what
 * came out: the TX buffers (exact bytes), the punt ring (reason and
 * metadata) and the worker's counters (exactly one reason, counted on the
 * RX port and on the peering link or circuit). A few punted frames then go
 * through the slow path (ARP reply, echo reply, time exceeded) and the
 * frames it sends are read back from the inject ring.
 *
 * The exception path to the host (bgp.enabled, slowpath/host.c): a
 * portless set-up has no taps, so net_ring ports stand in for them (a
 * net_ring vdev sends into the ring it reads: what erdp gives the host is
 * read back from it, what the host sends is written into it); the policer
 * runs on a clock of the test's. And a control-plane route to one link of a
 * peering (ERDP_NH_REF_PEERING_LINK) is applied and followed.
 *
 * usage: test_datapath CONFIG [EAL args]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include "control/control.h"
#include "datapath/datapath.h"
#include "nexthop/nexthop.h"
#include "setup/setup.h"
#include "slowpath/slowpath.h"
#include "unit_test.h"

#define ER_PRIMARY   0
#define ER_SECONDARY 1
#define GW0	     2
#define PL_PRIVATE_P 0 /* peering links: c1/private primary, secondary, c1/microsoft ... */
#define PL_PRIVATE_S 1
#define PL_MS_P	     2
#define CIRCUIT	     0
#define NONE	     ERDP_PLINK_NONE

static const uint8_t mac_er_p[6] = {0x02, 0xee, 0, 0, 0, 0x01};
static const uint8_t mac_er_s[6] = {0x02, 0xee, 0, 0, 0, 0x02};
static const uint8_t mac_gw0[6] = {0x02, 0xee, 0, 0, 0, 0x10};
static const uint8_t mac_cust_p[6] = {0x02, 0xc0, 0, 0, 0x01, 0x01};
static const uint8_t mac_cust_s[6] = {0x02, 0xc0, 0, 0, 0x01, 0x02};
static const uint8_t mac_inst[2][6] = {{0x02, 0, 0, 0, 0x10, 0x01}, {0x02, 0, 0, 0, 0x10, 0x02}};

/* c1/private's link /126s: 2001:db8:100::/126 (primary), ::4/126 (secondary). */
static const uint8_t cust6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1};
static const uint8_t msee6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 2};

static struct erdp_worker *w;

/* ---- frames ---- */

struct frame {
	uint8_t b[2048];
	uint16_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* dst, src, n tags (tpid[i], vid[i]), EtherType; returns the L3 offset. */
static uint16_t l2(struct frame *f, const uint8_t dst[6], const uint8_t src[6], int n,
		   const uint16_t *tpid, const uint16_t *vid, uint16_t etype)
{
	uint16_t o = 12;

	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, src, 6);
	for (int i = 0; i < n; i++, o += 4) {
		put16(f->b + o, tpid[i]);
		put16(f->b + o + 2, vid[i]);
	}
	put16(f->b + o, etype);
	return (uint16_t)(o + 2);
}

/* Customer frame on an ER port: QinQ S-tag 100 (outer TPID `tpid`) and C-tag `ctag`. */
static uint16_t l2_cust(struct frame *f, const uint8_t src[6], const uint8_t dst[6], uint16_t tpid,
			uint16_t ctag, uint16_t etype)
{
	return l2(f, dst, src, 2, (const uint16_t[]){tpid, ERDP_TPID_8021Q},
		  (const uint16_t[]){100, ctag}, etype);
}

static uint32_t ip4(int a, int b, int c, int d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

/* IPv4 + UDP with `payload` bytes at f->b + o; frame padded to 60 bytes. */
static void udp4(struct frame *f, uint16_t o, uint32_t src, uint32_t dst, uint8_t ttl,
		 uint16_t payload)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + o);
	uint8_t *udp = f->b + o + 20;

	memset(ip, 0, 20);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + payload));
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	put16(udp, 4000);
	put16(udp + 2, 53);
	put16(udp + 4, (uint16_t)(8 + payload));
	put16(udp + 6, 0);
	for (uint16_t i = 0; i < payload; i++)
		udp[8 + i] = (uint8_t)i;
	f->len = (uint16_t)RTE_MAX(o + 20 + 8 + payload, 60);
}

/* IPv6 + UDP from fd10:10::1 to dst. */
static void udp6(struct frame *f, uint16_t o, const uint8_t dst[16], uint8_t hops)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f->b + o);
	static const uint8_t src[16] = {0xfd, 0x10, 0, 0x10, [15] = 1};
	uint8_t *udp = f->b + o + 40;

	memset(ip, 0, 40);
	ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(8 + 6);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	put16(udp, 4000);
	put16(udp + 2, 53);
	put16(udp + 4, 8 + 6);
	memset(udp + 6, 0, 2 + 6);
	f->len = (uint16_t)(o + 40 + 8 + 6);
}

/* IPv6 header (next header `proto`, payload `plen` bytes) at f->b + o. */
static void ip6_hdr(struct frame *f, uint16_t o, const uint8_t src[16], const uint8_t dst[16],
		    uint8_t proto, uint16_t plen, uint8_t hops)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f->b + o);

	memset(ip, 0, 40);
	ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = proto;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	f->len = (uint16_t)(o + 40 + plen);
}

/* IPv6 + UDP from src to dst. */
static void udp6_from(struct frame *f, uint16_t o, const uint8_t src[16], const uint8_t dst[16],
		      uint8_t hops)
{
	udp6(f, o, dst, hops);
	memcpy(((struct rte_ipv6_hdr *)(f->b + o))->src_addr, src, 16);
}

/* ICMPv6 message of type `type` (NS/NA: `target`, no option; echo: 8 data bytes). */
static void icmp6(struct frame *f, uint16_t o, const uint8_t src[16], const uint8_t dst[16],
		  uint8_t type, const uint8_t target[16], uint8_t hops, bool bad_cksum)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f->b + o);
	uint8_t *ic = f->b + o + 40;
	uint16_t ck;

	ip6_hdr(f, o, src, dst, IPPROTO_ICMPV6, 24, hops);
	memset(ic, 0, 24);
	ic[0] = type;
	if (target != NULL)
		memcpy(ic + 8, target, 16);
	ck = rte_ipv6_udptcp_cksum(ip, ic);
	memcpy(ic + 2, &ck, 2);
	if (bad_cksum)
		ic[2] ^= 0x5a;
}

/* IPv4 ICMP echo request with 12 bytes of data. */
static void echo4(struct frame *f, uint16_t o, uint32_t src, uint32_t dst, bool bad_cksum)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + o);
	uint8_t *ic = f->b + o + 20;
	uint16_t ck;

	udp4(f, o, src, dst, 64, 12); /* 8 bytes of ICMP header + 12 of data */
	ip->next_proto_id = IPPROTO_ICMP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(ic, 0, 8);
	ic[0] = 8;
	put16(ic + 4, 0x1234);
	put16(ic + 6, 7);
	ck = (uint16_t)~rte_raw_cksum(ic, 8 + 12);
	memcpy(ic + 2, &ck, 2);
	if (bad_cksum)
		ic[8] ^= 0xff; /* the data, not the checksum field: any corruption counts */
}

/* ARP request: who has tip, tell sip (from sha). */
static void arp_req(struct frame *f, uint16_t o, const uint8_t sha[6], uint32_t sip, uint32_t tip)
{
	uint8_t *a = f->b + o;

	memset(a, 0, 28);
	put16(a, 1);
	put16(a + 2, ERDP_ETYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, sha, 6);
	put16(a + 14, (uint16_t)(sip >> 16));
	put16(a + 16, (uint16_t)sip);
	put16(a + 24, (uint16_t)(tip >> 16));
	put16(a + 26, (uint16_t)tip);
	f->len = (uint16_t)RTE_MAX(o + 28, 60);
}

static struct rte_mbuf *mbuf_of(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(erdp.pool);
	char *d = m != NULL ? rte_pktmbuf_append(m, f->len) : NULL;

	if (d == NULL) {
		fprintf(stderr, "test_datapath: mbuf pool exhausted\n");
		exit(1);
	}
	memcpy(d, f->b, f->len);
	return m;
}

/* ---- running a burst and reading what came out ---- */

struct out {
	enum { OUT_NONE, OUT_TX, OUT_PUNT, OUT_DROP } kind;
	uint8_t port;	       /* TX: egress config port */
	uint16_t plink;	       /* TX: peering link counted */
	struct rte_mbuf *m;    /* TX or PUNT: the frame (caller frees) */
	enum erdp_drop reason; /* DROP */
	uint16_t drop_where;   /* DROP: peering link or NONE */
	bool on_circuit;       /* DROP: counted on the circuit */
};

static uint64_t port_drops(uint8_t port)
{
	uint64_t t = 0;

	for (int r = 0; r < ERDP_DROP_MAX; r++)
		t += w->ctr->port_drop[port][r];
	return t;
}

/* One frame through the three stages; what became of it. */
static struct out run1(uint8_t port, const struct frame *f)
{
	struct erdp_counters *c = w->ctr;
	uint64_t drops[ERDP_DROP_MAX], before_total = port_drops(port);
	uint64_t pl_before[ERDP_LINKS * 2][ERDP_DROP_MAX], circ_before[ERDP_DROP_MAX];
	struct rte_mbuf *m = mbuf_of(f);
	struct out o = {.kind = OUT_NONE};
	unsigned int punted = rte_ring_count(w->punt);

	memcpy(drops, c->port_drop[port], sizeof(drops));
	memcpy(pl_before, c->plink_drop, sizeof(pl_before));
	memcpy(circ_before, c->circuit_drop[CIRCUIT], sizeof(circ_before));
	erdp_process_burst(&erdp, w, port, &m, 1);
	for (int p = 0; p < erdp.cfg->n_ports; p++) {
		struct erdp_txb *t = &w->txb[p];

		if (t->n == 0)
			continue;
		CHECK_EQ(t->n, 1);
		o.kind = OUT_TX;
		o.port = (uint8_t)p;
		o.plink = t->plink[0];
		o.m = t->m[0];
		t->n = 0; /* portless: the test is the port */
	}
	if (rte_ring_count(w->punt) > punted && rte_ring_sc_dequeue(w->punt, (void **)&o.m) == 0) {
		CHECK(o.kind == OUT_NONE);
		o.kind = OUT_PUNT;
	}
	if (port_drops(port) != before_total) {
		CHECK(o.kind == OUT_NONE);
		CHECK_EQ(port_drops(port), before_total + 1);
		o.kind = OUT_DROP;
		for (int r = 0; r < ERDP_DROP_MAX; r++)
			if (c->port_drop[port][r] != drops[r])
				o.reason = (enum erdp_drop)r;
		o.drop_where = NONE;
		for (int k = 0; k < ERDP_LINKS * 2; k++)
			if (c->plink_drop[k][o.reason] != pl_before[k][o.reason])
				o.drop_where = (uint16_t)k;
		o.on_circuit = c->circuit_drop[CIRCUIT][o.reason] != circ_before[o.reason];
	}
	return o;
}

static void check_drop(const char *what, struct out o, enum erdp_drop reason, uint16_t plink,
		       bool on_circuit)
{
	CHECK_MSG(o.kind == OUT_DROP && o.reason == reason, "%s: kind %d reason %s, want drop %s",
		  what, o.kind, erdp_drop_name(o.reason), erdp_drop_name(reason));
	CHECK_MSG(o.drop_where == plink, "%s: counted on peering link %u, want %u", what,
		  o.drop_where, plink);
	CHECK_MSG(o.on_circuit == on_circuit, "%s: circuit counter %d, want %d", what, o.on_circuit,
		  on_circuit);
}

static void check_punt(const char *what, struct out o, enum erdp_punt why, uint16_t plink)
{
	CHECK_MSG(o.kind == OUT_PUNT, "%s: kind %d (drop %s), want punt %d", what, o.kind,
		  erdp_drop_name(o.reason), why);
	if (o.kind != OUT_PUNT)
		return;
	CHECK_MSG(erdp_meta(o.m)->punt == why, "%s: punt %u, want %d", what, erdp_meta(o.m)->punt,
		  why);
	CHECK_EQ(erdp_meta(o.m)->plink, plink);
	rte_pktmbuf_free(o.m);
}

/* Forwarded out `port` counted on `plink`, bytes equal to `want`. */
static void check_tx(const char *what, struct out o, uint8_t port, uint16_t plink,
		     const struct frame *want)
{
	CHECK_MSG(o.kind == OUT_TX, "%s: kind %d (drop %s), want tx", what, o.kind,
		  erdp_drop_name(o.reason));
	if (o.kind != OUT_TX)
		return;
	CHECK_MSG(o.port == port, "%s: out port %u, want %u", what, o.port, port);
	CHECK_MSG(o.plink == plink, "%s: counted on link %u, want %u", what, o.plink, plink);
	CHECK_MSG(rte_pktmbuf_data_len(o.m) == want->len, "%s: %u bytes out, want %u", what,
		  rte_pktmbuf_data_len(o.m), want->len);
	if (rte_pktmbuf_data_len(o.m) == want->len)
		CHECK_MSG(memcmp(rte_pktmbuf_mtod(o.m, uint8_t *), want->b, want->len) == 0,
			  "%s: bytes differ from the expected frame", what);
	rte_pktmbuf_free(o.m);
}

/* ---- cases ---- */

/* Customer -> gateway (IPv4): tags removed, gateway VLAN pushed, TTL - 1. */
static void test_forward_c2g(void)
{
	struct frame in, want;
	uint16_t o = l2_cust(&in, mac_cust_p, mac_er_p, ERDP_TPID_8021AD, 200, ERDP_ETYPE_IPV4);
	struct out r;

	udp4(&in, o, ip4(10, 10, 1, 1), ip4(10, 100, 7, 7), 64, 20);
	r = run1(ER_PRIMARY, &in);
	/* Which instance is the flow hash's business (test_ecmp); the rest is exact. */
	const uint8_t *inst = r.kind == OUT_TX ? rte_pktmbuf_mtod(r.m, uint8_t *) : mac_inst[0];
	int k = memcmp(inst, mac_inst[1], 6) == 0 ? 1 : 0;

	o = l2(&want, mac_inst[k], mac_gw0, 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){10}, ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(10, 10, 1, 1), ip4(10, 100, 7, 7), 63, 20);
	check_tx("c2g ipv4", r, GW0, NONE, &want);
	CHECK_EQ(w->ctr->plink[PL_PRIVATE_P].rx_pkts, 1);

	/* The same flow from the secondary link goes to the same instance. */
	o = l2_cust(&in, mac_cust_s, mac_er_s, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&in, o, ip4(10, 10, 1, 1), ip4(10, 100, 7, 7), 64, 20);
	check_tx("c2g ipv4 secondary", run1(ER_SECONDARY, &in), GW0, NONE, &want);
	CHECK_EQ(w->ctr->plink[PL_PRIVATE_S].rx_pkts, 1);
}

/* Customer -> gateway (IPv6). */
static void test_forward_c2g_v6(void)
{
	static const uint8_t dst[16] = {0xfd, 0, 0x01, 0, 0, 0, 0, 0, [15] = 9};
	struct frame in, want;
	uint16_t o = l2_cust(&in, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	struct out r;

	udp6(&in, o, dst, 64);
	r = run1(ER_PRIMARY, &in);
	const uint8_t *inst = r.kind == OUT_TX ? rte_pktmbuf_mtod(r.m, uint8_t *) : mac_inst[0];
	int k = memcmp(inst, mac_inst[1], 6) == 0 ? 1 : 0;

	o = l2(&want, mac_inst[k], mac_gw0, 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){10}, ERDP_ETYPE_IPV6);
	udp6(&want, o, dst, 63);
	check_tx("c2g ipv6", r, GW0, NONE, &want);
}

/* Gateway -> customer: the circuit's tags (egress TPID), the customer's MAC on the chosen link. */
static void test_forward_g2c(void)
{
	struct frame in, want;
	uint16_t o = l2(&in, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
			(const uint16_t[]){10}, ERDP_ETYPE_IPV4);
	struct out r;

	udp4(&in, o, ip4(10, 100, 7, 7), ip4(10, 10, 1, 1), 64, 20);
	r = run1(GW0, &in);
	bool secondary = r.kind == OUT_TX && r.port == ER_SECONDARY;

	o = l2(&want, secondary ? mac_cust_s : mac_cust_p, secondary ? mac_er_s : mac_er_p, 2,
	       (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q}, (const uint16_t[]){100, 200},
	       ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(10, 100, 7, 7), ip4(10, 10, 1, 1), 63, 20);
	check_tx("g2c ipv4", r, secondary ? ER_SECONDARY : ER_PRIMARY,
		 secondary ? PL_PRIVATE_S : PL_PRIVATE_P, &want);

	/* A link /30 is one link only: the primary's customer address leaves on the primary. */
	o = l2(&in, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){10}, ERDP_ETYPE_IPV4);
	udp4(&in, o, ip4(10, 100, 7, 7), ip4(192, 168, 100, 129), 64, 20);
	o = l2(&want, mac_cust_p, mac_er_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(10, 100, 7, 7), ip4(192, 168, 100, 129), 63, 20);
	check_tx("g2c link /30", run1(GW0, &in), ER_PRIMARY, PL_PRIVATE_P, &want);
}

/* Every drop reason the stages have, with where it is counted. */
static void test_drops(void)
{
	struct frame f;
	uint16_t o;

	/* Tags. */
	o = l2(&f, mac_er_p, mac_cust_p, 0, NULL, NULL, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("untagged", run1(ER_PRIMARY, &f), ERDP_DROP_UNTAGGED, NONE, false);
	o = l2(&f, mac_er_p, mac_cust_p, 2, (const uint16_t[]){0x9100, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("outer tpid 0x9100", run1(ER_PRIMARY, &f), ERDP_DROP_TPID, NONE, false);
	o = l2(&f, mac_er_p, mac_cust_p, 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){100}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("one tag on qinq", run1(ER_PRIMARY, &f), ERDP_DROP_TAG_COUNT, NONE, false);
	o = l2(&f, mac_er_p, mac_cust_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){4095, 200}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("vid 4095", run1(ER_PRIMARY, &f), ERDP_DROP_VLAN_INVALID, NONE, false);
	o = l2(&f, mac_er_p, mac_cust_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){101, 200}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("unknown s-tag", run1(ER_PRIMARY, &f), ERDP_DROP_UNKNOWN_STAG, NONE, false);
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 201, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("unknown c-tag", run1(ER_PRIMARY, &f), ERDP_DROP_UNKNOWN_CTAG, NONE, true);
	o = l2(&f, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){99}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 100, 1, 1), ip4(10, 10, 1, 1), 64, 20);
	check_drop("unknown gateway vlan", run1(GW0, &f), ERDP_DROP_UNKNOWN_VLAN, NONE, false);

	/* L3 checks, counted on the peering link the frame came in on. */
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, 0x88cc);
	memset(f.b + o, 0, 40);
	f.len = (uint16_t)(o + 40);
	check_drop("lldp", run1(ER_PRIMARY, &f), ERDP_DROP_NON_IP, PL_PRIVATE_P, false);
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	f.len = (uint16_t)(o + 10);
	check_drop("truncated ipv4", run1(ER_PRIMARY, &f), ERDP_DROP_TRUNCATED, PL_PRIVATE_P,
		   false);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	f.b[o] = 0x55;
	check_drop("ipv4 version 5", run1(ER_PRIMARY, &f), ERDP_DROP_IPV4_HEADER, PL_PRIVATE_P,
		   false);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	f.b[o + 2] = 0x10; /* total length 4096+: beyond the frame */
	((struct rte_ipv4_hdr *)(f.b + o))->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)(f.b + o))->hdr_checksum =
		rte_ipv4_cksum((struct rte_ipv4_hdr *)(f.b + o));
	check_drop("ipv4 length", run1(ER_PRIMARY, &f), ERDP_DROP_IPV4_HEADER, PL_PRIVATE_P, false);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	f.b[o + 10] ^= 0x5a;
	check_drop("ipv4 checksum", run1(ER_PRIMARY, &f), ERDP_DROP_IPV4_CKSUM, PL_PRIVATE_P,
		   false);
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	udp6(&f, o, (const uint8_t[16]){0xfd, 0, 1, 0, [15] = 1}, 64);
	put16(f.b + o + 4, 1000);
	check_drop("ipv6 payload length", run1(ER_PRIMARY, &f), ERDP_DROP_IPV6_HEADER, PL_PRIVATE_P,
		   false);

	/* Routing. */
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(8, 8, 8, 8), 64, 20);
	check_drop("no route", run1(ER_PRIMARY, &f), ERDP_DROP_NO_ROUTE, PL_PRIVATE_P, false);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(192, 0, 2, 1), 64, 20);
	check_drop("blackhole", run1(ER_PRIMARY, &f), ERDP_DROP_BLACKHOLE, PL_PRIVATE_P, false);

	/* Every instance of the gateway admin down. */
	CHECK_EQ(erdp_gateway_instance_set(&erdp, 0, 0, false), 0);
	CHECK_EQ(erdp_gateway_instance_set(&erdp, 0, 1, false), 0);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 20);
	check_drop("gateway down", run1(ER_PRIMARY, &f), ERDP_DROP_GW_DOWN, PL_PRIVATE_P, false);
	CHECK_EQ(erdp_gateway_instance_set(&erdp, 0, 0, true), 0);
	CHECK_EQ(erdp_gateway_instance_set(&erdp, 0, 1, true), 0);

	/* Both links of the Microsoft peering admin down. */
	erdp.plink_admin_up[PL_MS_P] = 0;
	erdp.plink_admin_up[PL_MS_P + 1] = 0;
	CHECK_EQ(erdp_nh_republish_peering(&erdp, 1), 0);
	o = l2(&f, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){40}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(13, 107, 1, 1), ip4(203, 0, 113, 5), 64, 20);
	check_drop("customer links down", run1(GW0, &f), ERDP_DROP_LINK_DOWN, NONE, false);
	erdp.plink_admin_up[PL_MS_P] = 1;
	erdp.plink_admin_up[PL_MS_P + 1] = 1;
	CHECK_EQ(erdp_nh_republish_peering(&erdp, 1), 0);
}

/* Every punt reason: the frame reaches the main lcore with its metadata. */
static void test_punts(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 2};
	static const uint8_t sn_msee[16] = {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2};
	static const uint8_t link_local[16] = {0xfe, 0x80, [15] = 1};
	struct frame f;
	uint16_t o;

	o = l2_cust(&f, mac_cust_p, bcast, ERDP_TPID_8021Q, 200, ERDP_ETYPE_ARP);
	arp_req(&f, o, mac_cust_p, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130));
	check_punt("arp", run1(ER_PRIMARY, &f), ERDP_PUNT_ARP, PL_PRIVATE_P);
	o = l2_cust(&f, mac_cust_p, sn_mac, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	icmp6(&f, o, cust6, sn_msee, ERDP_ICMP6_NS, msee6, 255, false);
	check_punt("ns to the solicited-node group", run1(ER_PRIMARY, &f), ERDP_PUNT_NDP,
		   PL_PRIVATE_P);
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	udp6_from(&f, o, cust6, link_local, 64);
	check_punt("link-local destination", run1(ER_PRIMARY, &f), ERDP_PUNT_NDP, PL_PRIVATE_P);
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), 64, 20);
	check_punt("msee address", run1(ER_PRIMARY, &f), ERDP_PUNT_LOCAL, PL_PRIVATE_P);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 1, 20);
	check_punt("ttl 1", run1(ER_PRIMARY, &f), ERDP_PUNT_TTL, PL_PRIVATE_P);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 64, 1500 - 28 + 1);
	check_punt("above the egress mtu", run1(ER_PRIMARY, &f), ERDP_PUNT_MTU, PL_PRIVATE_P);
	/* The Microsoft peering has no customer MAC yet: hold and resolve. */
	o = l2(&f, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
	       (const uint16_t[]){40}, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(13, 107, 1, 1), ip4(203, 0, 113, 5), 64, 20);
	check_punt("customer unresolved", run1(GW0, &f), ERDP_PUNT_NEIGH, NONE);

	/* A full punt ring is a counted drop, not a lost frame. */
	void *filler = (void *)&f;
	unsigned int n = 0;

	while (rte_ring_sp_enqueue(w->punt, filler) == 0)
		n++;
	o = l2_cust(&f, mac_cust_p, bcast, ERDP_TPID_8021Q, 200, ERDP_ETYPE_ARP);
	arp_req(&f, o, mac_cust_p, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130));
	check_drop("punt ring full", run1(ER_PRIMARY, &f), ERDP_DROP_PUNT_FULL, PL_PRIVATE_P,
		   false);
	while (n-- > 0)
		rte_ring_sc_dequeue(w->punt, &filler);
}

/* f through the stages and the slow path; the one frame the slow path sent back, or NULL. */
static struct rte_mbuf *slowpath_reply(uint8_t port, const struct frame *f)
{
	struct rte_mbuf *m = mbuf_of(f);

	erdp_process_burst(&erdp, w, port, &m, 1);
	erdp_slowpath_poll(&erdp);
	/* It leaves through the inject ring of the first worker. */
	CHECK_EQ(rte_ring_count(w->inject), 1);
	if (rte_ring_sc_dequeue(w->inject, (void **)&m) != 0)
		return NULL;
	return m;
}

/* Punted frames through the slow path: replies built right and counted once. */
static void test_slowpath(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct erdp_counters *mc = erdp.main_ctr;
	uint64_t local = mc->plink[PL_PRIVATE_P].local_pkts;
	uint64_t ttl = mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_TTL];
	struct rte_mbuf *m;
	struct frame f, want;
	uint16_t o;

	/* ARP for the MSEE address: a reply with the frame's own tags, from the port MAC. */
	o = l2_cust(&f, mac_cust_p, bcast, ERDP_TPID_8021Q, 200, ERDP_ETYPE_ARP);
	arp_req(&f, o, mac_cust_p, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130));
	m = slowpath_reply(ER_PRIMARY, &f);
	CHECK(m != NULL);
	if (m != NULL) {
		const uint8_t *r = rte_pktmbuf_mtod(m, const uint8_t *);

		CHECK(memcmp(r, mac_cust_p, 6) == 0 && memcmp(r + 6, mac_er_p, 6) == 0);
		CHECK_EQ(r[o + 7], 2); /* opcode reply */
		CHECK(memcmp(r + o + 8, mac_er_p, 6) == 0);
		CHECK_EQ(erdp_meta(m)->in_port, ER_PRIMARY);
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(mc->plink[PL_PRIVATE_P].local_pkts, local + 1);

	/* TTL 1 toward a gateway: time exceeded from the MSEE address, quoting the packet. */
	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 1, 20);
	m = slowpath_reply(ER_PRIMARY, &f);
	CHECK(m != NULL);
	if (m != NULL) {
		const uint8_t *r = rte_pktmbuf_mtod(m, const uint8_t *);
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(r + o);

		o = l2_cust(&want, mac_er_p, mac_cust_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
		CHECK(memcmp(r, want.b, o) == 0);
		CHECK_EQ(rte_be_to_cpu_32(ip->src_addr), ip4(192, 168, 100, 130));
		CHECK_EQ(rte_be_to_cpu_32(ip->dst_addr), ip4(10, 10, 1, 1));
		CHECK_EQ(ip->next_proto_id, IPPROTO_ICMP);
		CHECK_EQ(r[o + 20], 11); /* time exceeded */
		CHECK(memcmp(r + o + 28, f.b + o, 28) == 0);
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_TTL], ttl + 1);
}

/* A customer frame on the primary link (private peering) to `dst_mac`, IPv4 UDP src -> dst. */
static struct out cust4(const uint8_t dst_mac[6], uint32_t src, uint32_t dst, uint8_t ttl)
{
	struct frame f;
	uint16_t o = l2_cust(&f, mac_cust_p, dst_mac, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);

	udp4(&f, o, src, dst, ttl, 20);
	return run1(ER_PRIMARY, &f);
}

/* The same on the primary link, IPv6. */
static struct out cust6_udp(const uint8_t dst_mac[6], const uint8_t src[16], const uint8_t dst[16],
			    uint8_t hops)
{
	struct frame f;
	uint16_t o = l2_cust(&f, mac_cust_p, dst_mac, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);

	udp6_from(&f, o, src, dst, hops);
	return run1(ER_PRIMARY, &f);
}

/* A frame from gateway instance 0 on VLAN `vlan` to `dst_mac`, IPv4 UDP src -> dst. */
static struct out gw4(const uint8_t dst_mac[6], uint16_t vlan, uint32_t src, uint32_t dst,
		      uint8_t ttl)
{
	struct frame f;
	uint16_t o = l2(&f, dst_mac, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
			(const uint16_t[]){vlan}, ERDP_ETYPE_IPV4);

	udp4(&f, o, src, dst, ttl, 20);
	return run1(GW0, &f);
}

static void check_forwarded(const char *what, struct out o, uint8_t port)
{
	CHECK_MSG(o.kind == OUT_TX && o.port == port,
		  "%s: kind %d (drop %s) port %u, want tx on %u", what, o.kind,
		  erdp_drop_name(o.reason), o.port, port);
	if (o.kind == OUT_TX)
		rte_pktmbuf_free(o.m);
}

static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_other[6] = {0x02, 0xee, 0, 0, 0, 0x99};
static const uint8_t mac_mc4[6] = {0x01, 0x00, 0x5e, 0, 0, 5};
static const uint8_t mac_mc6[6] = {0x33, 0x33, 0, 0, 0, 1};

#define IP4(a, b, c, d)                                                                            \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Customer-side IPv4 frames on the primary link (c1/private) and what they must become. */
static const struct {
	const char *what;
	const uint8_t *mac; /* destination MAC */
	uint32_t src, dst;
	uint8_t ttl;
	enum erdp_drop reason;
} rx_cases4[] = {
	/* Link layer: unicast to another MAC; unicast IP in a broadcast (RFC 1122 3.3.6). */
	{"unicast to another MAC", mac_other, IP4(10, 10, 1, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_L2_NOT_FOR_US},
	{"the secondary port's MAC", mac_er_s, IP4(10, 10, 1, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_L2_NOT_FOR_US},
	{"unicast ipv4 in broadcast", mac_bcast, IP4(10, 10, 1, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_L2_BCAST_IP},
	{"unicast ipv4 in multicast", mac_mc4, IP4(10, 10, 1, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_L2_BCAST_IP},
	/* Broadcast and multicast, even with a TTL that would expire (no ICMP error). */
	{"limited broadcast (dhcp)", mac_bcast, IP4(0, 0, 0, 0), IP4(255, 255, 255, 255), 64,
	 ERDP_DROP_IPV4_BCAST},
	{"limited broadcast, ttl 1", mac_er_p, IP4(10, 10, 1, 1), IP4(255, 255, 255, 255), 1,
	 ERDP_DROP_IPV4_BCAST},
	{"224.0.0.5 (ospf), ttl 1", mac_mc4, IP4(10, 10, 1, 1), IP4(224, 0, 0, 5), 1,
	 ERDP_DROP_IPV4_MCAST},
	{"239.1.2.3 ttl 1, to our MAC", mac_er_p, IP4(10, 10, 1, 1), IP4(239, 1, 2, 3), 1,
	 ERDP_DROP_IPV4_MCAST},
	/* Martians (RFC 1812 5.3.7). */
	{"dst 127.0.0.1", mac_er_p, IP4(10, 10, 1, 1), IP4(127, 0, 0, 1), 64,
	 ERDP_DROP_IPV4_MARTIAN},
	{"dst 0.1.2.3", mac_er_p, IP4(10, 10, 1, 1), IP4(0, 1, 2, 3), 64, ERDP_DROP_IPV4_MARTIAN},
	{"dst 240.0.0.1", mac_er_p, IP4(10, 10, 1, 1), IP4(240, 0, 0, 1), 64,
	 ERDP_DROP_IPV4_MARTIAN},
	{"src 127.0.0.1", mac_er_p, IP4(127, 0, 0, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_IPV4_MARTIAN},
	{"src 0.0.0.0", mac_er_p, IP4(0, 0, 0, 0), IP4(10, 100, 1, 1), 64, ERDP_DROP_IPV4_MARTIAN},
	{"src 224.0.0.1", mac_er_p, IP4(224, 0, 0, 1), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_IPV4_MARTIAN},
	{"src 255.255.255.255", mac_er_p, IP4(255, 255, 255, 255), IP4(10, 100, 1, 1), 64,
	 ERDP_DROP_IPV4_MARTIAN},
	/* Directed broadcast of a link /30 (192.168.100.128/30, .132/30): network, broadcast. */
	{"primary /30 broadcast", mac_er_p, IP4(10, 10, 1, 1), IP4(192, 168, 100, 131), 64,
	 ERDP_DROP_IPV4_BCAST},
	{"primary /30 network", mac_er_p, IP4(10, 10, 1, 1), IP4(192, 168, 100, 128), 64,
	 ERDP_DROP_IPV4_BCAST},
	{"secondary /30 broadcast, ttl 1", mac_er_p, IP4(10, 10, 1, 1), IP4(192, 168, 100, 135), 1,
	 ERDP_DROP_IPV4_BCAST},
	{"secondary /30 network", mac_er_p, IP4(10, 10, 1, 1), IP4(192, 168, 100, 132), 64,
	 ERDP_DROP_IPV4_BCAST},
};

/* The same for IPv6 (source fd10:10::1 unless given). */
static const uint8_t v6_src[16] = {0xfd, 0x10, 0, 0x10, [15] = 1};
static const uint8_t v6_gw[16] = {0xfd, 0, 0x01, 0, [15] = 9};
static const uint8_t v6_all_nodes[16] = {0xff, 0x02, [15] = 1};
static const uint8_t v6_global_mc[16] = {0xff, 0x0e, [15] = 1};
static const uint8_t v6_loopback[16] = {[15] = 1};
static const uint8_t v6_unspecified[16] = {0};
static const uint8_t v6_mapped[16] = {[10] = 0xff, [11] = 0xff, 10, 100, 1, 1};
static const struct {
	const char *what;
	const uint8_t *mac, *src, *dst;
	uint8_t hops;
	enum erdp_drop reason;
} rx_cases6[] = {
	{"unicast ipv6 in multicast", mac_mc6, v6_src, v6_gw, 64, ERDP_DROP_L2_BCAST_IP},
	{"ff02::1 udp", mac_mc6, v6_src, v6_all_nodes, 255, ERDP_DROP_IPV6_MCAST},
	{"ff0e::1 hop limit 1", mac_er_p, v6_src, v6_global_mc, 1, ERDP_DROP_IPV6_MCAST},
	{"dst ::1", mac_er_p, v6_src, v6_loopback, 64, ERDP_DROP_IPV6_MARTIAN},
	{"dst ::", mac_er_p, v6_src, v6_unspecified, 64, ERDP_DROP_IPV6_MARTIAN},
	{"dst ::ffff:10.100.1.1", mac_er_p, v6_src, v6_mapped, 64, ERDP_DROP_IPV6_MARTIAN},
	{"src ::1", mac_er_p, v6_loopback, v6_gw, 64, ERDP_DROP_IPV6_MARTIAN},
	{"src ::", mac_er_p, v6_unspecified, v6_gw, 64, ERDP_DROP_IPV6_MARTIAN},
	{"src ff02::1", mac_er_p, v6_all_nodes, v6_gw, 64, ERDP_DROP_IPV6_MARTIAN},
};

/* The receive rules of a router (datapath/receive.h): each one drop, no punt, no ICMP. */
static void test_receive_rules(void)
{
	const uint32_t c = ip4(10, 10, 1, 1), g = ip4(10, 100, 1, 1);
	struct frame f;
	uint16_t o;

	for (size_t i = 0; i < RTE_DIM(rx_cases4); i++)
		check_drop(rx_cases4[i].what,
			   cust4(rx_cases4[i].mac, rx_cases4[i].src, rx_cases4[i].dst,
				 rx_cases4[i].ttl),
			   rx_cases4[i].reason, PL_PRIVATE_P, false);
	for (size_t i = 0; i < RTE_DIM(rx_cases6); i++)
		check_drop(rx_cases6[i].what,
			   cust6_udp(rx_cases6[i].mac, rx_cases6[i].src, rx_cases6[i].dst,
				     rx_cases6[i].hops),
			   rx_cases6[i].reason, PL_PRIVATE_P, false);
	o = l2_cust(&f, mac_cust_p, mac_other, ERDP_TPID_8021Q, 200, ERDP_ETYPE_ARP);
	arp_req(&f, o, mac_cust_p, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130));
	check_drop("arp to another MAC", run1(ER_PRIMARY, &f), ERDP_DROP_L2_NOT_FOR_US,
		   PL_PRIVATE_P, false);
	o = l2_cust(&f, mac_cust_p, mac_mc6, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	icmp6(&f, o, cust6, v6_all_nodes, 128, NULL, 64, false);
	check_drop("echo request to ff02::1", run1(ER_PRIMARY, &f), ERDP_DROP_IPV6_MCAST,
		   PL_PRIVATE_P, false);

	/* From a gateway: counted on the port only (the peering is known after the lookup). */
	check_drop("gateway side, another MAC", gw4(mac_other, 10, g, c, 64),
		   ERDP_DROP_L2_NOT_FOR_US, NONE, false);
	check_drop("gateway side, unicast ipv4 in broadcast", gw4(mac_bcast, 10, g, c, 64),
		   ERDP_DROP_L2_BCAST_IP, NONE, false);
	check_drop("gateway side, 232.1.1.1", gw4(mac_gw0, 10, g, ip4(232, 1, 1, 1), 64),
		   ERDP_DROP_IPV4_MCAST, NONE, false);
	check_drop("gateway side, src 127.0.0.1", gw4(mac_gw0, 10, ip4(127, 0, 0, 1), c, 64),
		   ERDP_DROP_IPV4_MARTIAN, NONE, false);
	check_drop("gateway to a /30 broadcast", gw4(mac_gw0, 10, g, ip4(192, 168, 100, 131), 64),
		   ERDP_DROP_IPV4_BCAST, NONE, false);
	check_drop("gateway to a microsoft /30 broadcast",
		   gw4(mac_gw0, 40, ip4(13, 107, 1, 1), ip4(198, 51, 100, 3), 64),
		   ERDP_DROP_IPV4_BCAST, NONE, false);
	check_drop("gateway to a microsoft /30 network",
		   gw4(mac_gw0, 40, ip4(13, 107, 1, 1), ip4(198, 51, 100, 4), 64),
		   ERDP_DROP_IPV4_BCAST, NONE, false);
	/* The hosts of a link /30 are not broadcast: the customer address is forwarded. */
	check_forwarded("gateway to the customer address",
			gw4(mac_gw0, 10, g, ip4(192, 168, 100, 133), 64), ER_SECONDARY);

	/* A promiscuous port (lab option) takes any destination MAC; the L3 rules still hold. */
	erdp.port[ER_PRIMARY].promiscuous = true;
	check_forwarded("promiscuous: another MAC", cust4(mac_other, c, g, 64), GW0);
	check_forwarded("promiscuous: unicast ipv4 in broadcast", cust4(mac_bcast, c, g, 64), GW0);
	check_drop("promiscuous: 224.0.0.5", cust4(mac_mc4, c, ip4(224, 0, 0, 5), 64),
		   ERDP_DROP_IPV4_MCAST, PL_PRIVATE_P, false);
	erdp.port[ER_PRIMARY].promiscuous = false;
	check_drop("not promiscuous again", cust4(mac_other, c, g, 64), ERDP_DROP_L2_NOT_FOR_US,
		   PL_PRIVATE_P, false);
}

/* f through the stages and the slow path, which must send nothing and count `reason`. */
static void slowpath_silent(const char *what, uint8_t port, const struct frame *f,
			    enum erdp_drop reason, uint16_t plink)
{
	uint64_t before = erdp.main_ctr->plink_drop[plink][reason];
	struct rte_mbuf *m = mbuf_of(f);

	erdp_process_burst(&erdp, w, port, &m, 1);
	CHECK_MSG(rte_ring_count(w->punt) == 1, "%s: not punted", what);
	erdp_slowpath_poll(&erdp);
	CHECK_MSG(rte_ring_count(w->inject) == 0, "%s: the slow path sent %u frames", what,
		  rte_ring_count(w->inject));
	while (rte_ring_sc_dequeue(w->inject, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	CHECK_MSG(erdp.main_ctr->plink_drop[plink][reason] == before + 1,
		  "%s: %s not counted on the link", what, erdp_drop_name(reason));
}

/* Echo requests, NS and NA to erdp with a wrong checksum are not answered (RFC 792, 4443). */
static void test_slowpath_checksums(void)
{
	static const uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 2};
	static const uint8_t sn_msee[16] = {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2};
	const uint32_t cust = ip4(192, 168, 100, 129), msee = ip4(192, 168, 100, 130);
	struct rte_mbuf *m;
	struct frame f;
	uint16_t o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);

	echo4(&f, o, cust, msee, false);
	m = slowpath_reply(ER_PRIMARY, &f);
	CHECK(m != NULL && rte_pktmbuf_mtod(m, uint8_t *)[o + 20] == 0); /* echo reply */
	rte_pktmbuf_free(m);
	echo4(&f, o, cust, msee, true);
	slowpath_silent("echo request, bad checksum", ER_PRIMARY, &f, ERDP_DROP_ICMP_CKSUM,
			PL_PRIVATE_P);

	o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	icmp6(&f, o, cust6, msee6, 128, NULL, 64, false);
	m = slowpath_reply(ER_PRIMARY, &f);
	CHECK(m != NULL && rte_pktmbuf_mtod(m, uint8_t *)[o + 40] == 129); /* echo reply */
	rte_pktmbuf_free(m);
	icmp6(&f, o, cust6, msee6, 128, NULL, 64, true);
	slowpath_silent("icmpv6 echo request, bad checksum", ER_PRIMARY, &f, ERDP_DROP_ICMP_CKSUM,
			PL_PRIVATE_P);
	icmp6(&f, o, cust6, msee6, ERDP_ICMP6_NS, msee6, 255, true);
	slowpath_silent("unicast ns, bad checksum", ER_PRIMARY, &f, ERDP_DROP_ICMP_CKSUM,
			PL_PRIVATE_P);

	o = l2_cust(&f, mac_cust_p, sn_mac, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	icmp6(&f, o, cust6, sn_msee, ERDP_ICMP6_NS, msee6, 255, false);
	m = slowpath_reply(ER_PRIMARY, &f);
	CHECK(m != NULL && rte_pktmbuf_mtod(m, uint8_t *)[o + 40] == ERDP_ICMP6_NA);
	rte_pktmbuf_free(m);
	icmp6(&f, o, cust6, sn_msee, ERDP_ICMP6_NS, msee6, 255, true);
	slowpath_silent("ns, bad checksum", ER_PRIMARY, &f, ERDP_DROP_ICMP_CKSUM, PL_PRIVATE_P);
	icmp6(&f, o, cust6, sn_msee, ERDP_ICMP6_NA, cust6, 255, true);
	slowpath_silent("na, bad checksum", ER_PRIMARY, &f, ERDP_DROP_ICMP_CKSUM, PL_PRIVATE_P);
}

/*
 * The slow path's own guard (RFC 1812 4.3.2.7, RFC 4443 2.4 e): handed a
 * TTL-expired packet about which no ICMP error may be sent, it counts
 * ttl_exceeded and sends nothing. The fast path never punts these (see
 * test_receive_rules); this holds the slow path to it on its own.
 */
static void punt_ttl(const struct frame *f, uint16_t l3_off, uint16_t etype)
{
	struct rte_mbuf *m = mbuf_of(f);
	struct erdp_meta *meta = erdp_meta(m);

	*meta = (struct erdp_meta){.plink = PL_PRIVATE_P,
				   .vrf = 0,
				   .l3_off = l3_off,
				   .in_port = ER_PRIMARY,
				   .punt = ERDP_PUNT_TTL,
				   .etype = etype};
	CHECK(rte_ring_sp_enqueue(w->punt, m) == 0);
	erdp_slowpath_poll(&erdp);
}

static void test_no_icmp_error_about(void)
{
	static const struct {
		const char *what;
		bool v6, l2_bcast;
		uint32_t src, dst;
		const uint8_t *src6, *dst6;
	} cases[] = {
		{"to 224.0.0.9", false, false, IP4(10, 10, 1, 1), IP4(224, 0, 0, 9), NULL, NULL},
		{"to 255.255.255.255", false, false, IP4(10, 10, 1, 1), UINT32_MAX, NULL, NULL},
		{"from 0.0.0.0", false, false, 0, IP4(10, 100, 1, 1), NULL, NULL},
		{"from 127.0.0.1", false, false, IP4(127, 0, 0, 1), IP4(10, 100, 1, 1), NULL, NULL},
		{"in a link-layer broadcast", false, true, IP4(10, 10, 1, 1), IP4(10, 100, 1, 1),
		 NULL, NULL},
		{"to ff0e::1", true, false, 0, 0, cust6, v6_global_mc},
		{"from ::", true, false, 0, 0, v6_unspecified, v6_gw},
		{"ipv6 in a link-layer broadcast", true, true, 0, 0, cust6, v6_gw},
	};
	uint64_t *ttl = &erdp.main_ctr->plink_drop[PL_PRIVATE_P][ERDP_DROP_TTL];
	struct rte_mbuf *m = NULL;
	struct frame f;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		uint64_t before = *ttl;
		uint16_t etype = cases[i].v6 ? ERDP_ETYPE_IPV6 : ERDP_ETYPE_IPV4;
		uint16_t o = l2_cust(&f, mac_cust_p, cases[i].l2_bcast ? mac_bcast : mac_er_p,
				     ERDP_TPID_8021Q, 200, etype);

		if (cases[i].v6)
			udp6_from(&f, o, cases[i].src6, cases[i].dst6, 1);
		else
			udp4(&f, o, cases[i].src, cases[i].dst, 1, 20);
		punt_ttl(&f, o, etype);
		CHECK_MSG(rte_ring_count(w->inject) == 0, "ttl expired %s: an ICMP error was sent",
			  cases[i].what);
		while (rte_ring_sc_dequeue(w->inject, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		CHECK_MSG(*ttl == before + 1, "ttl expired %s: not counted", cases[i].what);
	}
	/* The control: a unicast packet from one host gets its time exceeded. */
	uint16_t o = l2_cust(&f, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);

	udp4(&f, o, ip4(10, 10, 1, 1), ip4(10, 100, 1, 1), 1, 20);
	punt_ttl(&f, o, ERDP_ETYPE_IPV4);
	CHECK_EQ(rte_ring_count(w->inject), 1);
	while (rte_ring_sc_dequeue(w->inject, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* ---- a control-plane route to one link of a peering ---- */

/* The route 10.77.0.0/16 of the private peering's VRF toward link `link` only. */
static void route_to_link(struct erdp_ctrl *c, unsigned int link)
{
	static const uint8_t net[4] = {10, 77, 0, 0};
	char detail[ERDP_CTRL_DETAIL_LEN];
	struct erdp_msg m;

	memset(&m, 0, sizeof(m));
	erdp_msg_route(&m, true, 0, 4, net, 16, ERDP_NH_REF_PEERING_LINK(0, link));
	CHECK_EQ(erdp_msg_check(&m, detail, sizeof(detail)), ERDP_ACK_OK);
	CHECK_MSG(erdp_ctrl_route(&erdp, c, &m, detail) == ERDP_ACK_OK, "%s", detail);
}

/* Every flow toward the route leaves on `port` (one link), never the other. */
static void check_flows_on(const char *what, uint8_t port, uint16_t plink)
{
	for (int k = 1; k <= 8; k++) {
		struct frame in, want;
		uint16_t o = l2(&in, mac_gw0, mac_inst[0], 1, (const uint16_t[]){ERDP_TPID_8021Q},
				(const uint16_t[]){10}, ERDP_ETYPE_IPV4);
		const uint8_t *cust = port == ER_SECONDARY ? mac_cust_s : mac_cust_p;
		const uint8_t *er = port == ER_SECONDARY ? mac_er_s : mac_er_p;

		udp4(&in, o, ip4(10, 100, 7, k), ip4(10, 77, 1, k), 64, 20);
		o = l2(&want, cust, er, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
		       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV4);
		udp4(&want, o, ip4(10, 100, 7, k), ip4(10, 77, 1, k), 63, 20);
		check_tx(what, run1(GW0, &in), port, plink, &want);
	}
}

static void test_route_one_link(void)
{
	struct erdp_ctrl c;
	struct erdp_err err;

	memset(&c, 0, sizeof(c));
	CHECK_MSG(erdp_ctrl_routes_init(&erdp, &c, &err) == 0, "%s", err.msg);
	if (c.routes == NULL)
		return;
	route_to_link(&c, ERDP_LINK_SECONDARY);
	check_flows_on("route to the secondary link", ER_SECONDARY, PL_PRIVATE_S);
	route_to_link(&c, ERDP_LINK_PRIMARY);
	check_flows_on("route to the primary link", ER_PRIMARY, PL_PRIVATE_P);
	erdp_ctrl_routes_free(&c);
}

/* ---- the exception path to the host ---- */

#define HOST_RATE  8	/* pps: reserved 2, shared 6 */
#define HOST_BURST 4	/* reserved 1, shared 3 */
#define HOST_HZ	   1000 /* the test's clock ticks in milliseconds */
#define PORT_BGP   179

static uint64_t fake_ms;
static uint16_t host_port[ERDP_LINKS * 2]; /* by peering link; RTE_MAX_ETHPORTS: none */

static uint64_t fake_clock(void)
{
	return fake_ms;
}

/* A net_ring port (loopback through its own ring) as plink's host interface. */
static bool host_port_for(unsigned int plink)
{
	char name[32];
	struct rte_eth_conf conf;
	uint16_t pid;

	memset(&conf, 0, sizeof(conf));
	snprintf(name, sizeof(name), "net_ring_host%u", plink);
	if (rte_dev_probe(name) != 0 || rte_eth_dev_get_port_by_name(name, &pid) != 0 ||
	    rte_eth_dev_configure(pid, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(pid, 0, 1024, 0, NULL, erdp.pool) != 0 ||
	    rte_eth_tx_queue_setup(pid, 0, 1024, 0, NULL) != 0 || rte_eth_dev_start(pid) != 0) {
		fprintf(stderr, "test_datapath: cannot set up %s (net_ring PMD missing?)\n", name);
		return false;
	}
	host_port[plink] = pid;
	CHECK_EQ(erdp_host_attach(&erdp, plink, pid), 0);
	return true;
}

static bool host_ports(void)
{
	bool ok = true;

	for (unsigned int k = 0; k < RTE_DIM(host_port); k++)
		host_port[k] = RTE_MAX_ETHPORTS;
	/* The Microsoft peering's secondary link gets none: its frames stay local_unhandled. */
	ok = host_port_for(PL_PRIVATE_P) && host_port_for(PL_PRIVATE_S) && host_port_for(PL_MS_P);
	CHECK(ok);
	CHECK_EQ(erdp_host_attach(&erdp, 99, host_port[PL_PRIVATE_P]), -EINVAL);
	CHECK(erdp_host_enabled(&erdp));
	erdp_host_set_clock(&erdp, fake_clock, HOST_HZ);
	return ok;
}

/* The one frame the host got on plink's interface, or NULL. */
static struct rte_mbuf *host_got(unsigned int plink)
{
	struct rte_mbuf *m[2];
	uint16_t n = rte_eth_rx_burst(host_port[plink], 0, m, 2);

	CHECK_MSG(n <= 1, "%u frames on the host interface of link %u, want at most 1", n, plink);
	for (uint16_t i = 1; i < n; i++)
		rte_pktmbuf_free(m[i]);
	return n > 0 ? m[0] : NULL;
}

/* A customer frame through the stages and the slow path's local input (no host polling). */
static void to_local(uint8_t port, const struct frame *f)
{
	struct rte_mbuf *m = mbuf_of(f);

	erdp_process_burst(&erdp, w, port, &m, 1);
	if (rte_ring_sc_dequeue(w->punt, (void **)&m) != 0) {
		CHECK_MSG(false, "the frame was not punted");
		return;
	}
	CHECK_EQ(erdp_meta(m)->punt, ERDP_PUNT_LOCAL);
	erdp_local_input(&erdp, m);
}

/* TCP segment (ports sport -> dport, 8 bytes of data) at f->b + o. */
static void tcp4(struct frame *f, uint16_t o, uint32_t src, uint32_t dst, uint16_t sport,
		 uint16_t dport)
{
	udp4(f, o, src, dst, 1, 20 - 8 + 8); /* IPv4 + 28 bytes, TTL 1 as eBGP sends */
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + o);

	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	put16(f->b + o + 20, sport);
	put16(f->b + o + 22, dport);
}

/* The frame the host should see for customer frame `in` (tags at o): untagged, to the port MAC. */
static void host_view(const struct frame *in, uint16_t o, const uint8_t er_mac[6],
		      struct frame *want)
{
	memcpy(want->b, er_mac, 6);
	memcpy(want->b + 6, in->b + 6, 6);
	memcpy(want->b + 12, in->b + o - 2, (size_t)(in->len - (o - 2)));
	want->len = (uint16_t)(in->len - (o - ERDP_ETH_HLEN));
}

static void check_frame(const char *what, struct rte_mbuf *m, const struct frame *want)
{
	CHECK_MSG(m != NULL, "%s: nothing came out", what);
	if (m == NULL)
		return;
	CHECK_MSG(rte_pktmbuf_data_len(m) == want->len, "%s: %u bytes, want %u", what,
		  rte_pktmbuf_data_len(m), want->len);
	if (rte_pktmbuf_data_len(m) == want->len)
		CHECK_MSG(memcmp(rte_pktmbuf_mtod(m, uint8_t *), want->b, want->len) == 0,
			  "%s: bytes differ from the expected frame", what);
	rte_pktmbuf_free(m);
}

/* The policer alone, on a clock of 1,000 ticks a second: exact sequences. */
static void test_host_policer(void)
{
	struct erdp_host_policer p;
	int n;

	erdp_host_policer_init(&p, 8, 4, 1000, 0); /* reserved 2/s burst 1, shared 6/s burst 3 */
	for (n = 0; erdp_host_policer_allow(&p, false, 0); n++)
		;
	CHECK_EQ(n, 3); /* the shared burst; the reserved share is not for them */
	CHECK(erdp_host_policer_allow(&p, true, 0));  /* BGP/BFD: the reserved token */
	CHECK(!erdp_host_policer_allow(&p, true, 0)); /* both empty */
	/* shared refills 6 per 1,000 ticks: a whole token after 167, not 166 */
	CHECK(!erdp_host_policer_allow(&p, false, 166));
	CHECK(erdp_host_policer_allow(&p, false, 167));
	CHECK(!erdp_host_policer_allow(&p, false, 167));
	/* reserved refills 2 per 1,000: a control frame at 500 takes it, not the shared one */
	CHECK(erdp_host_policer_allow(&p, true, 500));
	/* shared: 0.002 left at 167, + 333 ticks x 6 = exactly 2 tokens */
	CHECK(erdp_host_policer_allow(&p, false, 500));
	CHECK(erdp_host_policer_allow(&p, false, 500));
	CHECK(!erdp_host_policer_allow(&p, false, 500));
	/* control frames fall back to the shared bucket when their share is empty */
	CHECK(erdp_host_policer_allow(&p, true, 1000)); /* reserved: 1 again */
	CHECK(erdp_host_policer_allow(&p, true, 1000)); /* shared: 500 x 6 = 3 */
	/* a long pause fills each bucket to its burst, no more */
	for (n = 0; erdp_host_policer_allow(&p, false, 1000000); n++)
		;
	CHECK_EQ(n, 3);
	for (n = 0; erdp_host_policer_allow(&p, true, 1000000); n++)
		;
	CHECK_EQ(n, 1);
	/* a clock that stands or steps back adds nothing */
	CHECK(!erdp_host_policer_allow(&p, true, 999999));
	/* below 4 frames a second nothing is reserved: all of it is shared */
	erdp_host_policer_init(&p, 3, 3, 1000, 0);
	for (n = 0; erdp_host_policer_allow(&p, true, 0); n++)
		;
	CHECK_EQ(n, 3);
	/* the largest settings do not overflow: 100,000 frames of burst at 1e6/s on a 3 GHz clock
	 */
	erdp_host_policer_init(&p, 1000000, 100000, 3000000000ull, 0);
	for (n = 0; n < 75000 && erdp_host_policer_allow(&p, false, 1); n++)
		;
	CHECK_EQ(n, 75000);
	CHECK(erdp_host_policer_allow(&p, true, UINT64_MAX / 2)); /* full after an age */
}

/* Customer -> host: QinQ and IPv6, both links; what erdp keeps answering; admin down; no port. */
static void test_host_to(void)
{
	struct erdp_counters *mc = erdp.main_ctr;
	uint64_t local = mc->plink[PL_PRIVATE_P].local_pkts;
	struct erdp_host_info hi;
	struct frame in, want;
	struct rte_mbuf *m = NULL;
	uint16_t o;

	fake_ms += 10000; /* full buckets */
	/* UDP to the primary MSEE address, outer TPID 0x88a8: untagged, to the port MAC */
	o = l2_cust(&in, mac_cust_p, mac_er_p, ERDP_TPID_8021AD, 200, ERDP_ETYPE_IPV4);
	udp4(&in, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), 64, 20);
	to_local(ER_PRIMARY, &in);
	host_view(&in, o, mac_er_p, &want);
	check_frame("to the host, primary", host_got(PL_PRIVATE_P), &want);
	CHECK_EQ(mc->plink[PL_PRIVATE_P].local_pkts, local + 1);
	erdp_host_link_info(&erdp, PL_PRIVATE_P, &hi);
	CHECK(hi.present && hi.tx_pkts == 1 && hi.tx_bytes == want.len && hi.rx_pkts == 0);
	CHECK(strcmp(hi.ifname, "primary") == 0);

	/* BGP to the secondary MSEE address (TCP 179): the secondary's interface */
	o = l2_cust(&in, mac_cust_s, mac_er_s, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	tcp4(&in, o, ip4(192, 168, 100, 133), ip4(192, 168, 100, 134), 40000, PORT_BGP);
	to_local(ER_SECONDARY, &in);
	host_view(&in, o, mac_er_s, &want);
	check_frame("BGP to the host, secondary", host_got(PL_PRIVATE_S), &want);
	CHECK(host_got(PL_PRIVATE_P) == NULL);

	/* IPv6 to the primary MSEE address */
	o = l2_cust(&in, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV6);
	udp6(&in, o, msee6, 64);
	to_local(ER_PRIMARY, &in);
	host_view(&in, o, mac_er_p, &want);
	check_frame("IPv6 to the host", host_got(PL_PRIVATE_P), &want);

	/* Ping is still erdp's: the reply goes out, the host sees nothing */
	o = l2_cust(&in, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&in, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), 64, 20);
	in.b[o + 9] = IPPROTO_ICMP;
	in.b[o + 20] = RTE_IP_ICMP_ECHO_REQUEST;
	in.b[o + 21] = 0;
	in.b[o + 22] = 0; /* a valid ICMP checksum: a bad one is icmp_bad_checksum */
	in.b[o + 23] = 0;
	{
		uint16_t ck = (uint16_t)~rte_raw_cksum(in.b + o + 20, 8 + 20);

		memcpy(in.b + o + 22, &ck, 2);
	}
	((struct rte_ipv4_hdr *)(in.b + o))->hdr_checksum = 0;
	((struct rte_ipv4_hdr *)(in.b + o))->hdr_checksum =
		rte_ipv4_cksum((struct rte_ipv4_hdr *)(in.b + o));
	to_local(ER_PRIMARY, &in);
	CHECK(host_got(PL_PRIVATE_P) == NULL);
	CHECK_EQ(rte_ring_count(w->inject), 1);
	if (rte_ring_sc_dequeue(w->inject, (void **)&m) == 0)
		rte_pktmbuf_free(m);

	/* An admin-down link passes nothing to the host: link_down */
	uint64_t down = mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_LINK_DOWN];

	erdp.plink_admin_up[PL_PRIVATE_P] = 0;
	udp4(&in, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), 64, 20);
	to_local(ER_PRIMARY, &in);
	CHECK(host_got(PL_PRIVATE_P) == NULL);
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_LINK_DOWN], down + 1);
	erdp.plink_admin_up[PL_PRIVATE_P] = 1;

	/* The host's queue full: host_queue_full, counted where the frame came in */
	uint64_t full = mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_QUEUE_FULL];
	struct rte_mbuf *fill = rte_pktmbuf_alloc(erdp.pool);
	unsigned int filled = 0;

	while (fill != NULL && rte_eth_tx_burst(host_port[PL_PRIVATE_P], 0, &fill, 1) == 1) {
		filled++;
		fill = rte_pktmbuf_alloc(erdp.pool);
	}
	rte_pktmbuf_free(fill);
	to_local(ER_PRIMARY, &in);
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_QUEUE_FULL], full + 1);
	CHECK_EQ(mc->port_drop[ER_PRIMARY][ERDP_DROP_HOST_QUEUE_FULL], full + 1);
	while (filled > 0) {
		struct rte_mbuf *b[64];
		uint16_t n = rte_eth_rx_burst(host_port[PL_PRIVATE_P], 0, b, 64);

		rte_pktmbuf_free_bulk(b, n);
		filled -= n < filled ? n : filled;
		if (n == 0)
			break;
	}

	/* The Microsoft peering's secondary link has no host interface: local_unhandled */
	uint64_t unh = mc->plink_drop[PL_MS_P + 1][ERDP_DROP_LOCAL];

	o = l2_cust(&in, mac_cust_s, mac_er_s, ERDP_TPID_8021Q, 300, ERDP_ETYPE_IPV4);
	udp4(&in, o, ip4(198, 51, 100, 5), ip4(198, 51, 100, 6), 64, 20);
	to_local(ER_SECONDARY, &in);
	CHECK_EQ(mc->plink_drop[PL_MS_P + 1][ERDP_DROP_LOCAL], unh + 1);
}

/* A flood at the MSEE address takes the shared tokens; BGP keeps its share. */
static void test_host_ratelimit(void)
{
	struct erdp_counters *mc = erdp.main_ctr;
	uint64_t limited = mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_RATELIMIT];
	struct frame udp, bgp, bgp_spoofed;
	uint16_t o;
	int passed = 0;
	struct rte_mbuf *m;

	fake_ms += 10000;
	o = l2_cust(&udp, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&udp, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), 64, 20);
	l2_cust(&bgp, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	tcp4(&bgp, o, ip4(192, 168, 100, 129), ip4(192, 168, 100, 130), PORT_BGP, 50000);
	/* TCP 179, but not from the customer's address: no reserved share */
	l2_cust(&bgp_spoofed, mac_cust_p, mac_er_p, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	tcp4(&bgp_spoofed, o, ip4(10, 10, 1, 1), ip4(192, 168, 100, 130), PORT_BGP, 50000);
	for (int i = 0; i < 10; i++) {
		to_local(ER_PRIMARY, &udp);
		if ((m = host_got(PL_PRIVATE_P)) != NULL) {
			passed++;
			rte_pktmbuf_free(m);
		}
	}
	CHECK_EQ(passed, HOST_BURST - HOST_BURST / ERDP_HOST_RESERVED_SHARE);
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_RATELIMIT], limited + 7);
	CHECK_EQ(mc->port_drop[ER_PRIMARY][ERDP_DROP_HOST_RATELIMIT], limited + 7);
	to_local(ER_PRIMARY, &bgp_spoofed);
	CHECK(host_got(PL_PRIVATE_P) == NULL);
	to_local(ER_PRIMARY, &bgp);
	m = host_got(PL_PRIVATE_P);
	CHECK_MSG(m != NULL, "BGP from the customer did not get its reserved share");
	rte_pktmbuf_free(m);
	to_local(ER_PRIMARY, &bgp);
	CHECK(host_got(PL_PRIVATE_P) == NULL); /* its share is one frame of burst */
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_RATELIMIT], limited + 9);
	/* the other link has buckets of its own */
	o = l2_cust(&udp, mac_cust_s, mac_er_s, ERDP_TPID_8021Q, 200, ERDP_ETYPE_IPV4);
	udp4(&udp, o, ip4(192, 168, 100, 133), ip4(192, 168, 100, 134), 64, 20);
	to_local(ER_SECONDARY, &udp);
	m = host_got(PL_PRIVATE_S);
	CHECK(m != NULL);
	rte_pktmbuf_free(m);
}

/* The host's frame for plink: untagged, from the port MAC to itself (NOARP), IPv4 UDP, TTL ttl. */
static uint16_t host_frame4(struct frame *f, const uint8_t er_mac[6], uint32_t src, uint32_t dst,
			    uint8_t ttl)
{
	uint16_t o = l2(f, er_mac, er_mac, 0, NULL, NULL, ERDP_ETYPE_IPV4);

	udp4(f, o, src, dst, ttl, 20);
	return o;
}

/* What the host wrote, through erdp_host_poll: the one frame it injected, or NULL. */
static struct rte_mbuf *from_host(unsigned int plink, const struct frame *f)
{
	struct rte_mbuf *m = mbuf_of(f);
	unsigned int before = rte_ring_count(w->inject);

	CHECK(rte_eth_tx_burst(host_port[plink], 0, &m, 1) == 1);
	CHECK_EQ(erdp_host_poll(&erdp), 1);
	if (rte_ring_count(w->inject) == before || rte_ring_sc_dequeue(w->inject, (void **)&m) != 0)
		return NULL;
	return m;
}

/* Host -> customer: tags and the customer's MAC pushed, TTL untouched; what is refused. */
static void test_host_from(void)
{
	static const uint8_t mcast6[6] = {0x33, 0x33, 0, 0, 0, 0x16};
	struct erdp_counters *mc = erdp.main_ctr;
	struct erdp_host_info hi;
	struct frame f, want;
	struct rte_mbuf *m;
	uint16_t o;

	/* BGP's TTL 1 stays 1: the MSEE originates it */
	o = host_frame4(&f, mac_er_p, ip4(192, 168, 100, 130), ip4(192, 168, 100, 129), 1);
	m = from_host(PL_PRIVATE_P, &f);
	o = l2(&want, mac_cust_p, mac_er_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(192, 168, 100, 130), ip4(192, 168, 100, 129), 1, 20);
	CHECK(m != NULL && erdp_meta(m)->in_port == ER_PRIMARY &&
	      erdp_meta(m)->plink == PL_PRIVATE_P);
	check_frame("from the host, primary", m, &want);
	erdp_host_link_info(&erdp, PL_PRIVATE_P, &hi);
	CHECK(hi.rx_pkts == 1 && hi.rx_bytes == 14 + 20 + 8 + 20);

	/* the secondary's interface: the secondary link and its customer */
	o = host_frame4(&f, mac_er_s, ip4(192, 168, 100, 134), ip4(192, 168, 100, 133), 255);
	m = from_host(PL_PRIVATE_S, &f);
	o = l2(&want, mac_cust_s, mac_er_s, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(192, 168, 100, 134), ip4(192, 168, 100, 133), 255, 20);
	CHECK(m != NULL && erdp_meta(m)->in_port == ER_SECONDARY &&
	      erdp_meta(m)->plink == PL_PRIVATE_S);
	check_frame("from the host, secondary", m, &want);

	/* IPv6 */
	o = l2(&f, mac_er_p, mac_er_p, 0, NULL, NULL, ERDP_ETYPE_IPV6);
	udp6(&f, o, cust6, 255);
	m = from_host(PL_PRIVATE_P, &f);
	o = l2(&want, mac_cust_p, mac_er_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 200}, ERDP_ETYPE_IPV6);
	udp6(&want, o, cust6, 255);
	check_frame("IPv6 from the host", m, &want);

	/* ARP and multicast from the host: host_not_unicast, on the link and its port */
	uint64_t nu = mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_NOT_UNICAST];
	uint64_t nu_port = mc->port_drop[ER_PRIMARY][ERDP_DROP_HOST_NOT_UNICAST];
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	o = l2(&f, bcast, mac_er_p, 0, NULL, NULL, ERDP_ETYPE_ARP);
	arp_req(&f, o, mac_er_p, ip4(192, 168, 100, 130), ip4(192, 168, 100, 129));
	CHECK(from_host(PL_PRIVATE_P, &f) == NULL);
	o = l2(&f, mcast6, mac_er_p, 0, NULL, NULL, ERDP_ETYPE_IPV6);
	udp6(&f, o, cust6, 1);
	CHECK(from_host(PL_PRIVATE_P, &f) == NULL);
	o = l2(&f, mac_er_p, mac_er_p, 0, NULL, NULL, 0x88cc);
	memset(f.b + o, 0, 46);
	f.len = (uint16_t)(o + 46);
	CHECK(from_host(PL_PRIVATE_P, &f) == NULL);
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_P][ERDP_DROP_HOST_NOT_UNICAST], nu + 3);
	CHECK_EQ(mc->port_drop[ER_PRIMARY][ERDP_DROP_HOST_NOT_UNICAST], nu_port + 3);

	/* Admin down: nothing leaves; link_down */
	uint64_t down = mc->plink_drop[PL_PRIVATE_S][ERDP_DROP_LINK_DOWN];

	erdp.plink_admin_up[PL_PRIVATE_S] = 0;
	CHECK_EQ(erdp_nh_republish_peering(&erdp, 0), 0);
	host_frame4(&f, mac_er_s, ip4(192, 168, 100, 134), ip4(192, 168, 100, 133), 255);
	CHECK(from_host(PL_PRIVATE_S, &f) == NULL);
	CHECK_EQ(mc->plink_drop[PL_PRIVATE_S][ERDP_DROP_LINK_DOWN], down + 1);
	erdp.plink_admin_up[PL_PRIVATE_S] = 1;
	CHECK_EQ(erdp_nh_republish_peering(&erdp, 0), 0);
	m = from_host(PL_PRIVATE_S, &f);
	CHECK(m != NULL);
	rte_pktmbuf_free(m);
}

/* The Microsoft peering has no customer MAC: the host's frame waits, erdp ARPs, then it goes. */
static void test_host_unresolved(void)
{
	static const uint8_t mac_ms[6] = {0x02, 0xc0, 0, 0, 0x01, 0x11};
	struct frame f, want;
	struct rte_mbuf *m;
	uint16_t o;

	host_frame4(&f, mac_er_p, ip4(198, 51, 100, 2), ip4(198, 51, 100, 1), 1);
	m = from_host(PL_MS_P, &f);
	/* held: what came out is erdp's ARP request for the customer address */
	CHECK(m != NULL);
	if (m != NULL) {
		const uint8_t *r = rte_pktmbuf_mtod(m, const uint8_t *);

		CHECK(r[0] == 0xff && r[20] == 0x08 && r[21] == 0x06); /* broadcast ARP, QinQ */
		CHECK_EQ(r[22 + 7], 1);				       /* request */
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(rte_ring_count(w->inject), 0);
	erdp_neigh_learn(&erdp, PL_MS_P, false, (const struct rte_ether_addr *)mac_ms);
	CHECK_EQ(rte_ring_count(w->inject), 1);
	if (rte_ring_sc_dequeue(w->inject, (void **)&m) != 0)
		return;
	o = l2(&want, mac_ms, mac_er_p, 2, (const uint16_t[]){ERDP_TPID_8021Q, ERDP_TPID_8021Q},
	       (const uint16_t[]){100, 300}, ERDP_ETYPE_IPV4);
	udp4(&want, o, ip4(198, 51, 100, 2), ip4(198, 51, 100, 1), 1, 20); /* TTL still 1 */
	check_frame("held frame from the host", m, &want);
}

int main(int argc, char **argv)
{
	struct erdp_err err = {0};
	char *eal[] = {
		argv[0], "--no-huge",	  "--no-pci",	     "-m",	    "128",	  "-l",
		"0-1",	 "--file-prefix", "erdp_t_datapath", "--log-level", "lib.*:error"};

	if (argc < 2) {
		fprintf(stderr, "usage: test_datapath CONFIG\n");
		return 2;
	}
	if (erdp_config_load(argv[1], &erdp.cfg, &err) != 0) {
		fprintf(stderr, "test_datapath: %s\n", err.msg);
		return 1;
	}
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "test_datapath: EAL init failed\n");
		return 1;
	}
	erdp.portless = true;
	/* The exception path to the host: portless, so no tap is made (host ports come later). */
	erdp.cfg->bgp.enabled = true;
	erdp.cfg->bgp.host_rate_pps = HOST_RATE;
	erdp.cfg->bgp.host_burst = HOST_BURST;
	if (erdp_dp_setup(&erdp, &err) != 0) {
		fprintf(stderr, "test_datapath: %s\n", err.msg);
		return 1;
	}
	/* The first worker's context, driven from this lcore (workers are not launched). */
	w = erdp.workers[rte_get_next_lcore(-1, 1, 0)];
	CHECK(memcmp(erdp.port[ER_PRIMARY].mac.addr_bytes, mac_er_p, 6) == 0);

	test_forward_c2g();
	test_forward_c2g_v6();
	test_forward_g2c();
	test_drops();
	test_punts();
	test_slowpath();
	test_receive_rules();
	test_slowpath_checksums();
	test_no_icmp_error_about();
	test_route_one_link();
	test_host_policer();
	if (host_ports()) {
		test_host_to();
		test_host_ratelimit();
		test_host_from();
		test_host_unresolved();
	}

	erdp_dp_teardown(&erdp);
	erdp_config_free(erdp.cfg);
	rte_eal_cleanup();
	TEST_MAIN_END();
}
