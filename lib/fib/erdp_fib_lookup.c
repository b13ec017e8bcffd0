/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bulk lookups over (vrf, address) pairs.
 *
 * A burst is split once by VRF kind. IPv4: one lpm16 holds every VRF;
 * packets of shared VRFs go to one DIR-16-8-8 pass, packets of dedicated
 * VRFs to one DIR-24-8 pass. IPv6: packets of shared VRFs go to ONE
 * rte_fib6 bulk call on [vrf][address] keys, packets of dedicated VRFs to
 * one bulk call per dedicated table present in the burst (usually one: the
 * full-table VRF). The split is branch-free: which VRF a packet belongs to
 * is random within a burst, so a branch on it mispredicts about once per
 * two packets when traffic mixes dedicated and shared VRFs.
 *
 * No locks: every table is written one aligned entry at a time by the
 * single writer.
 */
#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "erdp_fib_priv.h"

_Static_assert(LPM16_NO_ROUTE == ERDP_FIB_NO_ROUTE, "lpm16 results are erdp_fib results");

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
 * Grouping for dedicated VRFs (one table each): move to pos[] the packets
 * of idx[0..*n) of the same VRF as the first one, keep the others in idx
 * and shrink *n. Returns that VRF and the group size in *m.
 */
static uint16_t take_group(const uint16_t *vrf, uint16_t *idx, unsigned int *n, uint16_t *pos,
			   unsigned int *m)
{
	uint16_t v = vrf[idx[0]];
	unsigned int j, rest = 0;

	for (j = 0, *m = 0; j < *n; j++) {
		if (vrf[idx[j]] == v)
			pos[(*m)++] = idx[j];
		else
			idx[rest++] = idx[j];
	}
	*n = rest;
	return v;
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

/* Packets idx[0..n) of shared IPv4 VRFs: one DIR-16-8-8 pass. */
static void lookup4_shared(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			   uint32_t *nh, const uint16_t *idx, unsigned int n)
{
	uint16_t v[FIB_CHUNK];
	uint32_t a[FIB_CHUNK], res[FIB_CHUNK];
	unsigned int i;

	for (i = 0; i < n; i++) {
		v[i] = vrf[idx[i]];
		a[i] = addr[idx[i]];
	}
	lpm16_lookup_bulk(fib->lpm4v, v, a, res, n);
	for (i = 0; i < n; i++)
		nh[idx[i]] = res[i];
}

/* Packets idx[0..n) of dedicated IPv4 VRFs: one DIR-24-8 pass per VRF. */
static void lookup4_ded(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			uint32_t *nh, uint16_t *idx, unsigned int n)
{
	uint32_t ips[FIB_CHUNK], res[FIB_CHUNK];
	uint16_t pos[FIB_CHUNK];
	unsigned int j, m;

	while (n > 0) {
		uint16_t v = take_group(vrf, idx, &n, pos, &m);

		for (j = 0; j < m; j++)
			ips[j] = addr[pos[j]];
		lpm16_lookup_wide_bulk(fib->lpm4v, fib->lpm4v->top[v], ips, res, m);
		for (j = 0; j < m; j++)
			nh[pos[j]] = res[j];
	}
}

static void lookup4_chunk(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			  uint32_t *nh, unsigned int n)
{
	uint16_t sidx[FIB_CHUNK], didx[FIB_CHUNK];
	unsigned int nd, ns = split_vrfs(fib, vrf, n, nh, sidx, didx, &nd);

	if (ns > 0)
		lookup4_shared(fib, vrf, addr, nh, sidx, ns);
	if (nd > 0)
		lookup4_ded(fib, vrf, addr, nh, didx, nd);
}

void erdp_fib4_lookup_bulk(const struct erdp_fib *fib, const uint16_t *vrf, const uint32_t *addr,
			   uint32_t *nh, unsigned int n)
{
	unsigned int off, m;

	if (unlikely(fib->lpm4 == NULL)) {
		for (off = 0; off < n; off++)
			nh[off] = ERDP_FIB_NO_ROUTE;
		return;
	}
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
		void *t = fib->ded[take_group(vrf, idx, &n, pos, &m)];

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
