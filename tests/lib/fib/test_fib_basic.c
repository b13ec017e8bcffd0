/* SPDX-License-Identifier: BSD-3-Clause */
/* Semantics of lib/fib: nesting, delete fallback, /0, /32, /128, VRFs, errors. */
#include <errno.h>

#include "erdp_fib.h"
#include "fib_test_util.h"
#include "unit_test.h"

static uint32_t look4(struct erdp_fib *f, uint16_t vrf, uint32_t a)
{
	uint32_t nh = 0;

	erdp_fib4_lookup_bulk(f, &vrf, &a, &nh, 1);
	return nh;
}

static uint32_t look6(struct erdp_fib *f, uint16_t vrf, const uint8_t a[16])
{
	uint32_t nh = 0;

	erdp_fib6_lookup_bulk(f, &vrf, (const uint8_t(*)[16])a, &nh, 1);
	return nh;
}

static struct erdp_fib *make(int family, const char *name, uint32_t ded_min)
{
	/* VRF 0 big enough to be dedicated when ded_min allows it */
	static const uint32_t cap[4] = {100, 20, 3, 0};
	struct erdp_fib_params p = {.name = name,
				    .socket_id = SOCKET_ID_ANY,
				    .n_vrfs = 4,
				    .capacity = cap,
				    .dedicated_min = ded_min};
	struct erdp_err err;
	struct erdp_fib *f = erdp_fib_create(family, &p, &err);

	CHECK_MSG(f != NULL, "%s", err.msg);
	return f;
}

static void test_v4_nesting(struct erdp_fib *f, uint16_t v)
{
	uint32_t nh;

	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 3)), ERDP_FIB_NO_ROUTE);
	CHECK_EQ(erdp_fib4_add(f, v, ip4(10, 0, 0, 0), 8, 8), 0);
	CHECK_EQ(erdp_fib4_add(f, v, ip4(10, 1, 0, 0), 16, 16), 0);
	CHECK_EQ(erdp_fib4_add(f, v, ip4(10, 1, 2, 0), 24, 24), 0);
	CHECK_EQ(erdp_fib4_add(f, v, ip4(10, 1, 2, 3), 32, 32), 0);
	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 3)), 32);
	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 4)), 24);
	CHECK_EQ(look4(f, v, ip4(10, 1, 3, 4)), 16);
	CHECK_EQ(look4(f, v, ip4(10, 2, 3, 4)), 8);
	CHECK_EQ(look4(f, v, ip4(11, 2, 3, 4)), ERDP_FIB_NO_ROUTE);
	CHECK_EQ(erdp_fib_count(f, v), 4);
	CHECK_EQ(erdp_fib4_get(f, v, ip4(10, 1, 2, 99), 24, &nh), 0); /* host bits ignored */
	CHECK_EQ(nh, 24);
	CHECK_EQ(erdp_fib4_get(f, v, ip4(10, 1, 2, 0), 23, &nh), -ENOENT);
	/* delete falls back to the next shorter covering prefix */
	CHECK_EQ(erdp_fib4_del(f, v, ip4(10, 1, 2, 3), 32), 0);
	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 3)), 24);
	CHECK_EQ(erdp_fib4_del(f, v, ip4(10, 1, 2, 0), 24), 0);
	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 3)), 16);
	CHECK_EQ(erdp_fib4_del(f, v, ip4(10, 1, 0, 0), 16), 0);
	CHECK_EQ(look4(f, v, ip4(10, 1, 2, 3)), 8);
	CHECK_EQ(erdp_fib4_del(f, v, ip4(10, 1, 0, 0), 16), -ENOENT);
	/* replace keeps the count */
	CHECK_EQ(erdp_fib4_add(f, v, ip4(10, 0, 0, 0), 8, 9), 0);
	CHECK_EQ(look4(f, v, ip4(10, 9, 9, 9)), 9);
	CHECK_EQ(erdp_fib_count(f, v), 1);
	/* default route, and /32 under it */
	CHECK_EQ(erdp_fib4_add(f, v, 0, 0, 1000), 0);
	CHECK_EQ(look4(f, v, ip4(192, 0, 2, 1)), 1000);
	CHECK_EQ(erdp_fib4_add(f, v, ip4(255, 255, 255, 255), 32, 77), 0);
	CHECK_EQ(look4(f, v, ip4(255, 255, 255, 255)), 77);
	CHECK_EQ(look4(f, v, ip4(255, 255, 255, 254)), 1000);
	CHECK_EQ(erdp_fib4_del(f, v, 0, 0), 0);
	CHECK_EQ(look4(f, v, ip4(192, 0, 2, 1)), ERDP_FIB_NO_ROUTE);
	CHECK_EQ(erdp_fib4_del(f, v, ip4(255, 255, 255, 255), 32), 0);
	CHECK_EQ(erdp_fib4_del(f, v, ip4(10, 0, 0, 0), 8), 0);
	CHECK_EQ(erdp_fib_count(f, v), 0);
}

static void test_v4_vrfs_and_errors(struct erdp_fib *f)
{
	uint16_t vrfs[4] = {0, 1, 2, 3};
	uint32_t addrs[4], nh[4];
	int i;

	CHECK_EQ(erdp_fib4_add(f, 0, ip4(172, 16, 0, 0), 12, 100), 0);
	CHECK_EQ(erdp_fib4_add(f, 1, ip4(172, 16, 0, 0), 12, 101), 0);
	for (i = 0; i < 4; i++)
		addrs[i] = ip4(172, 16, 5, 5);
	erdp_fib4_lookup_bulk(f, vrfs, addrs, nh, 4);
	CHECK_EQ(nh[0], 100);
	CHECK_EQ(nh[1], 101);
	CHECK_EQ(nh[2], ERDP_FIB_NO_ROUTE);
	CHECK_EQ(nh[3], ERDP_FIB_NO_ROUTE);
	vrfs[3] = 999; /* out of range: no route, no crash */
	erdp_fib4_lookup_bulk(f, vrfs, addrs, nh, 4);
	CHECK_EQ(nh[3], ERDP_FIB_NO_ROUTE);
	/* capacity 3 in VRF 2: the 4th new route fails and changes nothing */
	for (i = 0; i < 3; i++)
		CHECK_EQ(erdp_fib4_add(f, 2, ip4(10, (unsigned)i, 0, 0), 16, 5), 0);
	CHECK_EQ(erdp_fib4_add(f, 2, ip4(10, 9, 0, 0), 16, 5), -ENOSPC);
	CHECK_EQ(look4(f, 2, ip4(10, 9, 0, 1)), ERDP_FIB_NO_ROUTE);
	CHECK_EQ(erdp_fib4_add(f, 2, ip4(10, 1, 0, 0), 16, 6), 0); /* replace still ok */
	CHECK_EQ(erdp_fib_count(f, 2), 3);
	CHECK_EQ(erdp_fib_capacity(f, 2), 3);
	CHECK_EQ(erdp_fib4_add(f, 3, ip4(10, 9, 0, 0), 16, 5), -ENOSPC); /* capacity 0 */
	CHECK_EQ(erdp_fib4_add(f, 4, ip4(10, 9, 0, 0), 16, 5), -EINVAL);
	CHECK_EQ(erdp_fib4_add(f, 0, ip4(10, 9, 0, 0), 33, 5), -EINVAL);
	CHECK_EQ(erdp_fib4_add(f, 0, ip4(10, 9, 0, 0), 16, ERDP_FIB_NH_MAX), -EINVAL);
	CHECK_EQ(erdp_fib4_del(f, 0, ip4(10, 9, 0, 0), 16), -ENOENT);
	CHECK_EQ(erdp_fib4_del(f, 7, ip4(10, 9, 0, 0), 16), -EINVAL);
	CHECK(erdp_fib_memory(f) > 0);
}

static void a6(uint8_t a[16], uint16_t w2, uint16_t w6, uint16_t w7)
{
	const uint16_t w[8] = {0x2001, 0xdb8, w2, 0, 0, 0, w6, w7};

	ip6(a, w);
}

static void test_v6_basic(struct erdp_fib *f, uint16_t v)
{
	uint8_t a[16], b[16], zero[16] = {0};
	uint32_t nh;

	a6(a, 1, 0, 0);
	CHECK_EQ(erdp_fib6_add(f, v, a, 32, 32), 0);
	CHECK_EQ(erdp_fib6_add(f, v, a, 48, 48), 0);
	CHECK_EQ(erdp_fib6_add(f, v, zero, 0, 1), 0);
	a6(b, 1, 0x1234, 0x5678);
	CHECK_EQ(look6(f, v, b), 48);
	a6(b, 2, 0, 1);
	CHECK_EQ(look6(f, v, b), 32);
	b[0] = 0x30;
	CHECK_EQ(look6(f, v, b), 1);
	/* /128 host route and the /113../127 side structure */
	a6(a, 1, 0xa, 0xb);
	CHECK_EQ(erdp_fib6_add(f, v, a, 128, 128), 0);
	CHECK_EQ(look6(f, v, a), 128);
	a6(b, 1, 0xa, 0xc);
	CHECK_EQ(look6(f, v, b), 48);		       /* same /112, falls to the covering /48 */
	CHECK_EQ(erdp_fib6_add(f, v, a, 126, 126), 0); /* 0xb/126 covers 0x8..0xb */
	CHECK_EQ(erdp_fib6_add(f, v, a, 113, 113), 0);
	a6(b, 1, 0xa, 0x9);
	CHECK_EQ(look6(f, v, b), 126);
	a6(b, 1, 0xa, 0x7fff);
	CHECK_EQ(look6(f, v, b), 113);
	a6(b, 1, 0xa, 0x8000);
	CHECK_EQ(look6(f, v, b), 48);
	/* a covering /64 added after the side entry takes over its default */
	CHECK_EQ(erdp_fib6_add(f, v, a, 64, 64), 0);
	CHECK_EQ(look6(f, v, b), 64);
	/* the /112 itself, then its removal */
	CHECK_EQ(erdp_fib6_add(f, v, a, 112, 112), 0);
	CHECK_EQ(look6(f, v, b), 112);
	CHECK_EQ(look6(f, v, a), 128);
	CHECK_EQ(erdp_fib6_get(f, v, a, 112, &nh), 0);
	CHECK_EQ(nh, 112);
	CHECK_EQ(erdp_fib6_get(f, v, a, 126, &nh), 0);
	CHECK_EQ(nh, 126);
	CHECK_EQ(erdp_fib6_get(f, v, a, 127, &nh), -ENOENT);
	CHECK_EQ(erdp_fib_count(f, v), 8);
	CHECK_EQ(erdp_fib6_del(f, v, a, 112), 0);
	CHECK_EQ(erdp_fib6_del(f, v, a, 112), -ENOENT);
	CHECK_EQ(erdp_fib6_get(f, v, a, 112, &nh), -ENOENT);
	CHECK_EQ(look6(f, v, b), 64);
	CHECK_EQ(erdp_fib6_del(f, v, a, 64), 0);
	CHECK_EQ(look6(f, v, b), 48);
	CHECK_EQ(erdp_fib6_del(f, v, a, 128), 0);
	CHECK_EQ(look6(f, v, a), 126);
	CHECK_EQ(erdp_fib6_del(f, v, a, 126), 0);
	CHECK_EQ(look6(f, v, a), 113);
	CHECK_EQ(erdp_fib6_del(f, v, a, 113), 0);
	CHECK_EQ(look6(f, v, a), 48);
	CHECK_EQ(erdp_fib6_del(f, v, a, 113), -ENOENT);
	/* /112 first, then a /120 under it, then the /112 goes */
	CHECK_EQ(erdp_fib6_add(f, v, a, 112, 7), 0);
	CHECK_EQ(erdp_fib6_add(f, v, a, 120, 8), 0);
	CHECK_EQ(look6(f, v, a), 8);
	a6(b, 1, 0xa, 0x1ff);
	CHECK_EQ(look6(f, v, b), 7);
	CHECK_EQ(erdp_fib6_del(f, v, a, 112), 0);
	CHECK_EQ(look6(f, v, b), 48);
	CHECK_EQ(erdp_fib6_del(f, v, a, 120), 0);
	CHECK_EQ(look6(f, v, a), 48);
	CHECK_EQ(erdp_fib6_del(f, v, zero, 0), 0);
	CHECK_EQ(erdp_fib6_del(f, v, a, 48), 0);
	a6(a, 1, 0, 0);
	CHECK_EQ(erdp_fib6_del(f, v, a, 32), 0);
	CHECK_EQ(erdp_fib_count(f, v), 0);
	CHECK_EQ(look6(f, v, b), ERDP_FIB_NO_ROUTE);
}

static void test_v6_vrfs_and_errors(struct erdp_fib *f)
{
	uint8_t a[16];
	int i;

	a6(a, 7, 0, 1);
	CHECK_EQ(erdp_fib6_add(f, 0, a, 128, 10), 0);
	CHECK_EQ(erdp_fib6_add(f, 1, a, 128, 11), 0);
	CHECK_EQ(look6(f, 0, a), 10);
	CHECK_EQ(look6(f, 1, a), 11);
	CHECK_EQ(look6(f, 2, a), ERDP_FIB_NO_ROUTE);
	for (i = 0; i < 3; i++) {
		a6(a, 8, 0, (uint16_t)i);
		CHECK_EQ(erdp_fib6_add(f, 2, a, 127 + (i & 1), 5), 0);
	}
	a6(a, 8, 0, 9);
	CHECK_EQ(erdp_fib6_add(f, 2, a, 128, 5), -ENOSPC);
	CHECK_EQ(erdp_fib6_add(f, 2, a, 48, 5), -ENOSPC);
	CHECK_EQ(look6(f, 2, a), ERDP_FIB_NO_ROUTE);
	CHECK_EQ(erdp_fib_count(f, 2), 3);
	CHECK_EQ(erdp_fib6_add(f, 0, a, 129, 5), -EINVAL);
	CHECK_EQ(erdp_fib6_add(f, 4, a, 64, 5), -EINVAL);
	CHECK_EQ(erdp_fib6_add(f, 0, NULL, 64, 5), -EINVAL);
	CHECK_EQ(erdp_fib6_del(f, 0, a, 64), -ENOENT);
	CHECK_EQ(erdp_fib6_del(f, 0, a, 120), -ENOENT);
}

static void test_create_errors(void)
{
	uint32_t cap[1] = {10};
	struct erdp_fib_params p = {
		.name = "bad", .socket_id = SOCKET_ID_ANY, .n_vrfs = 1, .capacity = cap};
	struct erdp_err err;

	CHECK(erdp_fib_create(5, &p, &err) == NULL);
	CHECK_EQ(err.code, EINVAL);
	p.n_vrfs = 0;
	CHECK(erdp_fib_create(4, &p, &err) == NULL);
	CHECK_EQ(err.code, EINVAL);
	CHECK(erdp_fib_create(4, NULL, &err) == NULL);
}

int main(int argc, char **argv)
{
	struct erdp_fib *f;

	if (test_eal_init(argc, argv) < 0)
		return 2;
	/* shared keyed trie for every VRF, then VRF 0 dedicated */
	for (uint32_t ded_min = UINT32_MAX; ded_min >= 100; ded_min = ded_min == 100 ? 0 : 100) {
		f = make(4, ded_min == 100 ? "b4d" : "b4s", ded_min);
		if (f != NULL) {
			test_v4_nesting(f, 0);
			test_v4_nesting(f, 1);
			test_v4_vrfs_and_errors(f);
			erdp_fib_free(f);
		}
		f = make(6, ded_min == 100 ? "b6d" : "b6s", ded_min);
		if (f != NULL) {
			test_v6_basic(f, 0);
			test_v6_basic(f, 1);
			test_v6_vrfs_and_errors(f);
			erdp_fib_free(f);
		}
	}
	test_create_errors();
	rte_eal_cleanup();
	TEST_MAIN_END();
}
