/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DIR-16-8-8 and DIR-24-8 under churn: random adds, replaces and deletes in
 * a few VRFs (the last one wide), with prefixes clustered so that they nest
 * and share groups (and sibling prefixes often share a next hop, the case
 * where folding a group back would be wrong). After every phase each VRF is
 * compared with a brute-force longest match over the rules the test keeps,
 * at random addresses and at every prefix's edges. Groups must be reused:
 * memory after many add/delete rounds stays at the level of one round, and
 * once every route is gone no group is in use. With RCU, a group freed by a
 * delete is reused once a reader has passed a quiescent state: an add that
 * needs it waits for that instead of failing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "erdp_lpm16.h"
#include "unit_test.h"

#define VRFS  4
#define RULES 3000

static const uint8_t wide[VRFS] = {[VRFS - 1] = 1};

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

/* A lookup thread: reads, and reports a quiescent state now and then. */
struct reader {
	struct rte_rcu_qsbr *qs;
	const struct lpm16 *l;
	bool online; /* set by the reader, __atomic */
	bool stop;   /* set by the writer, __atomic */
	uint64_t lookups;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	rte_rcu_qsbr_thread_register(r->qs, 0);
	rte_rcu_qsbr_thread_online(r->qs, 0);
	__atomic_store_n(&r->online, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		r->lookups += lpm16_lookup(lpm16_view(r->l), 0, 0x0a000001) != LPM16_NO_ROUTE;
		rte_rcu_qsbr_quiescent(r->qs, 0);
		usleep(1000);
	}
	rte_rcu_qsbr_thread_offline(r->qs, 0);
	rte_rcu_qsbr_thread_unregister(r->qs, 0);
	return NULL;
}

/*
 * A pool of exactly one group: add a /25 in a wide VRF (the group), delete
 * it (the group waits for readers), add a /25 in another /24: the add must
 * wait for the reader's next quiescent state and succeed, many times over.
 */
static void test_rcu_reuse(void)
{
	static const uint8_t one_wide[1] = {1};
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct reader r = {.qs = rte_zmalloc("lpm16qs", sz, RTE_CACHE_LINE_SIZE)};
	struct erdp_err err;
	struct lpm16 *l;
	pthread_t th;
	unsigned int bad = 0;

	CHECK(r.qs != NULL && rte_rcu_qsbr_init(r.qs, 1) == 0);
	l = lpm16_create("lpm16rcu", 1, one_wide, 1, SOCKET_ID_ANY, r.qs, &err);
	CHECK_MSG(l != NULL, "%s", err.msg);
	if (l == NULL)
		return;
	r.l = l;
	CHECK(pthread_create(&th, NULL, reader_main, &r) == 0);
	while (!__atomic_load_n(&r.online, __ATOMIC_ACQUIRE))
		usleep(1000); /* from here on, every delete must wait for this reader */
	for (uint32_t i = 0; i < 50; i++) {
		uint32_t a = 0x0a000080u + (i << 8); /* 10.0.i.128/25 */

		bad += lpm16_add(l, 0, a, 25, i) != 0;
		bad += lpm16_lookup(lpm16_view(l), 0, a + 1) != i;
		bad += lpm16_del(l, 0, a, 25) != 0;
	}
	CHECK_EQ(bad, 0);
	/* the pool really is one group: two at once do not fit */
	CHECK_EQ(lpm16_add(l, 0, 0x0a000080u, 25, 1), 0);
	CHECK_EQ(lpm16_add(l, 0, 0x0a000180u, 25, 1), -ENOSPC);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	lpm16_free(l);
	rte_free(r.qs);
}

/*
 * A pool used up to its bound still takes what needs no new group: a
 * replacement, and a longer prefix under a group that exists.
 */
static void test_pool_full(void)
{
	static const uint8_t one_wide[1] = {1};
	struct erdp_err err;
	struct lpm16 *l = lpm16_create("lpm16full", 1, one_wide, 2, SOCKET_ID_ANY, NULL, &err);

	CHECK_MSG(l != NULL, "%s", err.msg);
	if (l == NULL)
		return;
	CHECK_EQ(lpm16_add(l, 0, 0x0a000080u, 25, 1), 0);
	CHECK_EQ(lpm16_add(l, 0, 0x0a000180u, 25, 2), 0);
	CHECK_EQ(lpm16_groups_used(l), 2);
	CHECK_EQ(lpm16_add(l, 0, 0x0a000280u, 25, 3), -ENOSPC); /* a third /24: no group left */
	CHECK_EQ(lpm16_add(l, 0, 0x0a000080u, 25, 4), 0);	/* replacement */
	CHECK_EQ(lpm16_add(l, 0, 0x0a0001c0u, 26, 5), 0);	/* under an existing group */
	CHECK_EQ(lpm16_add(l, 0, 0x0a000000u, 8, 6), 0);	/* no group at all */
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a000081u), 4);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a0001c1u), 5);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a000181u), 2);
	CHECK_EQ(lpm16_lookup(lpm16_view(l), 0, 0x0a000281u), 6);
	lpm16_free(l);
}

int main(int argc, char **argv)
{
	struct erdp_err err;
	struct lpm16 *l;
	uint64_t mem_after_first;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	rte_srand(1234);
	l = lpm16_create("lpm16test", VRFS, wide, (uint32_t)lpm16_groups_bound(RULES, RULES),
			 SOCKET_ID_ANY, NULL, &err);
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
	/* Every group goes back when every route does. */
	for (int i = 0; i < RULES; i++)
		if (refs[i].used) {
			CHECK_EQ(lpm16_del(l, refs[i].vrf, refs[i].addr, refs[i].len), 0);
			refs[i].used = 0;
		}
	check_all(l, "all deleted");
	CHECK_EQ(lpm16_groups_used(l), 0);
	test_pool_full();
	test_rcu_reuse();
	lpm16_free(l);
	rte_eal_cleanup();
	TEST_MAIN_END();
}
