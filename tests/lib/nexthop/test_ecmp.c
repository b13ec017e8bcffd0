/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow hash symmetry and resilient ECMP bucket tables. */
#include <stdbool.h>

#include <rte_cycles.h>

#include "erdp_ecmp.h"
#include "fib_test_util.h"
#include "unit_test.h"

#define N_FLOWS 10000

struct flow {
	uint8_t v4[28];
	uint8_t v6[48];
};

static void mk4(uint8_t *p, uint32_t s, uint32_t d, uint8_t proto, uint16_t sp, uint16_t dp,
		uint16_t frag)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	p[20] = (uint8_t)(sp >> 8);
	p[21] = (uint8_t)sp;
	p[22] = (uint8_t)(dp >> 8);
	p[23] = (uint8_t)dp;
}

static void mk6(uint8_t *p, const uint8_t s[16], const uint8_t d[16], uint8_t nxt, uint16_t sp,
		uint16_t dp)
{
	memset(p, 0, 48);
	p[0] = 0x60;
	p[6] = nxt;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
	p[40] = (uint8_t)(sp >> 8);
	p[41] = (uint8_t)sp;
	p[42] = (uint8_t)(dp >> 8);
	p[43] = (uint8_t)dp;
}

static void rnd16(uint64_t *seed, uint8_t a[16])
{
	uint64_t x = rnd64(seed), y = rnd64(seed);

	memcpy(a, &x, 8);
	memcpy(a + 8, &y, 8);
}

static void test_symmetry(void)
{
	static const uint8_t protos[] = {6, 17, 132, 1, 47};
	uint64_t seed = 1;
	uint8_t a[48], b[48], s6[16], d6[16];
	int i, k;

	for (i = 0; i < 1000; i++) {
		uint32_t s = (uint32_t)rnd64(&seed), d = (uint32_t)rnd64(&seed);
		uint16_t sp = (uint16_t)rnd64(&seed), dp = (uint16_t)rnd64(&seed);

		rnd16(&seed, s6);
		rnd16(&seed, d6);
		for (k = 0; k < 5; k++) {
			mk4(a, s, d, protos[k], sp, dp, 0);
			mk4(b, d, s, protos[k], dp, sp, 0);
			CHECK_EQ(erdp_flow_hash4(a, 28), erdp_flow_hash4(b, 28));
			mk6(a, s6, d6, protos[k], sp, dp);
			mk6(b, d6, s6, protos[k], dp, sp);
			CHECK_EQ(erdp_flow_hash6(a, 48), erdp_flow_hash6(b, 48));
		}
		/* IPv6 peers in one /64: the order is decided by the low 64 bits */
		memcpy(d6, s6, 8);
		mk6(a, s6, d6, 6, sp, dp);
		mk6(b, d6, s6, 6, dp, sp);
		CHECK_EQ(erdp_flow_hash6(a, 48), erdp_flow_hash6(b, 48));
		/* fragments: first (MF), middle and last hash like each other, both ways */
		mk4(a, s, d, 17, sp, dp, 0x2000);
		mk4(b, d, s, 17, 1, 2, 0x0010);
		CHECK_EQ(erdp_flow_hash4(a, 28), erdp_flow_hash4(b, 28));
		mk4(b, s, d, 17, 3, 4, 0x2020);
		CHECK_EQ(erdp_flow_hash4(a, 28), erdp_flow_hash4(b, 28));
		mk6(a, s6, d6, 44, sp, dp);
		mk6(b, d6, s6, 44, 5, 6);
		CHECK_EQ(erdp_flow_hash6(a, 48), erdp_flow_hash6(b, 48));
	}
	/* ports matter for TCP, not for ICMP; truncated L4 falls back to 3-tuple */
	mk4(a, 1, 2, 6, 10, 20, 0);
	mk4(b, 1, 2, 6, 10, 21, 0);
	CHECK(erdp_flow_hash4(a, 28) != erdp_flow_hash4(b, 28));
	mk4(a, 1, 2, 1, 10, 20, 0);
	mk4(b, 1, 2, 1, 10, 21, 0);
	CHECK_EQ(erdp_flow_hash4(a, 28), erdp_flow_hash4(b, 28));
	mk4(a, 1, 2, 6, 10, 20, 0);
	mk4(b, 1, 2, 6, 10, 21, 0);
	CHECK_EQ(erdp_flow_hash4(a, 22), erdp_flow_hash4(b, 22));
	CHECK_EQ(erdp_flow_hash4(a, 10), 0);
	CHECK_EQ(erdp_flow_hash6(a, 39), 0);
	/* two flows between the same /64's hosts differ when a low word differs */
	memset(s6, 0x20, 16);
	memset(d6, 0x20, 16);
	s6[15] = 1;
	d6[15] = 2;
	mk6(a, s6, d6, 6, 10, 20);
	d6[15] = 3;
	mk6(b, s6, d6, 6, 10, 20);
	CHECK(erdp_flow_hash6(a, 48) != erdp_flow_hash6(b, 48));
}

static void flows(struct flow *f, int n)
{
	uint64_t seed = 42;
	uint8_t s6[16], d6[16];

	for (int i = 0; i < n; i++) {
		uint32_t r = (uint32_t)rnd64(&seed);

		mk4(f[i].v4, (uint32_t)rnd64(&seed), (uint32_t)rnd64(&seed), r & 1 ? 6 : 17,
		    (uint16_t)(r >> 8), (uint16_t)(r >> 20), 0);
		rnd16(&seed, s6);
		rnd16(&seed, d6);
		mk6(f[i].v6, s6, d6, 6, (uint16_t)(r >> 8), (uint16_t)(r >> 20));
	}
}

/* Each member within +/-tol of the mean (fixed seed: deterministic result). */
static void test_distribution(const struct flow *f, unsigned int n, double tol)
{
	bool up[ERDP_ECMP_MAX_MEMBERS];
	unsigned int cnt4[ERDP_ECMP_MAX_MEMBERS] = {0}, cnt6[ERDP_ECMP_MAX_MEMBERS] = {0};
	struct erdp_ecmp t;
	double mean = (double)N_FLOWS / n;
	unsigned int i;

	for (i = 0; i < n; i++)
		up[i] = true;
	erdp_ecmp_build(&t, n, up);
	for (i = 0; i < N_FLOWS; i++) {
		cnt4[erdp_ecmp_select(&t, erdp_flow_hash4(f[i].v4, 28))]++;
		cnt6[erdp_ecmp_select(&t, erdp_flow_hash6(f[i].v6, 48))]++;
	}
	for (i = 0; i < n; i++) {
		CHECK_MSG(cnt4[i] > mean * (1 - tol) && cnt4[i] < mean * (1 + tol),
			  "v4 n=%u member %u: %u flows, mean %.0f", n, i, cnt4[i], mean);
		CHECK_MSG(cnt6[i] > mean * (1 - tol) && cnt6[i] < mean * (1 + tol),
			  "v6 n=%u member %u: %u flows, mean %.0f", n, i, cnt6[i], mean);
	}
}

static void test_resilience(const struct flow *f)
{
	bool up[4] = {true, true, true, true};
	struct erdp_ecmp t0, t1, t2;
	unsigned int i, moved = 0, on1 = 0;

	erdp_ecmp_build(&t0, 4, up);
	up[1] = false;
	erdp_ecmp_build(&t1, 4, up);
	CHECK_EQ(t1.n_up, 3);
	for (i = 0; i < N_FLOWS; i++) {
		uint32_t h = erdp_flow_hash4(f[i].v4, 28);
		uint8_t m0 = erdp_ecmp_select(&t0, h), m1 = erdp_ecmp_select(&t1, h);

		CHECK(m1 != 1 && m1 < 4);
		if (m0 != 1)
			CHECK_EQ(m0, m1);
		on1 += m0 == 1;
		moved += m0 != m1;
	}
	CHECK_EQ(moved, on1);
	CHECK_MSG(moved > N_FLOWS * 20 / 100 && moved < N_FLOWS * 30 / 100, "moved %u", moved);
	/* the downed member's buckets spread over all three others */
	unsigned int got[4] = {0};

	for (i = 0; i < ERDP_ECMP_BUCKETS; i++)
		if (t0.bucket[i] == 1)
			got[t1.bucket[i]]++;
	/* ... evenly: each of the three gets a third of the downed member's quarter, +-1 */
	for (i = 0; i < 4; i++)
		if (i != 1)
			CHECK_MSG(got[i] + 1 >= ERDP_ECMP_BUCKETS / 4 / 3 &&
					  got[i] <= ERDP_ECMP_BUCKETS / 4 / 3 + 1,
				  "member %u got %u of the downed member's buckets", i, got[i]);
	up[0] = up[1] = up[2] = up[3] = false;
	erdp_ecmp_build(&t2, 4, up);
	CHECK_EQ(t2.n_up, 0);
	CHECK_EQ(erdp_ecmp_select(&t2, 12345), ERDP_ECMP_NONE);
	up[0] = up[1] = up[2] = up[3] = true;
	erdp_ecmp_build(&t2, 4, up);
	CHECK(memcmp(&t0, &t2, sizeof(t0)) == 0);
}

int main(void)
{
	static struct flow f[N_FLOWS];
	static const unsigned int ns[] = {2, 3, 4, 8, 16};
	unsigned int i;
	uint64_t t0, cyc;
	volatile uint32_t sink = 0;

	test_symmetry();
	flows(f, N_FLOWS);
	for (i = 0; i < 5; i++)
		test_distribution(f, ns[i], ns[i] <= 4 ? 0.08 : 0.15);
	test_resilience(f);
	t0 = rte_rdtsc();
	for (i = 0; i < N_FLOWS; i++)
		sink += erdp_flow_hash4(f[i].v4, 28) + erdp_flow_hash6(f[i].v6, 48);
	cyc = rte_rdtsc() - t0;
	printf("flow hash v4+v6: %.1f cycles per pair (TSC)\n", (double)cyc / N_FLOWS);
	TEST_MAIN_END();
}
