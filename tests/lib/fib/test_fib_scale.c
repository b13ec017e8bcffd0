/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scale: a full IPv4 table (1,000,000 prefixes) in one VRF, 100,000 IPv6
 * prefixes, and 1,024 VRFs x 1,000 IPv4 routes, with lookups compared to a
 * brute-force reference (every length probed in an exact-match hash).
 * Timings are printed, never asserted.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_hash.h>
#include <rte_jhash.h>

#include "erdp_fib.h"
#include "fib_gen.h"
#include "unit_test.h"

#define N_INET4 1000000u
#define N_INET6 100000u
#define N_VRFS	1025u /* VRF 0: Internet; 1..1024 customers */
#define PER_VRF 1000u
#define N_CHECK 100000u

struct ref_key {
	uint8_t addr[16];
	uint16_t vrf;
	uint8_t len;
	uint8_t pad;
};

static struct rte_hash *ref;

/* IPv6 routes as inserted, to draw covered destinations from. */
struct route6 {
	uint8_t addr[16];
	uint16_t vrf;
	uint8_t len;
};
static struct route6 *ins6;
static uint32_t n_ins6;
static uint64_t lens_used[2][3]; /* per family: bitmap of lengths in use */

static struct rte_hash *ref_create(uint32_t n)
{
	struct rte_hash_parameters p = {.name = "fibref",
					.entries = n,
					.key_len = sizeof(struct ref_key),
					.hash_func = rte_jhash,
					.socket_id = SOCKET_ID_ANY};

	return rte_hash_create(&p);
}

static void ref_key(struct ref_key *k, uint16_t vrf, const uint8_t *a, unsigned int alen,
		    uint8_t len)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, a, alen);
	k->vrf = vrf;
	k->len = len;
	k->pad = (uint8_t)alen; /* 4 or 16: keeps the families apart */
}

/* Longest match by probing every used length; NO_ROUTE when none. */
static uint32_t ref_lpm(uint16_t vrf, const uint8_t *a, unsigned int alen, int fam)
{
	struct ref_key k;
	uint8_t m[16];
	void *d;
	int l;

	for (l = (int)alen * 8; l >= 0; l--) {
		if (!(lens_used[fam][l / 64] >> (l % 64) & 1))
			continue;
		memcpy(m, a, alen);
		for (unsigned int i = 0, r = (unsigned int)l; i<alen; i++, r = r> 8 ? r - 8 : 0)
			if (r < 8)
				m[i] &= (uint8_t)(0xff00u >> r);
		ref_key(&k, vrf, m, alen, (uint8_t)l);
		if (rte_hash_lookup_data(ref, &k, &d) >= 0)
			return (uint32_t)(uintptr_t)d;
	}
	return ERDP_FIB_NO_ROUTE;
}

static void be4(uint8_t b[4], uint32_t a)
{
	b[0] = (uint8_t)(a >> 24);
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
}

/* New route only (a duplicate prefix is skipped): 1 added, 0 duplicate, -1 error. */
static int add4(struct erdp_fib *f, uint16_t vrf, uint32_t a, uint8_t len, uint32_t nh)
{
	struct ref_key k;
	uint8_t b[4];
	int ret;

	be4(b, a);
	ref_key(&k, vrf, b, 4, len);
	if (rte_hash_lookup(ref, &k) >= 0)
		return 0;
	ret = erdp_fib4_add(f, vrf, a, len, nh);
	CHECK_MSG(ret == 0, "add4 vrf %u %08x/%u: %d", vrf, a, len, ret);
	if (ret != 0)
		return -1;
	rte_hash_add_key_data(ref, &k, (void *)(uintptr_t)nh);
	lens_used[0][len / 64] |= 1ull << (len % 64);
	return 1;
}

static int add6(struct erdp_fib *f, uint16_t vrf, const uint8_t a[16], uint8_t len, uint32_t nh)
{
	struct ref_key k;
	int ret;

	ref_key(&k, vrf, a, 16, len);
	if (rte_hash_lookup(ref, &k) >= 0)
		return 0;
	ret = erdp_fib6_add(f, vrf, a, len, nh);
	CHECK_MSG(ret == 0, "add6 vrf %u /%u: %d", vrf, len, ret);
	if (ret != 0)
		return -1;
	rte_hash_add_key_data(ref, &k, (void *)(uintptr_t)nh);
	lens_used[1][len / 64] |= 1ull << (len % 64);
	memcpy(ins6[n_ins6].addr, a, 16);
	ins6[n_ins6].vrf = vrf;
	ins6[n_ins6++].len = len;
	return 1;
}

static uint32_t nh_of(uint16_t vrf, uint32_t i)
{
	return (vrf * 7919u + i) & (ERDP_FIB_NH_MAX - 1);
}

static void load4(struct erdp_fib *f)
{
	uint64_t seed = 4;
	uint32_t n = 0, a, v;
	uint8_t len;
	int ret;
	double t = now_s();

	while (n < N_INET4) {
		gen4_inet(&seed, &a, &len);
		ret = add4(f, 0, a, len, nh_of(0, n));
		if (ret < 0)
			return;
		n += (uint32_t)ret;
	}
	printf("ipv4: %u Internet routes in VRF 0 in %.2f s\n", n, now_s() - t);
	CHECK_EQ(erdp_fib_count(f, 0), N_INET4);
	t = now_s();
	for (v = 1; v < N_VRFS; v++) {
		seed = 1000 + v;
		for (n = 0; n < PER_VRF;) {
			gen4_vrf(&seed, &a, &len);
			ret = add4(f, (uint16_t)v, a, len, nh_of((uint16_t)v, n));
			if (ret < 0)
				return;
			n += (uint32_t)ret;
		}
		CHECK_EQ(erdp_fib_count(f, (uint16_t)v), PER_VRF);
	}
	printf("ipv4: %u VRFs x %u routes in %.2f s; memory %.1f MiB\n", N_VRFS - 1, PER_VRF,
	       now_s() - t, erdp_fib_memory(f) / 1048576.0);
}

/* Check addresses against the reference in mixed-VRF bursts of 32. */
static void check4(struct erdp_fib *f)
{
	uint64_t seed = 44;
	uint16_t vrf[32];
	uint32_t addr[32], nh[32], bad = 0, hits = 0, i, j;
	uint8_t b[4];

	for (i = 0; i < N_CHECK; i += 32) {
		for (j = 0; j < 32; j++) {
			uint64_t r = rnd64(&seed);
			uint8_t len;

			/* half VRF 0, half customers; addresses near routes */
			vrf[j] = (uint16_t)(j & 1 ? 0 : 1 + r % (N_VRFS - 1));
			if (vrf[j] == 0)
				gen4_inet(&seed, &addr[j], &len);
			else
				gen4_vrf(&seed, &addr[j], &len);
			addr[j] |= (uint32_t)(r >> 40) & (len < 32 ? 0xffffffffu >> len : 0);
			/* every 8th: ask VRF v for VRF v+1's kind of address */
			if (j % 8 == 2)
				vrf[j] = (uint16_t)(1 + (vrf[j] % (N_VRFS - 1)));
		}
		erdp_fib4_lookup_bulk(f, vrf, addr, nh, 32);
		for (j = 0; j < 32; j++) {
			be4(b, addr[j]);
			uint32_t want = ref_lpm(vrf[j], b, 4, 0);

			hits += want != ERDP_FIB_NO_ROUTE;
			if (nh[j] != want && bad++ < 10)
				fprintf(stderr, "v4 vrf %u %08x: got %u want %u\n", vrf[j], addr[j],
					nh[j], want);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(hits > N_CHECK / 2);
	printf("ipv4: %u lookups checked against the reference, %u matched a route\n", i, hits);
}

static void load6(struct erdp_fib *f)
{
	uint64_t seed = 6;
	uint32_t n = 0, v;
	uint8_t a[16], len;
	int ret;
	double t = now_s();

	while (n < N_INET6) {
		gen6_inet(&seed, a, &len);
		ret = add6(f, 0, a, len, nh_of(0, n));
		if (ret < 0)
			return;
		n += (uint32_t)ret;
	}
	printf("ipv6: %u routes in VRF 0 in %.2f s\n", n, now_s() - t);
	CHECK_EQ(erdp_fib_count(f, 0), N_INET6);
	/* customers: /48../64 plus /126 links and /128 hosts (side structure) */
	for (v = 1; v < N_VRFS; v++) {
		seed = 6000 + v;
		for (n = 0; n < 20;) {
			gen6_inet(&seed, a, &len);
			a[0] = 0xfd;
			if (n % 10 == 9) {
				len = (uint8_t)(n % 20 == 9 ? 126 : 128);
				a[15] = (uint8_t)(v * 4); /* a host part, masked for /126 */
				a[15] &= (uint8_t)(len == 126 ? 0xfc : 0xff);
			}
			ret = add6(f, (uint16_t)v, a, len, nh_of((uint16_t)v, n));
			if (ret < 0)
				return;
			n += (uint32_t)ret;
		}
	}
	printf("ipv6: + %u VRFs x 20 routes; memory %.1f MiB\n", N_VRFS - 1,
	       erdp_fib_memory(f) / 1048576.0);
}

static void check6(struct erdp_fib *f)
{
	uint64_t seed = 66;
	uint16_t vrf[32];
	uint8_t addr[32][16];
	uint32_t nh[32], bad = 0, hits = 0, i, j;

	for (i = 0; i < N_CHECK; i += 32) {
		for (j = 0; j < 32; j++) {
			const struct route6 *rt = &ins6[rnd64(&seed) % n_ins6];
			uint64_t r = rnd64(&seed);

			/* inside an installed prefix: host bits random */
			vrf[j] = rt->vrf;
			memcpy(addr[j], rt->addr, 16);
			for (unsigned int b = rt->len; b < 128; b++)
				addr[j][b / 8] |= (uint8_t)(((r >> (b % 64)) & 1) << (7 - b % 8));
			/* every 8th: the same address asked in another VRF */
			if (j % 8 == 2)
				vrf[j] = (uint16_t)((vrf[j] + 1) % N_VRFS);
		}
		erdp_fib6_lookup_bulk(f, vrf, (const uint8_t(*)[16])addr, nh, 32);
		for (j = 0; j < 32; j++) {
			uint32_t want = ref_lpm(vrf[j], addr[j], 16, 1);

			hits += want != ERDP_FIB_NO_ROUTE;
			if (nh[j] != want && bad++ < 10)
				fprintf(stderr, "v6 vrf %u: got %u want %u\n", vrf[j], nh[j], want);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(hits > N_CHECK / 2);
	printf("ipv6: %u lookups checked against the reference, %u matched a route\n", i, hits);
}

static struct erdp_fib *make(int family, const char *name, uint32_t cap0, uint32_t cap)
{
	static uint32_t caps[N_VRFS];
	struct erdp_fib_params p = {
		.name = name, .socket_id = SOCKET_ID_ANY, .n_vrfs = N_VRFS, .capacity = caps};
	struct erdp_err err;
	struct erdp_fib *f;
	double t = now_s();

	caps[0] = cap0;
	for (unsigned int v = 1; v < N_VRFS; v++)
		caps[v] = cap;
	f = erdp_fib_create(family, &p, &err);
	CHECK_MSG(f != NULL, "%s", err.msg);
	if (f != NULL)
		printf("ipv%d: created in %.2f s, %.1f MiB\n", family, now_s() - t,
		       erdp_fib_memory(f) / 1048576.0);
	return f;
}

int main(int argc, char **argv)
{
	struct erdp_fib *f4, *f6;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_eal_init(argc, argv) < 0)
		return 2;
	ref = ref_create(N_INET4 + N_INET6 + (N_VRFS - 1) * (PER_VRF + 20) + 1024);
	CHECK(ref != NULL);
	if (ref == NULL)
		TEST_MAIN_END();
	f4 = make(4, "s4", N_INET4, PER_VRF);
	if (f4 != NULL) {
		load4(f4);
		check4(f4);
		erdp_fib_free(f4);
	}
	ins6 = calloc(N_INET6 + (N_VRFS - 1) * 20, sizeof(*ins6));
	f6 = make(6, "s6", N_INET6, 20);
	if (f6 != NULL) {
		load6(f6);
		check6(f6);
		erdp_fib_free(f6);
	}
	rte_hash_free(ref);
	free(ins6);
	rte_eal_cleanup();
	TEST_MAIN_END();
}
