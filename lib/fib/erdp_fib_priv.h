/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of lib/fib, shared by its .c files only.
 *
 * Layout: every VRF is either "shared" (small) or "dedicated" (large).
 * IPv4: all VRFs live in one lpm16 (erdp_lpm16.h: first level per VRF,
 * DIR-16-8-8 for shared VRFs, DIR-24-8 for dedicated ones, groups from one
 * pool). IPv6: shared VRFs in one keyed rte_fib6 TRIE, key =
 * [vrf:16][address]; dedicated ones each in an unkeyed rte_fib6 TRIE. See
 * docs/fib.md for why and for the measured costs.
 */
#ifndef ERDP_FIB_PRIV_H
#define ERDP_FIB_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib6.h>
#include <rte_rib6.h>
#include <rte_version.h>

#include "erdp_fib.h"
#include "erdp_lpm16.h"

/*
 * Value the DPDK tables return for "no route": the largest next hop a
 * 4-byte DIR24_8/TRIE entry can hold (one bit is the extension flag), since
 * ERDP_FIB_NO_ROUTE itself does not fit.
 */
#define FIB_DEF_NH   0x7fffffffu
/* Shared IPv6 trie values in [FIB_EXT_BASE, FIB_DEF_NH) name a side slot. */
#define FIB_EXT_BASE ERDP_FIB_NH_MAX
#define FIB_EXT_MAX  (FIB_DEF_NH - FIB_EXT_BASE)

/* Bits of a VRF key in front of the address, and the /112 cut for IPv6. */
#define FIB_VRF_BITS 16
#define FIB_VRF_IDS  (1u << FIB_VRF_BITS)
#define FIB6_KEY_LEN 112

/* DPDK 24.11 moved the IPv6 APIs to struct rte_ipv6_addr (same 16 bytes). */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 11, 0, 0)
#define FIB6_IP(p)  ((const struct rte_ipv6_addr *)(const void *)(p))
#define FIB6_IPS(p) ((struct rte_ipv6_addr *)(void *)(p))
#else
#define FIB6_IP(p)  ((const uint8_t *)(p))
#define FIB6_IPS(p) (p)
#endif

struct fib_ext;

struct fib_vrf {
	uint32_t capacity;
	uint32_t count;
};

struct erdp_fib {
	int family;
	unsigned int n_vrfs;
	/* IPv6, per VRF: dedicated table or NULL (shared); read by lookups */
	void **ded;
	/* per VRF: dedicated (IPv4: wide in lpm4; IPv6: ded[v] != NULL); bytes, so a burst's
	 * split stays in L1 */
	uint8_t *is_ded;
	struct fib_vrf *vrf;
	struct rte_fib6 *shared; /* IPv6: NULL when no VRF is shared */
	struct lpm16 *lpm4;	 /* IPv4: NULL when no VRF has capacity */
	const struct lpm16_view *lpm4v;
	struct fib_ext *ext; /* IPv6 prefixes longer than /112 */
	struct rte_rcu_qsbr *rcu;
	bool tbl8_dirty;		/* a DPDK table deleted since the last grace period */
	uint64_t mem_create;		/* heap bytes taken by create, lpm16 aside */
	uint64_t lpm4_heap;		/* heap bytes lpm16_create took (in lpm16_memory()) */
	char nospc[ERDP_FIB_NOSPC_LEN]; /* why the last add failed with -ENOSPC */
	char name[16];
};

/* Record which limit an add hit; returns -ENOSPC. */
int fib_nospc(struct erdp_fib *fib, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Build the 16-byte key of a shared VRF route; `len` is the key depth. */
static inline void fib4_key(uint8_t key[16], uint16_t vrf, uint32_t addr)
{
	uint64_t hi = ((uint64_t)vrf << 48) | ((uint64_t)addr << 16);

	hi = rte_cpu_to_be_64(hi);
	memcpy(key, &hi, 8);
	memset(key + 8, 0, 8);
}

static inline void fib6_key(uint8_t key[16], uint16_t vrf, const uint8_t addr[16])
{
	key[0] = vrf >> 8;
	key[1] = vrf & 0xff;
	memcpy(key + 2, addr, 14);
}

/* Clear the bits of a 16-byte address past `len`. */
void fib6_mask(uint8_t a[16], unsigned int len);
/* True when b lies in a/len (both 16-byte, any bits past len ignored). */
bool fib6_covers(const uint8_t a[16], unsigned int len, const uint8_t b[16]);

uint64_t fib_heap_used(void);
void fib_rcu_wait(const struct erdp_fib *fib);

/*
 * DPDK 22.11's rte_fib/rte_fib6 have no RCU hook: a delete may free a tbl8
 * group that the very next add reuses while a lookup is still reading it.
 * So after a delete in a DPDK table, the next add to one first waits for a
 * grace period: one wait per run of deletes, not one per route.
 */
static inline void fib_dpdk_deleted(struct erdp_fib *fib)
{
	fib->tbl8_dirty = true;
}

static inline void fib_dpdk_before_add(struct erdp_fib *fib)
{
	if (fib->tbl8_dirty) {
		fib_rcu_wait(fib);
		fib->tbl8_dirty = false;
	}
}

/* Side structure for IPv6 /113../128 in shared VRFs (erdp_fib_ext6.c). */
int fib_ext_create(struct erdp_fib *fib, uint32_t slots);
void fib_ext_free(struct fib_ext *ext);
uint64_t fib_ext_memory(const struct fib_ext *ext);
int fib_ext_add(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		uint32_t nh);
int fib_ext_del(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len);
int fib_ext_get(const struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len,
		uint32_t *nh);
/* Add/del of a /112: 1 when no slot covers it (use the trie), else 0/-errno. */
int fib_ext_set_base(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], bool present,
		     uint32_t nh);
/* A route of length < 112 changed in a VRF: refresh the slots it covers. */
void fib_ext_cover_changed(struct erdp_fib *fib, uint16_t vrf, const uint8_t addr[16], uint8_t len);
/* Resolve a slot value for the low 16 bits of an address (lookup path). */
uint32_t fib_ext_resolve(const struct fib_ext *ext, uint32_t slot, const uint8_t addr[16]);

#endif
