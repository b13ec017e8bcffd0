/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DIR-16-8-8 under churn: random adds, replaces and deletes in a few VRFs,
 * with prefixes clustered so that they nest and share groups (and sibling
 * prefixes often share a next hop, the case where folding a group back
 * would be wrong). After every phase each VRF is compared with a
 * brute-force longest match over the rules the test keeps, at random
 * addresses and at every prefix's edges. Groups must be reused: memory
 * after many add/delete rounds stays at the level of one round.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_random.h>

#include "erdp_lpm16.h"
#include "unit_test.h"

#define VRFS  4
#define RULES 3000

struct ref {
	uint32_t addr;
	uint8_t len;
	uint8_t used;
	uint16_t vrf;
	uint32_t nh;
};

static struct ref refs[RULES];

static uint32_t mask(uint32_t a, uint8_t len)
{
	return len == 0 ? 0 : a & (0xffffffffu << (32 - len));
}

static uint32_t brute(uint16_t vrf, uint32_t a)
{
	int best = -1;
	uint32_t nh = LPM16_NO_ROUTE;

	for (int i = 0; i < RULES; i++)
		if (refs[i].used && refs[i].vrf == vrf && mask(a, refs[i].len) == refs[i].addr &&
		    refs[i].len > best) {
			best = refs[i].len;
			nh = refs[i].nh;
		}
	return nh;
}

/* Clustered: 10.0.0.0/14 and a few /8s, lengths 0..32 weighted to /16-/28. */
static void random_prefix(uint32_t *a, uint8_t *len)
{
	static const uint8_t lens[] = {0,  8,  12, 15, 16, 16, 17, 17, 18, 20, 22,
				       23, 24, 24, 24, 25, 26, 28, 30, 31, 32};

	*len = lens[rte_rand_max(sizeof(lens))];
	*a = mask((rte_rand_max(4) == 0 ? 0x0b000000u : 0x0a000000u) |
			  ((uint32_t)rte_rand() & 0x0003ffffu),
		  *len);
}

static void check_all(const struct lpm16 *l, const char *phase)
{
	const struct lpm16_view *v = lpm16_view(l);
	unsigned int bad = 0;

	for (int k = 0; k < 20000; k++) {
		uint16_t vrf = (uint16_t)rte_rand_max(VRFS);
		uint32_t a = (rte_rand_max(4) == 0 ? 0x0b000000u : 0x0a000000u) |
			     ((uint32_t)rte_rand() & 0x0003ffffu);

		bad += lpm16_lookup(v, vrf, a) != brute(vrf, a);
	}
	for (int i = 0; i < RULES; i++) {
		uint32_t last;

		if (!refs[i].used)
			continue;
		last = refs[i].addr | (refs[i].len == 32 ? 0 : 0xffffffffu >> refs[i].len);
		bad += lpm16_lookup(v, refs[i].vrf, refs[i].addr) !=
		       brute(refs[i].vrf, refs[i].addr);
		bad += lpm16_lookup(v, refs[i].vrf, last) != brute(refs[i].vrf, last);
	}
	CHECK_MSG(bad == 0, "%s: %u lookups differ from the brute-force reference", phase, bad);
}

static int find_ref(uint16_t vrf, uint32_t a, uint8_t len)
{
	for (int i = 0; i < RULES; i++)
		if (refs[i].used && refs[i].vrf == vrf && refs[i].addr == a && refs[i].len == len)
			return i;
	return -1;
}

/* One round: fill to ~RULES, then delete about half at random. */
static void round_trip(struct lpm16 *l, int round)
{
	char phase[64];

	for (int n = 0; n < RULES * 2; n++) {
		uint16_t vrf = (uint16_t)rte_rand_max(VRFS);
		uint32_t a,
			nh = (uint32_t)rte_rand_max(4); /* few next hops: siblings often equal */
		uint8_t len;
		int i, free_slot = -1;

		random_prefix(&a, &len);
		i = find_ref(vrf, a, len);
		for (int k = 0; i < 0 && k < RULES && free_slot < 0; k++)
			if (!refs[k].used)
				free_slot = k;
		if (i < 0 && free_slot < 0)
			break;
		CHECK_EQ(lpm16_add(l, vrf, a, len, nh), 0);
		if (i < 0)
			i = free_slot;
		refs[i] = (struct ref){.addr = a, .len = len, .used = 1, .vrf = vrf, .nh = nh};
	}
	snprintf(phase, sizeof(phase), "round %d after adds", round);
	check_all(l, phase);
	for (int i = 0; i < RULES; i++) {
		uint32_t nh;

		if (!refs[i].used || rte_rand_max(2) == 0)
			continue;
		CHECK_EQ(lpm16_get(l, refs[i].vrf, refs[i].addr, refs[i].len, &nh), 0);
		CHECK_EQ(nh, refs[i].nh);
		CHECK_EQ(lpm16_del(l, refs[i].vrf, refs[i].addr, refs[i].len), 0);
		CHECK_EQ(lpm16_del(l, refs[i].vrf, refs[i].addr, refs[i].len), -ENOENT);
		refs[i].used = 0;
	}
	snprintf(phase, sizeof(phase), "round %d after deletes", round);
	check_all(l, phase);
}

int main(int argc, char **argv)
{
	struct erdp_err err;
	struct lpm16 *l;
	uint64_t mem_after_first;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	rte_srand(1234);
	l = lpm16_create("lpm16test", VRFS, 2 * RULES, SOCKET_ID_ANY, NULL, &err);
	CHECK(l != NULL);
	if (l == NULL)
		TEST_MAIN_END();
	CHECK_EQ(lpm16_add(l, VRFS, 0, 0, 1), -EINVAL);
	CHECK_EQ(lpm16_add(l, 0, 0, 33, 1), -EINVAL);
	CHECK_EQ(lpm16_add(l, 0, 0, 8, LPM16_NH_MAX), -EINVAL);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 1, 0x0a000001), LPM16_NO_ROUTE);
	/* Two sibling /17s with one next hop, then one deleted: the other half stays. */
	CHECK_EQ(lpm16_add(l, 0, 0x0a000000, 17, 7), 0);
	CHECK_EQ(lpm16_add(l, 0, 0x0a008000, 17, 7), 0);
	CHECK_EQ(lpm16_add(l, 0, 0x0a010000, 24, 9), 0);
	CHECK_EQ(lpm16_del(l, 0, 0x0a010000, 24), 0); /* folds what it can */
	CHECK_EQ(lpm16_del(l, 0, 0x0a000000, 17), 0);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a000001), LPM16_NO_ROUTE);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a008001), 7);
	CHECK_EQ(lpm16_del(l, 0, 0x0a008000, 17), 0);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a008001), LPM16_NO_ROUTE);
	round_trip(l, 0);
	mem_after_first = lpm16_memory(l);
	for (int r = 1; r < 6; r++)
		round_trip(l, r);
	/* Groups are reused (no RCU here): six rounds need no more chunks than two. */
	CHECK_MSG(lpm16_memory(l) <= mem_after_first + (4u << 20) + (1u << 20),
		  "memory grew from %lu to %lu bytes under churn", (unsigned long)mem_after_first,
		  (unsigned long)lpm16_memory(l));
	lpm16_free(l);
	rte_eal_cleanup();
	TEST_MAIN_END();
}
