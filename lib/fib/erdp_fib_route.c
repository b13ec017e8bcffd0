/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route add/del/get. Capacity is enforced here per VRF (DPDK's max_routes
 * is one number per table): the exact-match RIB read tells a new route
 * from a replacement before anything changes, so -ENOSPC changes nothing.
 */
#include <errno.h>

#include "erdp_fib_priv.h"

void fib6_mask(uint8_t a[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i<16; i++, len = len> 8 ? len - 8 : 0)
		if (len < 8)
			a[i] &= (uint8_t)(0xff00u >> len);
}

bool fib6_covers(const uint8_t a[16], unsigned int len, const uint8_t b[16])
{
	unsigned int i;

	for (i = 0; len > 0; i++, len = len > 8 ? len - 8 : 0) {
		uint8_t m = len >= 8 ? 0xff : (uint8_t)(0xff00u >> len);

		if ((a[i] ^ b[i]) & m)
			return false;
	}
	return true;
}

static uint32_t mask4(uint32_t addr, uint8_t len)
{
	return len == 0 ? 0 : addr & (0xffffffffu << (32 - len));
}

static bool args_ok(const struct erdp_fib *fib, int family, uint16_t vrf, uint8_t len)
{
	return fib != NULL && fib->family == family && vrf < fib->n_vrfs &&
	       len <= (family == 4 ? 32 : 128);
}

/* ---- IPv4 ---- */

/* The VRF's route capacity: the limit an add beyond it hits. */
static int vrf_full(struct erdp_fib *fib, uint16_t vrf)
{
	return fib_nospc(fib, "vrf %u ipv%d full: %u routes", vrf, fib->family,
			 fib->vrf[vrf].capacity);
}

/* Exact match: 0 and *nh, or -ENOENT. */
static int find4(const struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t *nh)
{
	return fib->lpm4 == NULL ? -ENOENT : lpm16_get(fib->lpm4, vrf, addr, len, nh);
}

int erdp_fib4_add(struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t nh)
{
	struct fib_vrf *fv;
	uint32_t old;
	bool exists;
	int ret;

	if (!args_ok(fib, 4, vrf, len) || nh >= ERDP_FIB_NH_MAX)
		return -EINVAL;
	fv = &fib->vrf[vrf];
	addr = mask4(addr, len);
	exists = find4(fib, vrf, addr, len, &old) == 0;
	if (!exists && fv->count >= fv->capacity)
		return vrf_full(fib, vrf);
	ret = lpm16_add(fib->lpm4, vrf, addr, len, nh);
	if (ret == -ENOSPC) /* the pool is sized for the capacities: a bug if seen */
		return fib_nospc(fib, "vrf %u ipv4: group pool empty (%u)", vrf,
				 lpm16_groups_used(fib->lpm4));
	if (ret == 0 && !exists)
		fv->count++;
	return ret;
}

int erdp_fib4_del(struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len)
{
	int ret;

	if (!args_ok(fib, 4, vrf, len))
		return -EINVAL;
	if (fib->lpm4 == NULL)
		return -ENOENT;
	ret = lpm16_del(fib->lpm4, vrf, mask4(addr, len), len);
	if (ret == 0)
		fib->vrf[vrf].count--;
	return ret;
}

int erdp_fib4_get(const struct erdp_fib *fib, uint16_t vrf, uint32_t addr, uint8_t len,
		  uint32_t *nh)
{
	if (!args_ok(fib, 4, vrf, len) || nh == NULL)
		return -EINVAL;
	return find4(fib, vrf, mask4(addr, len), len, nh);
}

/* ---- IPv6 ---- */

/* RIB and key of a route of length <= 112 (any length when dedicated). */
static struct rte_rib6 *rib6_of(const struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16],
				uint8_t len, uint8_t key[16], uint8_t *depth)
{
	if (fib->ded[vrf] != NULL) {
		memcpy(key, a, 16);
		*depth = len;
		return rte_fib6_get_rib(fib->ded[vrf]);
	}
	fib6_key(key, vrf, a);
	*depth = FIB_VRF_BITS + len;
	return fib->shared == NULL ? NULL : rte_fib6_get_rib(fib->shared);
}

static int find6(const struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len,
		 uint32_t *nh)
{
	struct rte_rib6_node *n;
	struct rte_rib6 *rib;
	uint8_t key[16], depth;
	uint64_t v;

	rib = rib6_of(fib, vrf, a, len, key, &depth);
	if (rib == NULL)
		return -ENOENT;
	n = rte_rib6_lookup_exact(rib, FIB6_IP(key), depth);
	if (n == NULL || rte_rib6_get_nh(n, &v) != 0)
		return -ENOENT;
	*nh = (uint32_t)v;
	return 0;
}

static bool is_ext(const struct erdp_fib *fib, uint16_t vrf, uint8_t len)
{
	return fib->ded[vrf] == NULL && len > FIB6_KEY_LEN;
}

/* A /112 in a shared VRF may sit under a side slot; 1 when not. */
static int base_update(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], bool present,
		       uint32_t nh)
{
	if (fib->ded[vrf] != NULL || fib->ext == NULL)
		return 1;
	return fib_ext_set_base(fib, vrf, a, present, nh);
}

static int table6_update(struct erdp_fib *fib, uint16_t vrf, const uint8_t a[16], uint8_t len,
			 bool add, uint32_t nh)
{
	uint8_t key[16], depth;
	void *t = fib->ded[vrf] != NULL ? fib->ded[vrf] : fib->shared;
	int ret;

	rib6_of(fib, vrf, a, len, key, &depth);
	if (add) {
		fib_dpdk_before_add(fib);
		ret = rte_fib6_add(t, FIB6_IP(key), depth, nh);
	} else {
		ret = rte_fib6_delete(t, FIB6_IP(key), depth);
		fib_dpdk_deleted(fib);
	}
	if (ret == 0 && fib->ded[vrf] == NULL && len < FIB6_KEY_LEN)
		fib_ext_cover_changed(fib, vrf, a, len);
	return ret;
}

static int add6(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		uint32_t nh)
{
	struct fib_vrf *fv;
	uint8_t a[16];
	uint32_t old;
	bool exists;
	int ret;

	if (!args_ok(fib, 6, vrf, len) || addr == NULL || nh >= ERDP_FIB_NH_MAX)
		return -EINVAL;
	fv = &fib->vrf[vrf];
	memcpy(a, addr, 16);
	fib6_mask(a, len);
	if (is_ext(fib, vrf, len))
		return fv->capacity == 0 ? -ENOSPC : fib_ext_add(fib, vrf, a, len, nh);
	if (len == FIB6_KEY_LEN && fv->capacity > 0) {
		ret = base_update(fib, vrf, a, true, nh);
		if (ret <= 0)
			return ret;
	}
	exists = find6(fib, vrf, a, len, &old) == 0;
	if (!exists && fv->count >= fv->capacity)
		return -ENOSPC;
	ret = table6_update(fib, vrf, a, len, true, nh);
	if (ret == 0 && !exists)
		fv->count++;
	return ret;
}

/*
 * Which limit an IPv6 add hit: the VRF's capacity (the add was of a new
 * route), the side slots of /113../128, or the tbl8 pool of the DPDK trie.
 */
int erdp_fib6_add(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		  uint32_t nh)
{
	const struct fib_vrf *fv;
	int ret = add6(fib, vrf, addr, len, nh);

	if (ret != -ENOSPC)
		return ret;
	fv = &fib->vrf[vrf];
	if (fv->count >= fv->capacity)
		return vrf_full(fib, vrf);
	if (is_ext(fib, vrf, len))
		return fib_nospc(fib, "vrf %u ipv6: /113-/128 slots full", vrf);
	return fib_nospc(fib, "vrf %u ipv6: DPDK tbl8 pool full", vrf);
}

int erdp_fib6_del(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len)
{
	uint8_t a[16];
	uint32_t old;
	int ret;

	if (!args_ok(fib, 6, vrf, len) || addr == NULL)
		return -EINVAL;
	memcpy(a, addr, 16);
	fib6_mask(a, len);
	if (is_ext(fib, vrf, len))
		return fib->ext == NULL ? -ENOENT : fib_ext_del(fib, vrf, a, len);
	if (len == FIB6_KEY_LEN) {
		ret = base_update(fib, vrf, a, false, 0);
		if (ret <= 0)
			return ret;
	}
	if (find6(fib, vrf, a, len, &old) != 0)
		return -ENOENT;
	ret = table6_update(fib, vrf, a, len, false, 0);
	if (ret == 0)
		fib->vrf[vrf].count--;
	return ret;
}

int erdp_fib6_get(const struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		  uint32_t *nh)
{
	uint8_t a[16];
	int ret;

	if (!args_ok(fib, 6, vrf, len) || addr == NULL || nh == NULL)
		return -EINVAL;
	memcpy(a, addr, 16);
	fib6_mask(a, len);
	if (is_ext(fib, vrf, len))
		return fib->ext == NULL ? -ENOENT : fib_ext_get(fib, vrf, a, len, nh);
	ret = find6(fib, vrf, a, len, nh);
	/* a /112 under a side slot holds the slot id in the trie */
	if (ret == 0 && *nh >= FIB_EXT_BASE && fib->ded[vrf] == NULL)
		return fib_ext_get(fib, vrf, a, len, nh);
	return ret;
}
