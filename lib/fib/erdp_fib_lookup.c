/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bulk lookups over (vrf, address) pairs. A burst is split once: packets
 * of shared VRFs go to ONE rte_fib6 bulk call on [vrf][address] keys,
 * packets of dedicated VRFs to one bulk call per dedicated table present
 * in the burst (usually one: the full-table VRF). No locks: DPDK's tables
 * are written one aligned entry at a time by the single writer.
 *
 * The split is branch-free: which VRF a packet belongs to is random within
 * a burst, so a branch on it mispredicts about once per two packets when
 * traffic mixes dedicated and shared VRFs.
 */
#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "erdp_fib_priv.h"

/* Sub-burst size: the stack arrays below stay within a few KiB. */
#define FIB_CHUNK 64u

static inline uint32_t nh_out(uint64_t v)
{
	return v == FIB_DEF_NH ? ERDP_FIB_NO_ROUTE : (uint32_t)v;
}

static inline void fib6_lookup(struct rte_fib6 *t, uint8_t (*ips)[16], uint64_t *res,
			       unsigned int n)
{
	rte_fib6_lookup_bulk(t, FIB6_IPS(ips), res, (int)n);
}

/*
 * Grouping for dedicated VRFs: move to pos[] the packets of idx[0..*n)
 * that use the same table as the first one, keep the others in idx and
 * shrink *n. Returns that table and the group size in *m.
 */
static void *take_group(const struct erdp_fib *fib, const uint16_t *vrf, uint16_t *idx,
			unsigned int *n, uint16_t *pos, unsigned int *m)
{
	void *t = fib->ded[vrf[idx[0]]];
	unsigned int j, rest = 0;

	for (j = 0, *m = 0; j < *n; j++) {
		if (fib->ded[vrf[idx[j]]] == t)
			pos[(*m)++] = idx[j];
		else
			idx[rest++] = idx[j];
	}
	*n = rest;
	return t;
}

/* Packets idx[0..n) of dedicated IPv4 VRFs: one bulk call per table. */
static void lookup4_ded(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			uint32_t *nh, uint16_t *idx, unsigned int n)
{
	uint32_t ips[FIB_CHUNK];
	uint64_t res[FIB_CHUNK];
	uint16_t pos[FIB_CHUNK];
	unsigned int j, m;

	while (n > 0) {
		void *t = take_group(fib, vrf, idx, &n, pos, &m);

		for (j = 0; j < m; j++)
			ips[j] = addr[pos[j]];
		rte_fib_lookup_bulk(t, ips, res, (int)m);
		for (j = 0; j < m; j++)
			nh[pos[j]] = nh_out(res[j]);
	}
}

/*
 * Split packets 0..n) by VRF kind, branch-free (see the file comment):
 * shared ones to sidx (returned count), dedicated ones to didx (*nd); an
 * unknown VRF gets no route now.
 */
static unsigned int split_vrfs(const struct erdp_fib *fib, const uint16_t *vrf, unsigned int n,
			       uint32_t *nh, uint16_t *sidx, uint16_t *didx, unsigned int *nd)
{
	unsigned int i, ns = 0, d = 0;

	for (i = 0; i < n; i++) {
		unsigned int ded;

		if (unlikely(vrf[i] >= fib->n_vrfs)) {
			nh[i] = ERDP_FIB_NO_ROUTE;
			continue;
		}
		ded = fib->is_ded[vrf[i]];
		sidx[ns] = (uint16_t)i;
		didx[d] = (uint16_t)i;
		ns += ded ^ 1;
		d += ded;
	}
	*nd = d;
	return ns;
}

static void lookup4_chunk(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			  uint32_t *nh, unsigned int n)
{
	uint16_t svrf[FIB_CHUNK], sidx[FIB_CHUNK], didx[FIB_CHUNK];
	uint32_t saddr[FIB_CHUNK], res[FIB_CHUNK];
	unsigned int i, nd, ns = split_vrfs(fib, vrf, n, nh, sidx, didx, &nd);

	if (ns > 0 && fib->lpm4 != NULL) {
		for (i = 0; i < ns; i++) {
			svrf[i] = vrf[sidx[i]];
			saddr[i] = addr[sidx[i]];
		}
		lpm16_lookup_bulk(fib->lpm4v, svrf, saddr, res, ns);
		for (i = 0; i < ns; i++)
			nh[sidx[i]] = res[i] == LPM16_NO_ROUTE ? ERDP_FIB_NO_ROUTE : res[i];
	} else {
		for (i = 0; i < ns; i++)
			nh[sidx[i]] = ERDP_FIB_NO_ROUTE;
	}
	if (nd > 0)
		lookup4_ded(fib, vrf, addr, nh, didx, nd);
}

void erdp_fib4_lookup_bulk(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			   uint32_t *nh, unsigned int n)
{
	unsigned int off, m;

	for (off = 0; off < n; off += m) {
		m = RTE_MIN(n - off, FIB_CHUNK);
		lookup4_chunk(fib, vrf + off, addr + off, nh + off, m);
	}
}

static void lookup6_ded(const struct erdp_fib *fib, const uint16_t *vrf, const uint8_t (*addr)[16],
			uint32_t *nh, uint16_t *idx, unsigned int n)
{
	uint8_t ips[FIB_CHUNK][16] __rte_aligned(16);
	uint64_t res[FIB_CHUNK];
	uint16_t pos[FIB_CHUNK];
	unsigned int j, m;

	while (n > 0) {
		void *t = take_group(fib, vrf, idx, &n, pos, &m);

		for (j = 0; j < m; j++)
			memcpy(ips[j], addr[pos[j]], 16);
		fib6_lookup(t, ips, res, m);
		for (j = 0; j < m; j++)
			nh[pos[j]] = nh_out(res[j]);
	}
}

/* Shared IPv6 result: a next hop, "none", or a side slot for /113../128. */
static inline uint32_t nh6_out(const struct erdp_fib *fib, uint64_t v, const uint8_t a[16])
{
	if (likely(v < FIB_EXT_BASE))
		return (uint32_t)v;
	if (v == FIB_DEF_NH)
		return ERDP_FIB_NO_ROUTE;
	return fib_ext_resolve(fib->ext, (uint32_t)(v - FIB_EXT_BASE), a);
}

static void lookup6_chunk(const struct erdp_fib *fib, const uint16_t *vrf,
			  const uint8_t (*addr)[16], uint32_t *nh, unsigned int n)
{
	uint8_t keys[FIB_CHUNK][16] __rte_aligned(16);
	uint64_t res[FIB_CHUNK];
	uint16_t sidx[FIB_CHUNK], didx[FIB_CHUNK];
	unsigned int i, nd, ns = split_vrfs(fib, vrf, n, nh, sidx, didx, &nd);

	if (ns > 0 && fib->shared != NULL) {
		for (i = 0; i < ns; i++)
			fib6_key(keys[i], vrf[sidx[i]], addr[sidx[i]]);
		fib6_lookup(fib->shared, keys, res, ns);
		for (i = 0; i < ns; i++)
			nh[sidx[i]] = nh6_out(fib, res[i], addr[sidx[i]]);
	} else {
		for (i = 0; i < ns; i++)
			nh[sidx[i]] = ERDP_FIB_NO_ROUTE;
	}
	if (nd > 0)
		lookup6_ded(fib, vrf, addr, nh, didx, nd);
}

void erdp_fib6_lookup_bulk(const struct erdp_fib *fib, const uint16_t *vrf,
			   const uint8_t (*addr)[16], uint32_t *nh, unsigned int n)
{
	unsigned int off, m;

	for (off = 0; off < n; off += m) {
		m = RTE_MIN(n - off, FIB_CHUNK);
		lookup6_chunk(fib, vrf + off, addr + off, nh + off, m);
	}
}
