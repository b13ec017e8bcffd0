/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 capacity: the only limit is a VRF's route capacity, whatever the
 * prefix lengths, and deletes give room back (issue 10, item 3).
 *
 * DPDK 22.11's DIR24_8 skipped its tbl8 reservation count when a /25../32
 * was added with the next hop of its covering route, but still decremented
 * it on delete; the counter wrapped and every later /25../32 in a fresh /24
 * was refused until restart. erdp's tables count groups from what they
 * hold, so:
 *   - the five steps (a /16; two /28s inside it with its next hop;
 *     delete both; a /28 in an untouched /24) work, in a dedicated
 *     (65,536-route) VRF and in a small one;
 *   - a VRF is filled to capacity with prefixes of every length /8../32,
 *     next hops equal to and different from their covering route's, half
 *     of it deleted and refilled (a sweep), all of it deleted, and filled
 *     again with other prefixes, for several rounds; after each phase
 *     lookups agree with a reference, one more route than the capacity is
 *     refused, and the reason names the capacity.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_hash.h>
#include <rte_jhash.h>

#include "erdp_fib.h"
#include "fib_test_util.h"
#include "unit_test.h"

#define VRF_SMALL   1
#define VRF_DED	    2 /* "vrf 2" of the issue */
#define N_VRFS	    3
#define CAP_SMALL   4000u
#define CAP_DED	    ERDP_FIB_DEDICATED_MIN
#define ROUNDS	    3
#define N_NH	    8 /* few next hops: equal siblings and covers are common */
#define N_RANDOM    16384
#define N_EDGES	    8192
#define BASE_NET    0x0a000000u /* prefixes in 10.0.0.0 - 25.255.255.255 */
#define BASE_SPAN   (16u << 24)
#define MIN_LEN	    8
#define MAX_LEN	    32
#define MAX_ATTEMPT 50 /* draws per wanted prefix before giving up on a length */

struct ref_key {
	uint32_t addr;
	uint16_t vrf;
	uint8_t len;
	uint8_t pad;
};

struct route {
	uint32_t addr;
	uint8_t len;
	uint8_t live;
};

static struct rte_hash *ref;
static struct route *routes; /* the test's list of one VRF's routes */
static uint32_t n_routes;

static uint32_t mask(uint32_t a, uint8_t len)
{
	return len == 0 ? 0 : a & (0xffffffffu << (32 - len));
}

static struct ref_key key_of(uint16_t vrf, uint32_t a, uint8_t len)
{
	return (struct ref_key){.addr = mask(a, len), .vrf = vrf, .len = len};
}

/* Longest match over the reference; ERDP_FIB_NO_ROUTE when none. below: lengths < below only. */
static uint32_t ref_lpm(uint16_t vrf, uint32_t a, int below)
{
	for (int l = below - 1; l >= 0; l--) {
		struct ref_key k = key_of(vrf, a, (uint8_t)l);
		void *d;

		if (rte_hash_lookup_data(ref, &k, &d) >= 0)
			return (uint32_t)(uintptr_t)d;
	}
	return ERDP_FIB_NO_ROUTE;
}

static int add(struct erdp_fib *f, uint16_t vrf, uint32_t a, uint8_t len, uint32_t nh)
{
	struct ref_key k = key_of(vrf, a, len);
	int ret = erdp_fib4_add(f, vrf, a, len, nh);

	if (ret == 0)
		CHECK(rte_hash_add_key_data(ref, &k, (void *)(uintptr_t)nh) == 0);
	return ret;
}

static int del(struct erdp_fib *f, uint16_t vrf, uint32_t a, uint8_t len)
{
	struct ref_key k = key_of(vrf, a, len);
	int ret = erdp_fib4_del(f, vrf, a, len);

	if (ret == 0)
		CHECK(rte_hash_del_key(ref, &k) >= 0);
	return ret;
}

static uint32_t look(struct erdp_fib *f, uint16_t vrf, uint32_t a)
{
	uint32_t nh;

	erdp_fib4_lookup_bulk(f, &vrf, &a, &nh, 1);
	return nh;
}

/* Lookups at random addresses and at both edges of sampled routes, in bursts. */
static void check(struct erdp_fib *f, uint16_t vrf, uint64_t *seed, const char *phase)
{
	enum { BURST = 32 };
	uint32_t a[BURST], nh[BURST], bad = 0, n = 0;
	uint16_t v[BURST];

	for (int i = 0; i < BURST; i++)
		v[i] = vrf;
	for (uint32_t k = 0; k < N_RANDOM + 2 * N_EDGES; k++) {
		uint64_t r = rnd64(seed);

		if (k < N_RANDOM || n_routes == 0) {
			a[n] = BASE_NET + (uint32_t)(r % BASE_SPAN);
		} else {
			const struct route *rt = &routes[r % n_routes];

			a[n] = rt->addr | (k & 1 && rt->len < 32 ? ~0u >> rt->len : 0);
		}
		if (++n < BURST)
			continue;
		erdp_fib4_lookup_bulk(f, v, a, nh, BURST);
		for (int i = 0; i < BURST; i++) {
			uint32_t want = ref_lpm(vrf, a[i], MAX_LEN + 1);

			if (nh[i] != want && bad++ < 5)
				fprintf(stderr, "%s: vrf %u %08x: got %u want %u\n", phase, vrf,
					a[i], nh[i], want);
		}
		n = 0;
	}
	CHECK_MSG(bad == 0, "%s: vrf %u: %u lookups differ from the reference", phase, vrf, bad);
}

/*
 * A new prefix of a length drawn from /8../32 that is not installed; next
 * hop: its covering route's half of the time, else one of N_NH.
 */
static bool draw(uint16_t vrf, uint64_t *seed, uint32_t *a, uint8_t *len, uint32_t *nh)
{
	for (int t = 0; t < MAX_ATTEMPT * (MAX_LEN - MIN_LEN + 1); t++) {
		uint64_t r = rnd64(seed);
		struct ref_key k;
		uint32_t cover;

		*len = (uint8_t)(MIN_LEN + r % (MAX_LEN - MIN_LEN + 1));
		*a = mask(BASE_NET + (uint32_t)((r >> 8) % BASE_SPAN), *len);
		k = key_of(vrf, *a, *len);
		if (rte_hash_lookup(ref, &k) >= 0)
			continue;
		cover = ref_lpm(vrf, *a, *len);
		r = rnd64(seed);
		*nh = r & 1 && cover != ERDP_FIB_NO_ROUTE ? cover : (uint32_t)(r >> 1) % N_NH;
		return true;
	}
	return false;
}

/* Add new routes until the VRF holds `target`; all must be accepted. */
static void fill(struct erdp_fib *f, uint16_t vrf, uint32_t target, uint64_t *seed,
		 const char *phase)
{
	uint32_t a, nh, fails = 0;
	uint8_t len;

	while (erdp_fib_count(f, vrf) < target && draw(vrf, seed, &a, &len, &nh)) {
		int ret = add(f, vrf, a, len, nh);

		if (ret != 0 && fails++ < 5)
			fprintf(stderr, "%s: vrf %u add %08x/%u -> %u: %d (%s)\n", phase, vrf, a,
				len, nh, ret, erdp_fib_nospc_reason(f));
		if (ret != 0)
			break;
		routes[n_routes++] = (struct route){.addr = a, .len = len, .live = 1};
	}
	CHECK_MSG(fails == 0 && erdp_fib_count(f, vrf) == target, "%s: vrf %u holds %u of %u",
		  phase, vrf, erdp_fib_count(f, vrf), target);
}

/* Delete every live route with probability keep_one_in ? 1 - 1/keep_one_in : 1. */
static void sweep(struct erdp_fib *f, uint16_t vrf, uint64_t *seed, unsigned int keep_one_in)
{
	uint32_t kept = 0, bad = 0;

	for (uint32_t i = 0; i < n_routes; i++) {
		if (keep_one_in != 0 && rnd64(seed) % keep_one_in == 0) {
			routes[kept++] = routes[i];
			continue;
		}
		bad += del(f, vrf, routes[i].addr, routes[i].len) != 0;
	}
	n_routes = kept;
	CHECK_EQ(bad, 0);
	CHECK_EQ(erdp_fib_count(f, vrf), kept);
}

/* Full VRF: one more new route is refused, changes nothing, and says why. */
static void check_full(struct erdp_fib *f, uint16_t vrf, uint32_t cap, uint64_t *seed)
{
	char want[ERDP_FIB_NOSPC_LEN];
	uint32_t a, nh;
	uint8_t len;

	if (!draw(vrf, seed, &a, &len, &nh)) {
		CHECK(false);
		return;
	}
	CHECK_EQ(erdp_fib4_add(f, vrf, a, len, nh), -ENOSPC);
	snprintf(want, sizeof(want), "vrf %u ipv4 full: %u routes", vrf, cap);
	CHECK_MSG(strcmp(erdp_fib_nospc_reason(f), want) == 0, "reason '%s', want '%s'",
		  erdp_fib_nospc_reason(f), want);
	CHECK_EQ(erdp_fib_count(f, vrf), cap);
	CHECK_EQ(look(f, vrf, a), ref_lpm(vrf, a, MAX_LEN + 1));
	/* a replacement of an existing route is not a new route: still accepted */
	CHECK_EQ(add(f, vrf, routes[0].addr, routes[0].len, 5), 0);
}

static void cycles(struct erdp_fib *f, uint16_t vrf, uint32_t cap)
{
	uint64_t seed = 1000 + vrf, cseed = 77;
	char phase[96];

	n_routes = 0;
	for (int r = 0; r < ROUNDS; r++) {
		snprintf(phase, sizeof(phase), "vrf %u round %d fill", vrf, r);
		fill(f, vrf, cap, &seed, phase);
		check(f, vrf, &cseed, phase);
		check_full(f, vrf, cap, &seed);
		snprintf(phase, sizeof(phase), "vrf %u round %d sweep of half", vrf, r);
		sweep(f, vrf, &seed, 2);
		check(f, vrf, &cseed, phase);
		snprintf(phase, sizeof(phase), "vrf %u round %d refill", vrf, r);
		fill(f, vrf, cap, &seed, phase);
		check(f, vrf, &cseed, phase);
		snprintf(phase, sizeof(phase), "vrf %u round %d all deleted", vrf, r);
		sweep(f, vrf, &seed, 0);
		check(f, vrf, &cseed, phase);
	}
	printf("vrf %u: %d rounds of fill %u / sweep / refill / delete all, memory %.1f MiB\n", vrf,
	       ROUNDS, cap, erdp_fib_memory(f) / 1048576.0);
}

/* The five steps; then the same /28 again after a sweep-like churn. */
static void five_steps(struct erdp_fib *f, uint16_t vrf)
{
	uint32_t s16 = ip4(20, 1, 0, 0), a = ip4(20, 1, 1, 16), b = ip4(20, 1, 1, 32);
	uint32_t fresh = ip4(20, 1, 7, 16);

	CHECK_EQ(add(f, vrf, s16, 16, 3), 0);
	CHECK_EQ(add(f, vrf, a, 28, 3), 0); /* same target as the /16 */
	CHECK_EQ(add(f, vrf, b, 28, 3), 0);
	CHECK_EQ(del(f, vrf, a, 28), 0);
	CHECK_EQ(del(f, vrf, b, 28), 0);
	CHECK_MSG(add(f, vrf, fresh, 28, 4) == 0, "vrf %u: /28 in an untouched /24 refused: %s",
		  vrf, erdp_fib_nospc_reason(f));
	CHECK_EQ(look(f, vrf, fresh + 1), 4);
	CHECK_EQ(look(f, vrf, fresh - 1), 3);
	/* many more rounds of the pattern must not wear anything out */
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t x = ip4(20, 1, 100 + i % 100, 64);

		CHECK_EQ(add(f, vrf, x, 26, 3), 0);
		CHECK_EQ(del(f, vrf, x, 26), 0);
	}
	CHECK_EQ(add(f, vrf, ip4(20, 1, 250, 0), 25, 6), 0);
	CHECK_EQ(look(f, vrf, ip4(20, 1, 250, 1)), 6);
	CHECK_EQ(del(f, vrf, ip4(20, 1, 250, 0), 25), 0);
	CHECK_EQ(del(f, vrf, fresh, 28), 0);
	CHECK_EQ(del(f, vrf, s16, 16), 0);
	CHECK_EQ(erdp_fib_count(f, vrf), 0);
}

int main(int argc, char **argv)
{
	static const uint32_t caps[N_VRFS] = {[VRF_SMALL] = CAP_SMALL, [VRF_DED] = CAP_DED};
	struct rte_hash_parameters hp = {.name = "capref",
					 .entries = 2 * (CAP_SMALL + CAP_DED),
					 .key_len = sizeof(struct ref_key),
					 .hash_func = rte_jhash,
					 .socket_id = SOCKET_ID_ANY};
	struct erdp_fib_params p = {
		.name = "cap", .socket_id = SOCKET_ID_ANY, .n_vrfs = N_VRFS, .capacity = caps};
	struct erdp_err err;
	struct erdp_fib *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_eal_init(argc, argv) < 0)
		return 2;
	ref = rte_hash_create(&hp);
	routes = calloc(CAP_DED, sizeof(*routes));
	f = erdp_fib_create(4, &p, &err);
	CHECK_MSG(f != NULL, "%s", err.msg);
	CHECK(ref != NULL && routes != NULL);
	if (f != NULL && ref != NULL && routes != NULL) {
		five_steps(f, VRF_DED);
		five_steps(f, VRF_SMALL);
		cycles(f, VRF_DED, CAP_DED);
		cycles(f, VRF_SMALL, CAP_SMALL);
		five_steps(f, VRF_DED); /* still, after all that */
	}
	erdp_fib_free(f);
	rte_hash_free(ref);
	free(routes);
	rte_eal_cleanup();
	TEST_MAIN_END();
}
