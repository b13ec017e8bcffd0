/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/policer, one worker, synthetic clock: exact pass/drop sequences at
 * 1.0x, 1.19x, 1.21x and 2x of the bandwidth, bursts, a clock that wraps,
 * bandwidth changes, enable/disable, bad input, the circuit helpers.
 *
 * The clock ticks in nanoseconds (hz = 1e9) and the bandwidth is 1 Gbps,
 * 0.125 byte per tick, so that the chunks and depths are round numbers
 * (test_params): depth 1,000,000 ticks (1 ms), a take 125,000 ticks worth
 * 15,625 bytes of the commit bucket and 18,750 of the trigger bucket. The
 * expected sequences below are derived from those numbers by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "erdp_policer.h"
#include "unit_test.h"

#define HZ	    1000000000ull /* one tick per nanosecond */
#define GBPS	    1000000ull	  /* kbit/s */
#define BYTES_PER_S 125000000ull  /* 1 Gbps */
#define FRAME	    1000u
#define DEPTH	    1000000ull
#define CHUNK	    125000ull
#define C_CHUNK	    15625u
#define T_CHUNK	    18750u
#define MS	    1000000ull
#define US	    1000ull
#define MAX_PACKETS 2000000u

static struct erdp_policer *mk(uint32_t n_objects)
{
	struct erdp_policer_conf c = {
		.hz = HZ, .n_objects = n_objects, .n_workers = 1, .heap = true};
	struct erdp_err err;
	struct erdp_policer *p = erdp_policer_create(&c, &err);

	if (p == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	return p;
}

static void set(struct erdp_policer *p, uint32_t obj, uint64_t kbps, bool on, uint64_t now)
{
	struct erdp_err err;

	if (erdp_policer_set(p, obj, kbps, on, now, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
}

/* Arrival tick of frame i when FRAME-byte frames are offered at load_pm/1000 of 1 Gbps. */
static uint64_t at(uint64_t i, uint32_t load_pm)
{
	return i * FRAME * 8000 / load_pm;
}

/*
 * Offer frames first..last-1 at load_pm (times shifted by `offset`), store
 * verdicts in v[] (1 = passed) when v is not NULL; return the frames passed.
 */
static uint64_t offer(struct erdp_policer *p, uint32_t obj, uint64_t first, uint64_t last,
		      uint32_t load_pm, uint64_t offset, uint8_t *v)
{
	struct erdp_policer_worker *w = erdp_policer_worker(p, 0);
	uint64_t passed = 0;

	for (uint64_t i = first; i < last; i++) {
		bool ok = erdp_policer_admit(p, w, obj, offset + at(i, load_pm), FRAME);

		passed += ok;
		if (v != NULL)
			v[i] = ok;
	}
	return passed;
}

static bool throttled(struct erdp_policer *p, uint32_t obj, uint64_t now)
{
	struct erdp_policer_state st;

	erdp_policer_get(p, obj, now, &st);
	return st.throttled;
}

static void test_params(void)
{
	struct erdp_policer_conf c = {.hz = HZ, .n_objects = 1, .n_workers = 1, .heap = true};
	struct erdp_policer_params pp;
	struct erdp_policer *p = erdp_policer_create(&c, NULL);

	/* 1 Gbps, 1 worker: depth 1 ms, a take 1/8 of it. */
	erdp_policer_params(p, GBPS, &pp);
	CHECK_EQ(pp.depth_ticks, DEPTH);
	CHECK_EQ(pp.chunk_ticks, CHUNK);
	CHECK_EQ(pp.c_chunk, C_CHUNK);
	CHECK_EQ(pp.t_chunk, T_CHUNK);
	/* 1 Mbps: takes of at least 2048 bytes, and a depth that holds a 64 KiB frame + 2 takes. */
	erdp_policer_params(p, 1000, &pp);
	CHECK_EQ(pp.chunk_ticks, 2048ull * 8000);
	CHECK_EQ(pp.c_chunk, 2048);
	CHECK_EQ(pp.depth_ticks, 65535ull * 8000 + 2 * 2048ull * 8000);
	erdp_policer_free(p);

	/* 100 Gbps on a 2.5 GHz TSC with 4 workers: 1 ms, takes of 1 ms / 32. */
	c.hz = 2500000000ull;
	c.n_workers = 4;
	p = erdp_policer_create(&c, NULL);
	erdp_policer_params(p, 100 * GBPS, &pp);
	CHECK_EQ(pp.depth_ticks, 2500000);
	CHECK_EQ(pp.chunk_ticks, 78125);
	CHECK_EQ(pp.c_chunk, 390625);
	CHECK_EQ(pp.t_chunk, 468750);
	/* 10 Gbps, same: 39,062.5 bytes rounds down (never more than the rate). */
	erdp_policer_params(p, 10 * GBPS, &pp);
	CHECK_EQ(pp.c_chunk, 39062);
	CHECK_EQ(pp.t_chunk, 46875);
	erdp_policer_free(p);
}

/*
 * 2x, worked by hand. Trigger take j (18,750 bytes, 125,000 ticks) happens
 * at frame floor(18.75 j), tick 4000 floor(18.75 j), and succeeds while
 * that is >= 125,000 (j + 1) - 1,000,000: up to j = 17; take 18 at frame
 * 337 (tick 1,348,000) fails: throttled. The commit bucket is full then: it
 * passes frame 337 and its take m at frame 337 + floor(15.625 m) succeeds
 * while 1,348,000 + 4000 floor(15.625 m) >= 473,000 + 125,000 m: up to m =
 * 13. Frame 555 is the first drop (retry at tick 2,223,000), 556 takes the
 * next chunk (15,375 bytes in hand) which lasts to 571, the take at 572
 * fails with 65,000 ticks in the bucket: retry at 2,348,000 = frame 587.
 */
static void expect_2x(const uint8_t *v, uint64_t base)
{
	uint64_t first_drop = ~0ull;

	for (uint64_t i = 0; i < 555; i++)
		if (!v[base + i] && first_drop == ~0ull)
			first_drop = i;
	CHECK_EQ(first_drop, ~0ull);
	CHECK_EQ(v[base + 555], 0);
	for (uint64_t i = 556; i <= 571; i++)
		CHECK_MSG(v[base + i] == 1, "frame %llu", (unsigned long long)i);
	for (uint64_t i = 572; i <= 586; i++)
		CHECK_MSG(v[base + i] == 0, "frame %llu", (unsigned long long)i);
	CHECK_EQ(v[base + 587], 1);
}

static void test_2x_sequence(void)
{
	struct erdp_policer *p = mk(1);
	uint8_t *v = calloc(MAX_PACKETS, 1);
	uint64_t passed;

	set(p, 0, GBPS, true, 0);
	offer(p, 0, 0, 337, 2000, 0, v);
	CHECK(!throttled(p, 0, at(336, 2000)));
	offer(p, 0, 337, 338, 2000, 0, v);
	CHECK(throttled(p, 0, at(337, 2000)));
	offer(p, 0, 338, 1000, 2000, 0, v);
	expect_2x(v, 0);
	/* Steady state: one second of output is one second of bandwidth, within a take. */
	passed = offer(p, 0, 1000, 1000 + 250000, 2000, 0, NULL);
	CHECK_MSG(llabs((long long)(passed * FRAME) - (long long)BYTES_PER_S) <= C_CHUNK + FRAME,
		  "passed %llu bytes in 1 s", (unsigned long long)(passed * FRAME));
	free(v);
	erdp_policer_free(p);
}

/* 1.0x and 1.19x: nothing is ever dropped, the throttle never engages. */
static void test_below_trigger(void)
{
	static const uint32_t loads[] = {1000, 1190};

	for (unsigned int k = 0; k < 2; k++) {
		struct erdp_policer *p = mk(1);
		struct erdp_policer_state st;
		uint64_t n = 10ull * BYTES_PER_S * loads[k] / 1000 / FRAME; /* 10 s */

		set(p, 0, GBPS, true, 0);
		CHECK_EQ(offer(p, 0, 0, n, loads[k], 0, NULL), n);
		erdp_policer_get(p, 0, at(n, loads[k]), &st);
		CHECK_EQ(st.throttle_count, 0);
		erdp_policer_free(p);
	}
}

/* 1.19x in bursts of 32 frames at one tick (one RX burst): still nothing dropped. */
static void test_bursts(void)
{
	struct erdp_policer *p = mk(1);
	struct erdp_policer_worker *w = erdp_policer_worker(p, 0);
	uint64_t passed = 0, n = 0;

	set(p, 0, GBPS, true, 0);
	for (uint64_t b = 0; b < 40000; b++) /* 1.28M frames, 8.6 s */
		for (int i = 0; i < 32; i++, n++)
			passed += erdp_policer_admit(p, w, 0, at(b * 32, 1190), FRAME);
	CHECK_EQ(passed, n);

	/*
	 * A burst larger than the trigger's depth (150,000 bytes) at one instant
	 * exceeds 1.2x at millisecond granularity: the 151st 1000-byte frame
	 * finds the trigger bucket empty, and is still passed by the full commit
	 * bucket, which covers 125 frames before the first drop.
	 */
	set(p, 0, GBPS, false, 9000 * MS);
	set(p, 0, GBPS, true, 9000 * MS);
	passed = 0;
	for (int i = 0; i < 400; i++) {
		passed += erdp_policer_admit(p, w, 0, 9000 * MS, FRAME);
		if (i == 149)
			CHECK(!throttled(p, 0, 9000 * MS));
		if (i == 150)
			CHECK(throttled(p, 0, 9000 * MS));
	}
	CHECK_EQ(passed, 150 + 125);
	erdp_policer_free(p);
}

/*
 * 1.21x: the trigger bucket drains by 1/120 of its rate, so the throttle
 * engages after about (1,000,000 - 125,000) x 120 ticks = 105 ms: at the
 * first take j whose tick at(floor(18.75 j)) is below 125,000 (j + 1) -
 * 1,000,000 (the 2x derivation with 1.21x arrival times). Then output is
 * the bandwidth.
 */
static void test_121(void)
{
	struct erdp_policer *p = mk(1);
	uint8_t *v = calloc(MAX_PACKETS, 1);
	uint64_t j = 1, entry, passed, i;

	while (at(75 * j / 4, 1210) + DEPTH >= CHUNK * (j + 1))
		j++;
	entry = 75 * j / 4;
	CHECK(entry > 15000 && entry < 16500); /* the estimate above: 105 ms */
	set(p, 0, GBPS, true, 0);
	offer(p, 0, 0, entry, 1210, 0, v);
	CHECK(!throttled(p, 0, at(entry - 1, 1210)));
	for (i = 0; i < entry; i++)
		if (!v[i])
			break;
	CHECK_EQ(i, entry);
	offer(p, 0, entry, entry + 1, 1210, 0, v);
	CHECK(throttled(p, 0, at(entry, 1210)));
	/* The commit bucket, full at entry, drains at 0.21x: ~5 ms. Then 1 s at the bandwidth. */
	offer(p, 0, entry + 1, entry + 1 + 10000, 1210, 0, NULL);
	passed = offer(p, 0, entry + 10001, entry + 10001 + 151250, 1210, 0, NULL);
	CHECK_MSG(llabs((long long)(passed * FRAME) - (long long)BYTES_PER_S) <= C_CHUNK + FRAME,
		  "passed %llu bytes in 1 s", (unsigned long long)(passed * FRAME));
	free(v);
	erdp_policer_free(p);
}

/* The 2x sequence with the clock wrapping before and after the trigger: the same verdicts. */
static void test_clock_wrap(void)
{
	static const uint64_t offsets[] = {0ull - 1 * MS, 0ull - 2 * MS, 0ull - 1};
	uint8_t *ref = calloc(5000, 1), *v = calloc(5000, 1);
	struct erdp_policer *p = mk(1);

	set(p, 0, GBPS, true, 0);
	offer(p, 0, 0, 5000, 2000, 0, ref);
	erdp_policer_free(p);
	expect_2x(ref, 0);
	for (unsigned int k = 0; k < 3; k++) {
		p = mk(1);
		set(p, 0, GBPS, true, offsets[k]);
		offer(p, 0, 0, 5000, 2000, offsets[k], v);
		CHECK_MSG(memcmp(v, ref, 5000) == 0, "offset -%llu",
			  (unsigned long long)-offsets[k]);
		erdp_policer_free(p);
	}
	free(ref);
	free(v);
}

/* Longest run of ticks between passed frames in v[from..to), frames at load_pm. */
static uint64_t longest_gap(const uint8_t *v, uint64_t from, uint64_t to, uint32_t load_pm)
{
	uint64_t last = at(from, load_pm), gap = 0;

	for (uint64_t i = from; i < to; i++)
		if (v[i]) {
			if (at(i, load_pm) - last > gap)
				gap = at(i, load_pm) - last;
			last = at(i, load_pm);
		}
	return gap;
}

static uint64_t last_drop(const uint8_t *v, uint64_t from, uint64_t to)
{
	uint64_t d = from;

	for (uint64_t i = from; i < to; i++)
		if (!v[i])
			d = i;
	return d;
}

/*
 * SKU changes under 2 Gbps of offered load. Up 1G -> 10G while throttled:
 * the trigger bucket (12 Gbps now) refills within ~1.6 ms and lifts the
 * throttle; the commit bucket keeps its level in time, so drops go on for at
 * most one take (125 us) and passes never stop. Down 10G -> 1G: the full
 * trigger bucket takes ~1.3 ms to drain, then output is 1 Gbps.
 */
static void test_bandwidth_change(void)
{
	uint8_t *v = calloc(MAX_PACKETS, 1);
	struct erdp_policer *p = mk(1);
	uint64_t change = 25000, passed; /* frame 25,000 = 100 ms at 2x */
	struct erdp_policer_state st;

	set(p, 0, GBPS, true, 0);
	offer(p, 0, 0, change, 2000, 0, v);
	CHECK(throttled(p, 0, at(change, 2000)));
	set(p, 0, 10 * GBPS, true, at(change, 2000));
	erdp_policer_get(p, 0, at(change, 2000), &st);
	CHECK_EQ(st.rate_kbps, 10 * GBPS);
	CHECK(st.throttled);				  /* the state carries over */
	offer(p, 0, change, change + 250000, 2000, 0, v); /* 1 s */
	CHECK(!throttled(p, 0, at(change, 2000) + 2500 * US));
	CHECK_MSG(at(last_drop(v, change, change + 250000), 2000) <= at(change, 2000) + CHUNK,
		  "last drop %llu ticks after the change",
		  (unsigned long long)(at(last_drop(v, change, change + 250000), 2000) -
				       at(change, 2000)));
	CHECK(longest_gap(v, change - 1000, change + 250000, 2000) <= 2 * CHUNK);

	/* Down to 1G at 2 Gbps offered: no drop in the first millisecond, then 1 Gbps. */
	change += 250000;
	set(p, 0, GBPS, true, at(change, 2000));
	offer(p, 0, change, change + 2500, 2000, 0, v); /* 10 ms */
	for (uint64_t i = change; i < change + 250; i++)
		CHECK_MSG(v[i], "frame %llu after the change", (unsigned long long)(i - change));
	CHECK(throttled(p, 0, at(change + 2500, 2000)));
	passed = offer(p, 0, change + 2500, change + 2500 + 250000, 2000, 0, NULL);
	CHECK_MSG(llabs((long long)(passed * FRAME) - (long long)BYTES_PER_S) <= C_CHUNK + FRAME,
		  "passed %llu bytes in 1 s", (unsigned long long)(passed * FRAME));
	free(v);
	erdp_policer_free(p);
}

/* Setting the same state again changes nothing: the 2x sequence is unperturbed. */
static void test_idempotent_set(void)
{
	uint8_t *v = calloc(2000, 1);
	struct erdp_policer *p = mk(1);

	set(p, 0, GBPS, true, 0);
	offer(p, 0, 0, 560, 2000, 0, v);
	set(p, 0, GBPS, true, at(560, 2000));
	offer(p, 0, 560, 2000, 2000, 0, v);
	expect_2x(v, 0);
	free(v);
	erdp_policer_free(p);
}

/*
 * Off: everything passes and the fast path can skip the policer. On: the
 * 2x sequence, from the enable. Off while throttled: the next frame passes.
 * On again: full buckets and no throttle, the same sequence once more.
 */
static void test_enable_disable(void)
{
	uint8_t *v = calloc(MAX_PACKETS, 1);
	struct erdp_policer *p = mk(2);
	struct erdp_policer_state st;

	CHECK(!erdp_policer_active(p));
	CHECK_EQ(offer(p, 0, 0, 10000, 3000, 0, NULL), 10000);
	set(p, 1, GBPS, false, 0); /* off -> off: nothing to do */
	CHECK(!erdp_policer_active(p));

	/* Enable at frame 10,000 of a 2x stream: frames are numbered from there. */
	set(p, 0, GBPS, true, at(10000, 2000));
	CHECK(erdp_policer_active(p));
	offer(p, 0, 10000, 11000, 2000, 0, v);
	expect_2x(v, 10000);
	/* object 1 is off and unaffected */
	CHECK_EQ(offer(p, 1, 10000, 11000, 2000, 0, NULL), 1000);

	set(p, 0, GBPS, false, at(11000, 2000));
	CHECK(!erdp_policer_active(p));
	CHECK_EQ(offer(p, 0, 11000, 12000, 2000, 0, NULL), 1000);
	erdp_policer_get(p, 0, at(12000, 2000), &st);
	CHECK(!st.enabled);
	CHECK_EQ(st.rate_kbps, GBPS); /* kept for the next enable */

	erdp_policer_get(p, 0, at(12000, 2000), &st);
	CHECK(st.throttled); /* as the last frame left it */
	set(p, 0, GBPS, true, at(12000, 2000));
	erdp_policer_get(p, 0, at(12000, 2000), &st);
	CHECK(!st.throttled); /* before any frame */
	CHECK_EQ(st.c_level, 125000);
	CHECK_EQ(st.t_level, 150000);
	memset(v, 0, MAX_PACKETS);
	offer(p, 0, 12000, 13000, 2000, 0, v);
	expect_2x(v, 12000);
	erdp_policer_get(p, 0, at(13000, 2000), &st);
	CHECK_EQ(st.throttle_count, 2);
	free(v);
	erdp_policer_free(p);
}

/* Objects are independent: one throttled does not touch its neighbour. */
static void test_objects_independent(void)
{
	struct erdp_policer *p = mk(4);
	struct erdp_policer_worker *w = erdp_policer_worker(p, 0);
	uint64_t p0 = 0, p1 = 0;

	set(p, 0, GBPS, true, 0);
	set(p, 1, GBPS, true, 0);
	for (uint64_t i = 0; i < 500000; i++) { /* 1 s: object 0 at 2x, object 1 at 1.19x */
		p0 += erdp_policer_admit(p, w, 0, at(i, 2000), FRAME);
		if (i * 1190 / 2000 != (i + 1) * 1190 / 2000) /* 1,190 of every 2,000, evenly */
			p1 += erdp_policer_admit(p, w, 1, at(i, 2000), FRAME);
	}
	CHECK(p0 < 500000 * 6 / 10);
	CHECK_EQ(p1, 500000 / 2000 * 1190);
	erdp_policer_free(p);
}

static void test_bad_input(void)
{
	struct erdp_policer_conf c = {.hz = HZ, .n_objects = 4, .n_workers = 1, .heap = true};
	struct erdp_policer *p;
	struct erdp_err err;

	c.hz = 1000;
	CHECK(erdp_policer_create(&c, &err) == NULL);
	CHECK(err.code == EINVAL && strstr(err.msg, "too coarse") != NULL);
	c.hz = HZ;
	c.n_workers = 0;
	CHECK(erdp_policer_create(&c, &err) == NULL);
	CHECK(strstr(err.msg, "0 workers") != NULL);
	c.n_workers = 1;
	c.depth_us = 1000000;
	CHECK(erdp_policer_create(&c, &err) == NULL);
	CHECK(strstr(err.msg, "depth") != NULL);
	c.depth_us = 0;
	p = erdp_policer_create(&c, &err);
	CHECK(p != NULL);
	CHECK_EQ(erdp_policer_set(p, 4, GBPS, true, 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "object 4 out of range (4 objects)") != NULL);
	CHECK_EQ(erdp_policer_set(p, 0, 0, true, 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "rate 0 kbit/s out of range") != NULL);
	CHECK_EQ(erdp_policer_set(p, 0, ERDP_POLICER_MAX_KBPS + 1, true, 0, &err), -EINVAL);
	CHECK(!erdp_policer_active(p));
	/* A frame beyond the largest one is charged as the largest, never stuck. */
	set(p, 0, GBPS, true, 0);
	CHECK(erdp_policer_admit(p, erdp_policer_worker(p, 0), 0, 0, 200000));
	erdp_policer_free(p);
}

#define CONF_TEXT                                                                                  \
	"port_pair = { encapsulation = \"qinq\"; speed = \"10G\"; };\n"                            \
	"ports = ( { name = \"pri\"; device = \"net_null0\"; role = \"primary\"; },\n"             \
	"  { name = \"sec\"; device = \"net_null1\"; role = \"secondary\"; },\n"                   \
	"  { name = \"gw0\"; device = \"net_null2\"; role = \"gateway\"; } );\n"                   \
	"vrfs = ( { name = \"a\"; }, { name = \"b\"; } );\n"                                       \
	"circuits = (\n"                                                                           \
	"  { name = \"plain\"; s_tag = 100; bandwidth = \"1G\";\n"                                 \
	"    peerings = ( { type = \"private\"; c_tag = 10; vrf = \"a\";\n"                        \
	"      ipv4 = \"10.0.0.0/29\"; peer_asn = 65001; } ); },\n"                                \
	"  { name = \"limited\"; s_tag = 200; bandwidth = \"2G\"; rate_limit = true;\n"            \
	"    peerings = ( { type = \"private\"; c_tag = 10; vrf = \"a\";\n"                        \
	"      ipv4 = \"10.0.1.0/29\"; peer_asn = 65002; },\n"                                     \
	"      { type = \"microsoft\"; c_tag = 20; vrf = \"b\";\n"                                 \
	"      ipv4 = \"198.51.100.0/29\"; peer_asn = 65002; } ); }\n"                             \
	");\n"

/* Count enabled objects and check their rate. */
static uint32_t count_on(struct erdp_policer *p, uint64_t kbps)
{
	uint32_t n = 0;

	for (uint32_t o = 0; o < p->n_objects; o++) {
		struct erdp_policer_state st;

		erdp_policer_get(p, o, 0, &st);
		if (st.enabled) {
			n++;
			CHECK_EQ(st.rate_kbps, kbps);
		}
	}
	return n;
}

/* The config's rate_limit circuits: both peerings x both links x both directions. */
static void test_circuits(void)
{
	struct erdp_config *cfg;
	struct erdp_policer_conf c = {.hz = HZ, .n_workers = 1, .heap = true};
	struct erdp_policer *p;
	struct erdp_err err;
	int lim;

	if (erdp_config_load_string(CONF_TEXT, "t.conf", &cfg, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		CHECK(false);
		return;
	}
	lim = 1;
	CHECK_EQ(erdp_policer_n_objects(cfg), 3 * 2 * 2);
	c.n_objects = erdp_policer_n_objects(cfg);
	p = erdp_policer_create(&c, &err);
	CHECK_EQ(erdp_policer_load_config(p, cfg, 0, &err), 0);
	CHECK_EQ(count_on(p, 2 * GBPS), 8);
	for (uint32_t link = 0; link < ERDP_LINKS; link++)
		for (int t = 0; t < 2; t++) {
			struct erdp_policer_state st;
			uint32_t plink =
				(uint32_t)cfg->circuits[lim].peering[t] * ERDP_LINKS + link;

			erdp_policer_get(p, erdp_policer_obj(plink, ERDP_POLICER_OUT), 0, &st);
			CHECK(st.enabled);
		}
	/* A SKU change, then off. */
	CHECK_EQ(erdp_policer_set_circuit(p, cfg, lim, 5000, true, 0, &err), 0);
	CHECK_EQ(count_on(p, 5 * GBPS), 8);
	/* A refused change leaves the circuit as it was. */
	CHECK_EQ(erdp_policer_set_circuit(p, cfg, lim, 0, true, 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "circuit 'limited': bandwidth 0 Mbps") != NULL);
	CHECK_EQ(count_on(p, 5 * GBPS), 8);
	CHECK_EQ(erdp_policer_set_circuit(p, cfg, 7, 5000, true, 0, &err), -EINVAL);
	CHECK_EQ(erdp_policer_set_circuit(p, cfg, lim, 5000, false, 0, &err), 0);
	CHECK_EQ(count_on(p, 0), 0);
	CHECK(!erdp_policer_active(p));
	erdp_policer_free(p);
	/* A policer too small for the config is refused, not overrun. */
	c.n_objects = 4;
	p = erdp_policer_create(&c, &err);
	CHECK_EQ(erdp_policer_load_config(p, cfg, 0, &err), -EINVAL);
	CHECK(strstr(err.msg, "needs 12") != NULL);
	erdp_policer_free(p);
	erdp_config_free(cfg);
}

int main(void)
{
	test_params();
	test_2x_sequence();
	test_below_trigger();
	test_bursts();
	test_121();
	test_clock_wrap();
	test_bandwidth_change();
	test_idempotent_set();
	test_enable_disable();
	test_objects_independent();
	test_bad_input();
	test_circuits();
	TEST_MAIN_END();
}
