/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tag parsing: every frame shape a port can see, in each mode, and every
 * truncation point of the header.
 */
#include <stdint.h>
#include <string.h>

#include "erdp_tags.h"
#include "unit_test.h"

/* Build dst/src + tags (tpid[i], vid[i] with PCP 7 to prove PCP is ignored) + etype. */
static uint32_t frame(uint8_t *f, int n, const uint16_t *tpid, const uint16_t *vid, uint16_t etype)
{
	uint32_t o = 12;

	memset(f, 0xaa, 128);
	for (int i = 0; i < n; i++) {
		f[o] = (uint8_t)(tpid[i] >> 8);
		f[o + 1] = (uint8_t)tpid[i];
		f[o + 2] = (uint8_t)(0xe0 | ((vid[i] >> 8) & 0x0f)); /* PCP 7 */
		f[o + 3] = (uint8_t)vid[i];
		o += 4;
	}
	f[o] = (uint8_t)(etype >> 8);
	f[o + 1] = (uint8_t)etype;
	return o + 2 + 20; /* + an IPv4-sized payload */
}

static const struct erdp_tpid_set only_8100 = {.n = 1, .tpid = {0x8100}};
static const struct erdp_tpid_set both = {.n = 2, .tpid = {0x8100, 0x88a8}};

enum mode { QINQ, DOT1Q, GATEWAY };

/* One frame shape, the parser it goes through, and what the parser must say. */
struct tag_case {
	const char *name;
	enum mode mode;
	const struct erdp_tpid_set *outer; /* accepted outer TPIDs (not used by GATEWAY) */
	int n_tags;
	uint16_t tpid[3];
	uint16_t vid[3];
	uint16_t etype;
	int rc; /* 0 or the drop reason */
	/* when rc == 0: */
	uint16_t outer_vid, inner_vid, l3_off;
};

#define Q  0x8100 /* 802.1Q */
#define AD 0x88a8 /* 802.1ad */

static const struct tag_case cases[] = {
	/* QinQ: exactly two tags, outer TPID from the set, inner 0x8100. */
	{"qinq", QINQ, &only_8100, 2, {Q, Q}, {100, 200}, 0x0800, 0, 100, 200, 22},
	{"qinq 88a8 outer not accepted",
	 QINQ,
	 &only_8100,
	 2,
	 {AD, Q},
	 {100, 200},
	 0x86dd,
	 ERDP_DROP_TPID},
	{"qinq 88a8 outer accepted", QINQ, &both, 2, {AD, Q}, {100, 200}, 0x86dd, 0, 100, 200, 22},
	{"qinq 9100 outer: a TPID, not untagged",
	 QINQ,
	 &both,
	 2,
	 {0x9100, Q},
	 {100, 200},
	 0x0800,
	 ERDP_DROP_TPID},
	{"qinq inner must be 8100", QINQ, &both, 2, {Q, AD}, {100, 200}, 0x0800, ERDP_DROP_TPID},
	{"qinq untagged", QINQ, &both, 0, {Q}, {100}, 0x0800, ERDP_DROP_UNTAGGED},
	{"qinq untagged arp", QINQ, &both, 0, {Q}, {100}, 0x0806, ERDP_DROP_UNTAGGED},
	{"qinq one tag", QINQ, &both, 1, {Q}, {100}, 0x0800, ERDP_DROP_TAG_COUNT},
	{"qinq three tags",
	 QINQ,
	 &both,
	 3,
	 {Q, Q, Q},
	 {100, 200, 300},
	 0x0800,
	 ERDP_DROP_TAG_COUNT},
	{"qinq outer vid 0 = priority tag = untagged",
	 QINQ,
	 &both,
	 2,
	 {Q, Q},
	 {0, 200},
	 0x0800,
	 ERDP_DROP_UNTAGGED},
	{"qinq outer vid 4095",
	 QINQ,
	 &both,
	 2,
	 {Q, Q},
	 {4095, 200},
	 0x0800,
	 ERDP_DROP_VLAN_INVALID},
	{"qinq inner vid 0", QINQ, &both, 2, {Q, Q}, {100, 0}, 0x0800, ERDP_DROP_VLAN_INVALID},
	{"qinq inner vid 4095",
	 QINQ,
	 &both,
	 2,
	 {Q, Q},
	 {100, 4095},
	 0x0800,
	 ERDP_DROP_VLAN_INVALID},
	{"qinq vids 1 and 4094 (PCP 7 ignored)",
	 QINQ,
	 &both,
	 2,
	 {Q, Q},
	 {1, 4094},
	 0x0800,
	 0,
	 1,
	 4094,
	 22},
	/* Dot1Q: exactly one tag. */
	{"dot1q", DOT1Q, &only_8100, 1, {Q}, {300}, 0x0800, 0, 300, 0, 18},
	{"dot1q untagged", DOT1Q, &only_8100, 0, {Q}, {300}, 0x86dd, ERDP_DROP_UNTAGGED},
	{"dot1q two tags", DOT1Q, &only_8100, 2, {Q, Q}, {300, 200}, 0x0800, ERDP_DROP_TAG_COUNT},
	{"dot1q three tags",
	 DOT1Q,
	 &only_8100,
	 3,
	 {Q, Q, Q},
	 {300, 200, 100},
	 0x0800,
	 ERDP_DROP_TAG_COUNT},
	{"dot1q 88a8 not accepted", DOT1Q, &only_8100, 1, {AD}, {300}, 0x0800, ERDP_DROP_TPID},
	{"dot1q 88a8 accepted", DOT1Q, &both, 1, {AD}, {300}, 0x0800, 0, 300, 0, 18},
	{"dot1q vid 0", DOT1Q, &both, 1, {Q}, {0}, 0x0800, ERDP_DROP_UNTAGGED},
	{"dot1q vid 4095", DOT1Q, &both, 1, {Q}, {4095}, 0x0800, ERDP_DROP_VLAN_INVALID},
	/* Non-IP payload is not the parser's business: it reports the EtherType. */
	{"dot1q lldp", DOT1Q, &both, 1, {Q}, {10}, 0x88cc, 0, 10, 0, 18},
	/* Gateway ports: untagged or one 802.1Q tag; a priority tag is untagged. */
	{"gateway untagged", GATEWAY, NULL, 0, {Q}, {10}, 0x0800, 0, 0, 0, 14},
	{"gateway one tag", GATEWAY, NULL, 1, {Q}, {10}, 0x86dd, 0, 10, 0, 18},
	{"gateway two tags", GATEWAY, NULL, 2, {Q, Q}, {10, 20}, 0x0800, ERDP_DROP_TAG_COUNT},
	{"gateway 88a8", GATEWAY, NULL, 1, {AD}, {10}, 0x0800, ERDP_DROP_TPID},
	{"gateway priority tag", GATEWAY, NULL, 1, {Q}, {0}, 0x0800, 0, 0, 0, 18},
};

static int parse(const struct tag_case *c, const uint8_t *f, uint32_t len, struct erdp_tags *t)
{
	switch (c->mode) {
	case QINQ:
		return erdp_parse_qinq(f, len, c->outer, t);
	case DOT1Q:
		return erdp_parse_dot1q(f, len, c->outer, t);
	default:
		return erdp_parse_gateway(f, len, t);
	}
}

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tag_case *c = &cases[i];
		uint8_t f[128];
		struct erdp_tags t;
		uint32_t len = frame(f, c->n_tags, c->tpid, c->vid, c->etype);
		int rc = parse(c, f, len, &t);

		CHECK_MSG(rc == c->rc, "%s: %d, want %d", c->name, rc, c->rc);
		if (rc != 0 || c->rc != 0)
			continue;
		CHECK_MSG(t.outer_vid == c->outer_vid && t.inner_vid == c->inner_vid &&
				  t.l3_off == c->l3_off && t.etype == c->etype,
			  "%s: vids %u/%u l3 at %u etype %#x", c->name, t.outer_vid, t.inner_vid,
			  t.l3_off, t.etype);
	}
}

/* Truncating a valid frame anywhere inside its L2 header never reads past the end. */
static void test_truncation(void)
{
	uint8_t full[128], cut[128];
	struct erdp_tags t;
	uint16_t tp[2] = {0x8100, 0x8100}, vid[2] = {100, 200};
	uint32_t l2;

	frame(full, 2, tp, vid, 0x0800);
	l2 = 22;
	for (uint32_t len = 0; len < l2; len++) {
		int rc;

		/* Copy only `len` bytes into a poisoned buffer: bytes beyond are garbage TPIDs. */
		memset(cut, 0x81, sizeof(cut));
		memcpy(cut, full, len);
		rc = erdp_parse_qinq(cut, len, &both, &t);
		CHECK_MSG(rc == ERDP_DROP_TRUNCATED, "qinq len %u -> %d", len, rc);
	}
	CHECK_EQ(erdp_parse_qinq(full, l2, &both, &t), 0);
	frame(full, 1, tp, vid, 0x0800);
	for (uint32_t len = 0; len < 18; len++) {
		memset(cut, 0x81, sizeof(cut));
		memcpy(cut, full, len);
		CHECK_MSG(erdp_parse_dot1q(cut, len, &both, &t) == ERDP_DROP_TRUNCATED,
			  "dot1q len %u", len);
		CHECK_MSG(erdp_parse_gateway(cut, len, &t) == ERDP_DROP_TRUNCATED, "gateway len %u",
			  len);
	}
	CHECK_EQ(erdp_parse_dot1q(full, 18, &both, &t), 0);
}

int main(void)
{
	test_cases();
	test_truncation();
	TEST_MAIN_END();
}
