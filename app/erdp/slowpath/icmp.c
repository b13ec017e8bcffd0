/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP and ICMPv6 on the main lcore: echo replies from the MSEE addresses
 * (anything else for them goes to the host, host.c, or is local_unhandled),
 * time exceeded, fragmentation needed / packet too big, and IPv4
 * fragmentation for DF-clear packets above the egress MTU.
 *
 * Error messages are rate limited by one token bucket (ERDP_ICMP_RATE per
 * second, bursts of ERDP_ICMP_BURST, like Linux's defaults); a packet whose
 * error is suppressed is counted as icmp_rate_limited. Errors are never
 * sent about ICMP errors, non-first fragments, packets to a multicast or
 * broadcast address or that came in a link-layer broadcast or multicast,
 * or packets whose source is not one host (RFC 1812 4.3.2.7, RFC 4443
 * 2.4 e). The fast path drops such packets before they expire
 * (datapath/receive.h); the checks here keep that true whatever punts.
 *
 * Echo requests are answered only when their ICMP(v6) checksum is right
 * (RFC 792, RFC 4443 2.3): a corrupted request is icmp_bad_checksum.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "erdp_rewrite.h"
#include "slowpath.h"

#define ICMP4_DEST_UNREACH  3
#define ICMP4_TIME_EXCEEDED 11
#define ERDP_ICMP_RATE	    1000
#define ERDP_ICMP_BURST	    50
#define ICMP4_QUOTE_MAX	    (576 - 20 - 8)  /* RFC 1812: the error fits in 576 bytes */
#define ICMP6_QUOTE_MAX	    (1280 - 40 - 8) /* RFC 4443: fits in the minimum MTU */

bool erdp_icmp_allow(struct erdp_dp *dp)
{
	static uint64_t last;
	static double tokens = ERDP_ICMP_BURST;
	uint64_t now = rte_rdtsc();

	(void)dp;
	if (last != 0)
		tokens += (double)(now - last) * ERDP_ICMP_RATE / (double)rte_get_tsc_hz();
	last = now;
	if (tokens > ERDP_ICMP_BURST)
		tokens = ERDP_ICMP_BURST;
	if (tokens < 1.0)
		return false;
	tokens -= 1.0;
	return true;
}

/* Copy len bytes at off of m (any segment layout) to dst. */
static void copy_out(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst)
{
	const void *p = rte_pktmbuf_read(m, off, len, dst);

	if (p != NULL && p != dst)
		memcpy(dst, p, len);
}

static uint8_t *l3_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, erdp_meta(m)->l3_off);
}

bool erdp_icmp_cksum_ok(const struct rte_mbuf *m)
{
	const struct erdp_meta *meta = erdp_meta((struct rte_mbuf *)(uintptr_t)m);
	uint32_t sum;
	uint16_t raw;

	if (meta->etype == ERDP_ETYPE_IPV6) {
		const struct rte_ipv6_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta->l3_off);

		if (rte_raw_cksum_mbuf(m, meta->l3_off + (uint32_t)sizeof(*ip),
				       rte_be_to_cpu_16(ip->payload_len), &raw) != 0)
			return false;
		/* The pseudo header (addresses, length, next header 58) is covered too. */
		sum = (uint32_t)raw + rte_ipv6_phdr_cksum(ip, 0);
	} else {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);
		uint32_t ihl = (ip->version_ihl & 0x0f) * 4u;

		if (rte_raw_cksum_mbuf(m, meta->l3_off + ihl,
				       rte_be_to_cpu_16(ip->total_length) - ihl, &raw) != 0)
			return false;
		sum = raw;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* ---- echo ---- */

static void echo4(struct erdp_dp *dp, struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	uint32_t ihl = (ip->version_ihl & 0x0f) * 4u, len = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	uint32_t tmp;

	if (ip->next_proto_id != IPPROTO_ICMP || len < ihl + sizeof(*ic) ||
	    ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_code != 0) {
		erdp_host_input(dp, m); /* BGP, BFD...: the host's, or local_unhandled */
		return;
	}
	if (!erdp_icmp_cksum_ok(m)) {
		erdp_sp_drop(dp, m, ERDP_DROP_ICMP_CKSUM);
		return;
	}
	erdp_sp_count_local(dp, m); /* the request; the reply reuses its mbuf */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, len - ihl);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	erdp_sp_turn_l2(dp, m);
	erdp_sp_send(dp, m, erdp_meta(m)->in_port, erdp_meta(m)->plink);
}

static void echo6(struct erdp_dp *dp, struct rte_mbuf *m, struct rte_ipv6_hdr *ip)
{
	uint8_t *ic = (uint8_t *)(ip + 1), tmp[16];
	uint16_t ck;

	if (ip->proto != IPPROTO_ICMPV6 || rte_be_to_cpu_16(ip->payload_len) < 8) {
		erdp_host_input(dp, m);
		return;
	}
	if (ic[0] == 135 || ic[0] == 136) { /* unicast NS/NA to an MSEE address */
		erdp_nd_input(dp, m);
		return;
	}
	if (ic[0] != 128 || ic[1] != 0) {
		erdp_host_input(dp, m);
		return;
	}
	if (!erdp_icmp_cksum_ok(m)) {
		erdp_sp_drop(dp, m, ERDP_DROP_ICMP_CKSUM);
		return;
	}
	erdp_sp_count_local(dp, m);
	ic[0] = 129;
	memcpy(tmp, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, tmp, 16);
	ip->hop_limits = 64;
	ic[2] = 0;
	ic[3] = 0;
	ck = rte_ipv6_udptcp_cksum(ip, ic);
	memcpy(ic + 2, &ck, 2);
	erdp_sp_turn_l2(dp, m);
	erdp_sp_send(dp, m, erdp_meta(m)->in_port, erdp_meta(m)->plink);
}

void erdp_local_input(struct erdp_dp *dp, struct rte_mbuf *m)
{
	if (erdp_meta(m)->etype == ERDP_ETYPE_IPV6)
		echo6(dp, m, (struct rte_ipv6_hdr *)l3_of(m));
	else
		echo4(dp, m, (struct rte_ipv4_hdr *)l3_of(m));
}

/* ---- errors ---- */

/* The frame came as a link-layer broadcast or multicast. */
static bool l2_group(const struct rte_mbuf *m)
{
	return (rte_pktmbuf_mtod(m, const uint8_t *)[0] & RTE_ETHER_GROUP_ADDR) != 0;
}

/* 0/8, 127/8, 224/4, 240/4 and 255.255.255.255 (host order): not one host. */
static bool not_one_host4(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 127 || a >= 0xe0000000u;
}

static bool may_error4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t src = rte_be_to_cpu_32(ip->src_addr), dst = rte_be_to_cpu_32(ip->dst_addr);
	const struct rte_icmp_hdr *ic =
		(const struct rte_icmp_hdr *)((const uint8_t *)ip + (ip->version_ihl & 0x0f) * 4);

	if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	if (not_one_host4(src) || not_one_host4(dst) || l2_group(m))
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP && ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST &&
	    ic->icmp_type != RTE_IP_ICMP_ECHO_REPLY)
		return false; /* an error or informational message: never answer with an error */
	return true;
}

static bool may_error6(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip)
{
	static const uint8_t unspecified[16];
	const uint8_t *ic = (const uint8_t *)(ip + 1);

	if (ip->src_addr[0] == 0xff || ip->dst_addr[0] == 0xff || l2_group(m) ||
	    memcmp(ip->src_addr, unspecified, sizeof(unspecified)) == 0)
		return false;
	if (ip->proto == IPPROTO_ICMPV6 && ic[0] < 128)
		return false; /* ICMPv6 error messages have types below 128 */
	return true;
}

/* ICMP(v6) error header (checksum 0 for now) and the first q bytes of m's IP packet. */
static void error_body(uint8_t *ic, uint8_t type, uint8_t code, uint32_t rest,
		       const struct rte_mbuf *m, uint32_t q)
{
	ic[0] = type;
	ic[1] = code;
	ic[2] = 0;
	ic[3] = 0;
	memcpy(ic + 4, &rest, 4);
	copy_out(m, erdp_meta((struct rte_mbuf *)(uintptr_t)m)->l3_off, q, ic + 8);
}

/* ICMP error (type, code, 4-byte `rest`) about m, back to its sender. */
static bool send_error4(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t type, uint8_t code,
			uint32_t rest)
{
	const struct rte_ipv4_hdr *in = (const struct rte_ipv4_hdr *)l3_of(m);
	uint32_t avail = m->pkt_len - erdp_meta(m)->l3_off, src;
	uint32_t tot = rte_be_to_cpu_16(in->total_length);
	uint32_t q = RTE_MIN(avail, tot);
	struct rte_ipv4_hdr *ip;
	uint8_t *l3, *ic;
	struct rte_mbuf *r;

	q = RTE_MIN(q, (uint32_t)ICMP4_QUOTE_MAX);
	if (!erdp_sp_src4(dp, m, &src))
		return false;
	r = erdp_sp_reply_alloc(dp, m, ERDP_ETYPE_IPV4, (uint16_t)(20 + 8 + q), &l3);
	if (r == NULL)
		return false;
	ip = (struct rte_ipv4_hdr *)l3;
	memset(ip, 0, 20);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + q));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = in->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic = l3 + 20;
	error_body(ic, type, code, rest, m, q);
	uint16_t ck = (uint16_t)~rte_raw_cksum(ic, 8 + q);

	memcpy(ic + 2, &ck, 2);
	erdp_sp_send(dp, r, erdp_meta(r)->in_port, erdp_meta(r)->plink);
	return true;
}

static bool send_error6(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t type, uint8_t code,
			uint32_t rest)
{
	const struct rte_ipv6_hdr *in = (const struct rte_ipv6_hdr *)l3_of(m);
	uint32_t avail = m->pkt_len - erdp_meta(m)->l3_off;
	uint32_t q = RTE_MIN(avail, (uint32_t)ICMP6_QUOTE_MAX);
	struct rte_ipv6_hdr *ip;
	uint8_t src[16], *l3, *ic;
	struct rte_mbuf *r;
	uint16_t ck;

	if (!erdp_sp_src6(dp, m, src))
		return false;
	r = erdp_sp_reply_alloc(dp, m, ERDP_ETYPE_IPV6, (uint16_t)(40 + 8 + q), &l3);
	if (r == NULL)
		return false;
	ip = (struct rte_ipv6_hdr *)l3;
	ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + q));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, in->src_addr, 16);
	ic = l3 + 40;
	error_body(ic, type, code, rest, m, q);
	ck = rte_ipv6_udptcp_cksum(ip, ic);
	memcpy(ic + 2, &ck, 2);
	erdp_sp_send(dp, r, erdp_meta(r)->in_port, erdp_meta(r)->plink);
	return true;
}

/* Send an error if allowed, then count m under `reason` (or as rate limited). */
static void error_and_drop(struct erdp_dp *dp, struct rte_mbuf *m, uint8_t type, uint8_t code,
			   uint32_t rest, enum erdp_drop reason)
{
	bool v6 = erdp_meta(m)->etype == ERDP_ETYPE_IPV6;
	const uint8_t *l3 = l3_of(m);
	bool eligible = v6 ? may_error6(m, (const struct rte_ipv6_hdr *)l3)
			   : may_error4(m, (const struct rte_ipv4_hdr *)l3);

	if (eligible && !erdp_icmp_allow(dp))
		reason = ERDP_DROP_ICMP_RATELIMIT;
	else if (eligible)
		v6 ? send_error6(dp, m, type, code, rest) : send_error4(dp, m, type, code, rest);
	erdp_sp_drop(dp, m, reason);
}

void erdp_ttl_expired(struct erdp_dp *dp, struct rte_mbuf *m)
{
	if (erdp_meta(m)->etype == ERDP_ETYPE_IPV6)
		error_and_drop(dp, m, 3, 0, 0, ERDP_DROP_TTL);
	else
		error_and_drop(dp, m, ICMP4_TIME_EXCEEDED, 0, 0, ERDP_DROP_TTL);
}

/* IPv4 fragments of m (DF clear) through l2, each at most `mtu` bytes of IP. */
static void fragment4(struct erdp_dp *dp, struct rte_mbuf *m, const struct erdp_l2 *l2)
{
	const struct erdp_meta *meta = erdp_meta(m);
	const struct rte_ipv4_hdr *in = (const struct rte_ipv4_hdr *)l3_of(m);
	uint32_t ihl = (in->version_ihl & 0x0f) * 4u;
	uint32_t data = rte_be_to_cpu_16(in->total_length) - ihl;
	uint32_t chunk = ((uint32_t)l2->mtu - ihl) & ~7u;
	uint16_t off0 = rte_be_to_cpu_16(in->fragment_offset);

	for (uint32_t off = 0; off < data; off += chunk) {
		uint32_t n = RTE_MIN(chunk, data - off);
		struct rte_mbuf *f = rte_pktmbuf_alloc(dp->pool);
		uint8_t *h = f != NULL ? (uint8_t *)rte_pktmbuf_append(
						 f, (uint16_t)(l2->len + 2 + ihl + n))
				       : NULL;
		struct rte_ipv4_hdr *ip;
		uint16_t fo;

		if (h == NULL) {
			rte_pktmbuf_free(f);
			erdp_sp_drop(dp, m, ERDP_DROP_MTU); /* pool empty: lose the rest */
			return;
		}
		memcpy(h, l2->hdr, l2->len);
		h[l2->len] = (uint8_t)(ERDP_ETYPE_IPV4 >> 8);
		h[l2->len + 1] = (uint8_t)ERDP_ETYPE_IPV4;
		ip = (struct rte_ipv4_hdr *)(h + l2->len + 2);
		memcpy(ip, in, ihl);
		copy_out(m, meta->l3_off + ihl + off, n, (uint8_t *)ip + ihl);
		fo = (uint16_t)((off0 & RTE_IPV4_HDR_OFFSET_MASK) + off / 8);
		if (off + n < data || (off0 & RTE_IPV4_HDR_MF_FLAG))
			fo |= RTE_IPV4_HDR_MF_FLAG;
		ip->fragment_offset = rte_cpu_to_be_16(fo);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + n));
		ip->time_to_live--;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		erdp_sp_send(dp, f, (uint8_t)l2->cfg_port, l2->plink);
	}
	rte_pktmbuf_free(m); /* forwarded as fragments */
}

void erdp_too_big(struct erdp_dp *dp, struct rte_mbuf *m)
{
	struct erdp_meta *meta = erdp_meta(m);
	const struct erdp_nh *nh = erdp_nh_get(&dp->nh, meta->nh_id);
	const struct erdp_l2 *l2 = nh != NULL ? &nh->m[meta->member] : NULL;
	uint16_t mtu = l2 != NULL ? l2->mtu : 1280;

	if (meta->etype == ERDP_ETYPE_IPV6) {
		error_and_drop(dp, m, 2, 0, rte_cpu_to_be_32(mtu), ERDP_DROP_MTU);
		return;
	}
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3_of(m);

	if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_DF_FLAG) || l2 == NULL ||
	    !l2->ok) {
		/* RFC 1191: next-hop MTU in the low 16 bits of the second word. */
		error_and_drop(dp, m, ICMP4_DEST_UNREACH, 4, rte_cpu_to_be_32(mtu), ERDP_DROP_MTU);
		return;
	}
	fragment4(dp, m, l2);
}
