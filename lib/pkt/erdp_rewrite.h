/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet header rewrites shared by the workers and the main lcore's
 * exception path: swap the ingress L2 header for an egress one, and the
 * RFC 1812 TTL decrement with an incremental checksum update.
 */
#ifndef ERDP_REWRITE_H
#define ERDP_REWRITE_H

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "erdp_nh.h"

/*
 * TTL - 1 and the matching checksum update: the TTL is the high byte of
 * its 16-bit word, so the one's complement checksum grows by 0x0100
 * (RFC 1141 form, as l3fwd does). Byte order does not matter to a one's
 * complement sum, hence adding the swapped constant to the raw field. The
 * -0/+0 corner RFC 1624 discusses cannot make a valid header fail.
 */
static inline void erdp_ipv4_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t c = (uint32_t)ip->hdr_checksum + rte_cpu_to_be_16(0x0100);

	ip->time_to_live--;
	ip->hdr_checksum = (uint16_t)(c + (c >> 16));
}

/*
 * Replace the first `l3_off` bytes (ingress L2) by l2's header and
 * `etype`. Returns the new frame start, or NULL when the mbuf lacks
 * headroom (never with DPDK's default 128 bytes).
 */
static inline uint8_t *erdp_rewrite_l2(struct rte_mbuf *m, uint16_t l3_off,
				       const struct erdp_l2 *l2, uint16_t etype)
{
	int delta = (int)l2->len + 2 - (int)l3_off;
	uint8_t *h;

	/*
	 * The L2 header lies in the first segment (the parser checked), so
	 * growing or shrinking it is plain arithmetic on data_off and the
	 * lengths; rte_pktmbuf_prepend/adj would re-check what we know.
	 */
	if (unlikely(delta > (int)rte_pktmbuf_headroom(m)))
		return NULL;
	m->data_off = (uint16_t)(m->data_off - delta);
	m->data_len = (uint16_t)(m->data_len + delta);
	m->pkt_len = (uint32_t)((int)m->pkt_len + delta);
	h = rte_pktmbuf_mtod(m, uint8_t *);
	/* Constant-size copies: the compiler turns each into two or three moves. */
	switch (l2->len) {
	case 12:
		memcpy(h, l2->hdr, 12);
		break;
	case 16:
		memcpy(h, l2->hdr, 16);
		break;
	default:
		memcpy(h, l2->hdr, 20);
		break;
	}
	h[l2->len] = (uint8_t)(etype >> 8);
	h[l2->len + 1] = (uint8_t)etype;
	return h;
}

#endif
