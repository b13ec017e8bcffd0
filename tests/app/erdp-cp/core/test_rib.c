/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RIB unit test: exact operations, longest-prefix match and paging checked
 * against a brute-force model over random routes, through table growth and
 * heavy deletion (the backward-shift delete must keep every key findable);
 * digests and differences between two RIBs (erdpctl verify).
 */
#include <stdlib.h>
#include <string.h>

#include "erdp_ctl_digest.h"
#include "prefix.h"
#include "rib.h"
#include "unit_test.h"

#define N_ROUTES 20000

static struct rib_route model[N_ROUTES];
static bool live[N_ROUTES];

static uint32_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)s;
}

static bool covers(const struct rib_route *r, uint16_t vrf, uint8_t fam, const uint8_t *a)
{
	uint8_t m[16];

	if (r->vrf != vrf || r->family != fam)
		return false;
	memcpy(m, a, 16);
	rib_mask(m, fam, r->len);
	return memcmp(m, r->addr, 16) == 0;
}

static const struct rib_route *brute_lpm(uint16_t vrf, uint8_t fam, const uint8_t *a)
{
	const struct rib_route *best = NULL;

	for (int i = 0; i < N_ROUTES; i++)
		if (live[i] && covers(&model[i], vrf, fam, a) &&
		    (!best || model[i].len > best->len))
			best = &model[i];
	return best;
}

static void test_prefix_parse(void)
{
	struct cp_prefix p;
	char why[200];

	CHECK(prefix_parse("10.1.0.0/16", &p, why, sizeof(why)) == 0 && p.family == 4 &&
	      p.len == 16 && p.addr[0] == 10 && p.addr[1] == 1);
	CHECK(prefix_parse("10.1.2.3/16", &p, why, sizeof(why)) != 0 &&
	      strstr(why, "host bits set (the network is 10.1.0.0/16)") != NULL);
	CHECK(prefix_parse("10.1.0.0/33", &p, why, sizeof(why)) != 0 &&
	      strstr(why, "0..32") != NULL);
	CHECK(prefix_parse("10.1.0.0", &p, why, sizeof(why)) != 0 &&
	      strstr(why, "no /length") != NULL);
	CHECK(prefix_parse("10.1.0/16", &p, why, sizeof(why)) != 0);
	CHECK(prefix_parse("10.1.0.0/", &p, why, sizeof(why)) != 0);
	CHECK(prefix_parse("2001:db8::/32", &p, why, sizeof(why)) == 0 && p.family == 6);
	CHECK(prefix_parse("2001:db8::1/64", &p, why, sizeof(why)) != 0);
	CHECK(prefix_parse("::/0", &p, why, sizeof(why)) == 0 && p.len == 0);
	CHECK(prefix_parse_addr("10.1.2.3", &p, why, sizeof(why)) == 0 && p.len == 32);
	CHECK(prefix_parse_addr("10.1.2.3/32", &p, why, sizeof(why)) != 0);
}

static void random_route(struct rib_route *r)
{
	memset(r, 0, sizeof(*r));
	r->vrf = (uint16_t)(rnd() % 3);
	r->family = rnd() % 4 == 0 ? 6 : 4;
	r->len = (uint8_t)(r->family == 4 ? 8 + rnd() % 25 : 16 + rnd() % 113);
	for (int i = 0; i < 16; i++)
		r->addr[i] = (uint8_t)(i < 2 ? rnd() % 4 : rnd()); /* dense: many overlaps */
	rib_mask(r->addr, r->family, r->len);
	r->nh = rnd();
	r->origin = RIB_ORIGIN_RUNTIME;
}

struct diff_seen {
	unsigned int only_a, only_b, other_nh;
};

static void on_diff(void *arg, const struct rib_route *rt, const uint32_t *a_nh,
		    const uint32_t *b_nh)
{
	struct diff_seen *d = arg;

	(void)rt;
	if (b_nh == NULL)
		d->only_a++;
	else if (a_nh == NULL)
		d->only_b++;
	else if (*a_nh != *b_nh)
		d->other_nh++;
}

/*
 * The digest of a copy built in another order is the same; one route more,
 * less or with another next hop changes it, and rib_diff names each kind.
 */
static void test_digest_diff(const struct rib *rib)
{
	struct rib *copy = rib_create(3);
	struct rib_digest a[3][2], b[3][2];
	struct diff_seen d = {0};
	struct rib_route extra = {.vrf = 1,
				  .family = 4,
				  .len = 32,
				  .addr = {203, 0, 113, 9},
				  .nh = 7,
				  .origin = RIB_ORIGIN_RUNTIME};
	uint64_t sum = 0;
	int changed = -1, gone = -1;

	for (int i = N_ROUTES - 1; i >= 0; i--) /* the other order */
		if (live[i])
			CHECK_EQ(rib_set(copy, &model[i], NULL), RIB_ADDED);
	rib_digests(rib, a);
	rib_digests(copy, b);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	for (int i = 0; i < N_ROUTES; i++)
		if (live[i] && model[i].vrf == 0 && model[i].family == 4)
			sum += erdp_route_digest(0, 4, model[i].len, model[i].addr, model[i].nh);
	CHECK_EQ(a[0][0].sum, sum);
	CHECK_EQ(a[0][0].count, rib_count_vrf(rib, 0, 4));
	for (int i = 0; i < N_ROUTES && (changed < 0 || gone < 0); i++) {
		if (!live[i] || model[i].vrf != 1 || model[i].family != 4)
			continue;
		if (changed < 0)
			changed = i;
		else
			gone = i;
	}
	CHECK(changed >= 0 && gone >= 0);
	if (changed < 0 || gone < 0)
		goto out;
	extra.nh = model[changed].nh ^ 0x10;
	memcpy(extra.addr, model[changed].addr, 16);
	extra.len = model[changed].len;
	CHECK_EQ(rib_set(copy, &extra, NULL), RIB_REPLACED);
	CHECK_EQ(rib_del(copy, 1, 4, model[gone].addr, model[gone].len, NULL), 0);
	extra = (struct rib_route){.vrf = 1,
				   .family = 4,
				   .len = 32,
				   .addr = {203, 0, 113, 9},
				   .nh = 7,
				   .origin = RIB_ORIGIN_RUNTIME};
	if (rib_find(rib, 1, 4, extra.addr, 32) == NULL)
		CHECK_EQ(rib_set(copy, &extra, NULL), RIB_ADDED);
	rib_digests(copy, b);
	CHECK(a[1][0].sum != b[1][0].sum);
	CHECK(memcmp(a[0], b[0], sizeof(a[0])) == 0 && memcmp(a[2], b[2], sizeof(a[2])) == 0);
	CHECK_EQ(rib_diff(rib, copy, 1, 4, on_diff, &d), 3);
	CHECK_EQ(d.only_a, 1);
	CHECK_EQ(d.only_b, 1);
	CHECK_EQ(d.other_nh, 1);
	CHECK_EQ(rib_diff(rib, copy, 0, 4, on_diff, &d), 0);
out:
	rib_free(copy);
}

int main(void)
{
	struct rib *rib = rib_create(3);
	struct rib_route *page = malloc(N_ROUTES * sizeof(*page));
	size_t count = 0;

	test_prefix_parse();
	CHECK(rib != NULL && page != NULL);
	for (int i = 0; i < N_ROUTES; i++) {
		int rc;
		bool dup = false;

		random_route(&model[i]);
		for (int k = 0; k < i && !dup; k++)
			dup = live[k] && model[k].vrf == model[i].vrf &&
			      model[k].family == model[i].family && model[k].len == model[i].len &&
			      memcmp(model[k].addr, model[i].addr, 16) == 0;
		if (dup) {
			model[i].origin = 0; /* not in the model: skipped by the checks */
			continue;
		}
		rc = rib_set(rib, &model[i], NULL);
		CHECK_EQ(rc, RIB_ADDED);
		live[i] = true;
		count++;
	}
	CHECK_EQ(rib_count(rib), count);
	/* Replace keeps the count and says what happened. */
	for (int i = 0; i < N_ROUTES; i++) {
		uint32_t old = 0;

		if (!live[i] || i % 7 != 0)
			continue;
		CHECK_EQ(rib_set(rib, &model[i], &old), RIB_UNCHANGED);
		model[i].nh ^= 1;
		CHECK_EQ(rib_set(rib, &model[i], &old), RIB_REPLACED);
		CHECK_EQ(old, model[i].nh ^ 1);
	}
	CHECK_EQ(rib_count(rib), count);
	/* Delete two thirds; every survivor must still be found. */
	for (int i = 0; i < N_ROUTES; i++) {
		if (!live[i] || i % 3 == 0)
			continue;
		CHECK_EQ(rib_del(rib, model[i].vrf, model[i].family, model[i].addr, model[i].len,
				 NULL),
			 0);
		live[i] = false;
		count--;
	}
	CHECK_EQ(rib_count(rib), count);
	for (int i = 0; i < N_ROUTES; i++) {
		const struct rib_route *r =
			rib_find(rib, model[i].vrf, model[i].family, model[i].addr, model[i].len);

		if (model[i].origin == 0)
			continue;
		CHECK(live[i] ? r != NULL && r->nh == model[i].nh : r == NULL);
	}
	/* Longest-prefix match against the brute-force answer. */
	for (int t = 0; t < 3000; t++) {
		struct rib_route q;
		const struct rib_route *want, *got;

		random_route(&q);
		if (t % 2 == 0) { /* an address inside a known route: a hit is likely */
			const struct rib_route *m = &model[rnd() % N_ROUTES];

			memcpy(q.addr, m->addr, 16);
			q.vrf = m->vrf;
			q.family = m->family;
			q.addr[15] ^= (uint8_t)rnd();
			if (q.family == 4)
				q.addr[3] ^= (uint8_t)rnd();
		}
		if (q.family == 4)
			memset(q.addr + 4, 0, 12);
		want = brute_lpm(q.vrf, q.family, q.addr);
		got = rib_lookup(rib, q.vrf, q.family, q.addr);
		CHECK_MSG((want == NULL) == (got == NULL) &&
				  (want == NULL || (want->len == got->len && want->nh == got->nh)),
			  "lpm %d: want len %d, got len %d", t, want ? want->len : -1,
			  got ? got->len : -1);
	}
	/* Pages of 97 cover each VRF exactly once, in order. */
	for (uint16_t v = 0; v < 3; v++) {
		size_t seen = 0, n;
		struct rib_route last;
		bool first = true;

		do {
			n = rib_page(rib, v, first ? NULL : &last, page, 97);
			for (size_t i = 0; i < n; i++) {
				CHECK(page[i].vrf == v);
				if (i > 0 || !first)
					CHECK(rib_route_cmp(i ? &page[i - 1] : &last, &page[i]) <
					      0);
			}
			if (n > 0)
				last = page[n - 1];
			first = false;
			seen += n;
		} while (n == 97);
		CHECK_EQ(seen, rib_count_vrf(rib, v, 4) + rib_count_vrf(rib, v, 6));
	}
	test_digest_diff(rib);
	free(page);
	rib_free(rib);
	TEST_MAIN_END();
}
