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

static void test_qinq(void)
{
	uint8_t f[128];
	struct erdp_tags t;
	uint16_t tp[3] = {0x8100, 0x8100, 0x8100}, vid[3] = {100, 200, 300};
	uint32_t len;

	/* Two tags with each accepted outer TPID. */
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &only_8100, &t), 0);
	CHECK_EQ(t.outer_vid, 100);
	CHECK_EQ(t.inner_vid, 200);
	CHECK_EQ(t.etype, 0x0800);
	CHECK_EQ(t.l3_off, 22);
	tp[0] = 0x88a8;
	len = frame(f, 2, tp, vid, 0x86dd);
	CHECK_EQ(erdp_parse_qinq(f, len, &only_8100, &t), ERDP_DROP_TPID);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), 0);
	CHECK_EQ(t.etype, 0x86dd);
	/* 0x9100 outer not configured: rejected as a TPID, not as untagged. */
	tp[0] = 0x9100;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_TPID);
	/* Inner tag must be 0x8100. */
	tp[0] = 0x8100;
	tp[1] = 0x88a8;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_TPID);
	tp[1] = 0x8100;
	/* Untagged, one tag, three tags. */
	len = frame(f, 0, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_UNTAGGED);
	len = frame(f, 0, tp, vid, 0x0806); /* untagged ARP is untagged too */
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_UNTAGGED);
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_TAG_COUNT);
	len = frame(f, 3, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_TAG_COUNT);
	/* VID 0 outer = priority tag = untagged; VID 4095 reserved; inner VID 0 invalid. */
	vid[0] = 0;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_UNTAGGED);
	vid[0] = 4095;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_VLAN_INVALID);
	vid[0] = 100;
	vid[1] = 0;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_VLAN_INVALID);
	vid[1] = 4095;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), ERDP_DROP_VLAN_INVALID);
	/* VID 1 and 4094 are valid at both levels; PCP bits (7) never matter. */
	vid[0] = 1;
	vid[1] = 4094;
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_qinq(f, len, &both, &t), 0);
	CHECK_EQ(t.outer_vid, 1);
	CHECK_EQ(t.inner_vid, 4094);
}

static void test_dot1q(void)
{
	uint8_t f[128];
	struct erdp_tags t;
	uint16_t tp[3] = {0x8100, 0x8100, 0x8100}, vid[3] = {300, 200, 100};
	uint32_t len;

	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &only_8100, &t), 0);
	CHECK_EQ(t.outer_vid, 300);
	CHECK_EQ(t.l3_off, 18);
	CHECK_EQ(t.etype, 0x0800);
	len = frame(f, 0, tp, vid, 0x86dd);
	CHECK_EQ(erdp_parse_dot1q(f, len, &only_8100, &t), ERDP_DROP_UNTAGGED);
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &only_8100, &t), ERDP_DROP_TAG_COUNT);
	len = frame(f, 3, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &only_8100, &t), ERDP_DROP_TAG_COUNT);
	tp[0] = 0x88a8;
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &only_8100, &t), ERDP_DROP_TPID);
	CHECK_EQ(erdp_parse_dot1q(f, len, &both, &t), 0);
	tp[0] = 0x8100;
	vid[0] = 0;
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &both, &t), ERDP_DROP_UNTAGGED);
	vid[0] = 4095;
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_dot1q(f, len, &both, &t), ERDP_DROP_VLAN_INVALID);
	/* Non-IP payload is not the parser's business: it reports the EtherType. */
	vid[0] = 10;
	len = frame(f, 1, tp, vid, 0x88cc);
	CHECK_EQ(erdp_parse_dot1q(f, len, &both, &t), 0);
	CHECK_EQ(t.etype, 0x88cc);
}

static void test_gateway(void)
{
	uint8_t f[128];
	struct erdp_tags t;
	uint16_t tp[2] = {0x8100, 0x8100}, vid[2] = {10, 20};
	uint32_t len;

	len = frame(f, 0, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_gateway(f, len, &t), 0);
	CHECK_EQ(t.outer_vid, 0);
	CHECK_EQ(t.l3_off, 14);
	len = frame(f, 1, tp, vid, 0x86dd);
	CHECK_EQ(erdp_parse_gateway(f, len, &t), 0);
	CHECK_EQ(t.outer_vid, 10);
	CHECK_EQ(t.l3_off, 18);
	CHECK_EQ(t.etype, 0x86dd);
	len = frame(f, 2, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_gateway(f, len, &t), ERDP_DROP_TAG_COUNT);
	tp[0] = 0x88a8;
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_gateway(f, len, &t), ERDP_DROP_TPID);
	/* Priority-tagged frame on a gateway port: VID 0, i.e. untagged. */
	tp[0] = 0x8100;
	vid[0] = 0;
	len = frame(f, 1, tp, vid, 0x0800);
	CHECK_EQ(erdp_parse_gateway(f, len, &t), 0);
	CHECK_EQ(t.outer_vid, 0);
	CHECK_EQ(t.l3_off, 18);
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
	test_qinq();
	test_dot1q();
	test_gateway();
	test_truncation();
	TEST_MAIN_END();
}
