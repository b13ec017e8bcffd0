/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FPM decoder (app/erdp-cp/bgp/fpm.h) on crafted bytes: what zebra sends
 * (IPv4 and IPv6, one gateway, multipath, a delete without next hops, an
 * update as DEL + NEW in one frame), and every malformed shape: truncated
 * and oversized frames and messages, wrong header, wrong family, bad
 * attribute lengths, bad multipath records. A malformed frame reports
 * nothing; then mutated frames by the ten thousand must never crash.
 * Messages are built with libmnl, the library the decoder reads them with.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp/fpm.h"
#include "unit_test.h"

#define MAX_SEEN 16

static struct fpm_route seen[MAX_SEEN];
static int n_seen;

static void on_route(void *arg, const struct fpm_route *r)
{
	(void)arg;
	if (n_seen < MAX_SEEN)
		seen[n_seen] = *r;
	n_seen++;
}

/* A frame under construction: header, then netlink messages. */
struct frame {
	uint8_t b[FPM_FRAME_MAX];
	size_t len;
};

static void frame_start(struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->len = FPM_HDR_LEN;
}

static void frame_end(struct frame *f)
{
	f->b[0] = FPM_VERSION;
	f->b[1] = FPM_TYPE_NETLINK;
	f->b[2] = (uint8_t)(f->len >> 8);
	f->b[3] = (uint8_t)f->len;
}

static struct nlmsghdr *msg_start(struct frame *f, uint16_t type, uint8_t family, uint8_t dst_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->b + f->len);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = FPM_RTPROT_BGP;
	rtm->rtm_type = type == RTM_NEWROUTE ? RTN_UNICAST : 0;
	return nlh;
}

static void msg_end(struct frame *f, struct nlmsghdr *nlh)
{
	f->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int af, const char *s)
{
	uint8_t a[16];

	inet_pton(af, s, a);
	mnl_attr_put(nlh, type, af == AF_INET6 ? 16 : 4, a);
}

/* RTA_MULTIPATH with one record per gateway (ifindex 2, 3, ...). */
static void put_multipath(struct nlmsghdr *nlh, int af, const char *const *gws, int n)
{
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

	for (int i = 0; i < n; i++) {
		struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);

		nlh->nlmsg_len += RTNH_LENGTH(0);
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = 2 + i;
		put_addr(nlh, RTA_GATEWAY, af, gws[i]);
		nh->rtnh_len = (unsigned short)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) -
						(uint8_t *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
}

static int decode(const struct frame *f, struct fpm_counts *c)
{
	size_t len = 0;
	int rc = fpm_frame(f->b, f->len, &len);

	n_seen = 0;
	if (rc != 1)
		return rc == 0 ? -1000 : rc;
	CHECK_EQ(len, f->len);
	return fpm_decode(f->b + FPM_HDR_LEN, len - FPM_HDR_LEN, on_route, NULL, c);
}

static bool gw_is(const struct fpm_route *r, unsigned int i, int af, const char *s)
{
	uint8_t a[16] = {0};

	inet_pton(af, s, a);
	return i < r->n_gw && memcmp(r->gw[i].addr, a, af == AF_INET6 ? 16 : 4) == 0;
}

static struct frame f; /* 64 KiB: not on the stack */

static void test_v4_routes(void)
{
	static const char *const two[] = {"192.168.100.129", "192.168.100.133"};
	struct fpm_counts c = {0};
	struct nlmsghdr *nlh;
	uint8_t want[4] = {10, 10, 0, 0};

	/* multipath over both links */
	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	put_multipath(nlh, AF_INET, two, 2);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK_EQ(n_seen, 1);
	CHECK(seen[0].add && seen[0].family == 4 && seen[0].len == 16);
	CHECK(memcmp(seen[0].addr, want, 4) == 0);
	CHECK_EQ(seen[0].protocol, FPM_RTPROT_BGP);
	CHECK_EQ(seen[0].table, RT_TABLE_MAIN);
	CHECK_EQ(seen[0].n_nexthops, 2);
	CHECK(gw_is(&seen[0], 0, AF_INET, two[0]) && seen[0].gw[0].ifindex == 2);
	CHECK(gw_is(&seen[0], 1, AF_INET, two[1]) && seen[0].gw[1].ifindex == 3);
	CHECK(c.frames == 1 && c.messages == 1 && c.routes == 1);

	/* one link: DEL + NEW in one frame (zebra's update), the DEL without next hops */
	frame_start(&f);
	nlh = msg_start(&f, RTM_DELROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
	msg_end(&f, nlh);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
	put_addr(nlh, RTA_GATEWAY, AF_INET, "192.168.100.133");
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK_EQ(n_seen, 2);
	CHECK(!seen[0].add && seen[0].n_nexthops == 0 && seen[0].n_gw == 0);
	CHECK(seen[1].add && seen[1].n_gw == 1 && gw_is(&seen[1], 0, AF_INET, two[1]));
	CHECK(seen[1].oif == 3 && seen[1].gw[0].ifindex == 3);

	/* a connected route: next hop without gateway, protocol kernel */
	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 30);
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_protocol = RTPROT_KERNEL;
	put_addr(nlh, RTA_DST, AF_INET, "192.168.100.128");
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK(n_seen == 1 && seen[0].protocol == RTPROT_KERNEL && seen[0].n_nexthops == 1 &&
	      seen[0].n_gw == 0 && seen[0].oif == 2);

	/* the default route has no RTA_DST; RTA_TABLE wins over rtm_table; host bits cleared */
	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 0);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	put_addr(nlh, RTA_GATEWAY, AF_INET, two[0]);
	msg_end(&f, nlh);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 8);
	put_addr(nlh, RTA_DST, AF_INET, "10.1.2.3");
	put_addr(nlh, RTA_GATEWAY, AF_INET, two[0]);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK(n_seen == 2 && seen[0].len == 0 && seen[0].table == 1000);
	CHECK(seen[1].addr[0] == 10 && seen[1].addr[1] == 0 && seen[1].addr[3] == 0);
}

static void test_v6_routes(void)
{
	static const char *const two[] = {"2001:db8:100::1", "2001:db8:100::5"};
	struct fpm_counts c = {0};
	struct nlmsghdr *nlh;
	uint8_t want[16] = {0xfd, 0x10, 0, 0x10};

	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET6, 32);
	put_addr(nlh, RTA_DST, AF_INET6, "fd10:10::");
	put_multipath(nlh, AF_INET6, two, 2);
	msg_end(&f, nlh);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET6, 48);
	put_addr(nlh, RTA_DST, AF_INET6, "fd10:20::");
	put_addr(nlh, RTA_GATEWAY, AF_INET6, "fe80::1");
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK_EQ(n_seen, 2);
	CHECK(seen[0].family == 6 && seen[0].len == 32 && memcmp(seen[0].addr, want, 16) == 0);
	CHECK(seen[0].n_gw == 2 && gw_is(&seen[0], 0, AF_INET6, two[0]) &&
	      gw_is(&seen[0], 1, AF_INET6, two[1]));
	CHECK(seen[1].n_gw == 1 && gw_is(&seen[1], 0, AF_INET6, "fe80::1") &&
	      seen[1].gw[0].ifindex == 3);
}

static void test_many_nexthops(void)
{
	static const char *const gws[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
					  "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8",
					  "10.0.0.9", "10.0.0.10"};
	struct fpm_counts c = {0};
	struct nlmsghdr *nlh;

	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 24);
	put_addr(nlh, RTA_DST, AF_INET, "11.0.0.0");
	put_multipath(nlh, AF_INET, gws, 10);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK(n_seen == 1 && seen[0].n_nexthops == 10 && seen[0].n_gw == FPM_MAX_GATEWAYS);
	CHECK(gw_is(&seen[0], 7, AF_INET, "10.0.0.8"));
}

static void test_not_ours(void)
{
	struct fpm_counts c = {0};
	struct nlmsghdr *nlh;

	frame_start(&f);
	/* a next-hop message (zebra with next-hop groups on): skipped */
	nlh = mnl_nlmsg_put_header(f.b + f.len);
	nlh->nlmsg_type = RTM_NEWNEXTHOP;
	mnl_nlmsg_put_extra_header(nlh, 8);
	msg_end(&f, nlh);
	/* an MPLS route (family 28): skipped, even with a 4-byte RTA_DST */
	nlh = msg_start(&f, RTM_NEWROUTE, 28, 20);
	mnl_attr_put_u32(nlh, RTA_DST, 100);
	msg_end(&f, nlh);
	/* a route by next-hop group id only */
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.20.0.0");
	mnl_attr_put_u32(nlh, RTA_NH_ID, 14);
	msg_end(&f, nlh);
	frame_end(&f);
	CHECK_EQ(decode(&f, &c), 0);
	CHECK(c.ignored_type == 1 && c.ignored_family == 1 && c.messages == 3 && c.routes == 1);
	CHECK(n_seen == 1 && seen[0].nh_group && seen[0].n_nexthops == 0);
}

/* A valid two-route frame to damage; returns the offset of the second message. */
static size_t good_frame(void)
{
	struct nlmsghdr *nlh;
	size_t second;

	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
	put_addr(nlh, RTA_GATEWAY, AF_INET, "192.168.100.129");
	msg_end(&f, nlh);
	second = f.len;
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.20.0.0");
	put_addr(nlh, RTA_GATEWAY, AF_INET, "192.168.100.129");
	msg_end(&f, nlh);
	frame_end(&f);
	return second;
}

static void expect_err(int want, const char *what)
{
	struct fpm_counts c = {0};
	int rc = decode(&f, &c);

	CHECK_MSG(rc == -want, "%s: got %d (%s), want -%d (%s)", what, rc, fpm_err_str(rc), want,
		  fpm_err_str(want));
	CHECK_MSG(n_seen == 0, "%s: %d routes reported from a bad frame", what, n_seen);
	CHECK_EQ(c.routes, 0);
}

/* A frame of one route message; destination and gateway when af is not 0. */
static void one_route(uint16_t type, uint8_t family, uint8_t len, int dst_af, const char *dst,
		      int gw_af, const char *gw)
{
	struct nlmsghdr *nlh;

	frame_start(&f);
	nlh = msg_start(&f, type, family, len);
	if (dst_af != 0)
		put_addr(nlh, RTA_DST, dst_af, dst);
	if (gw_af != 0)
		put_addr(nlh, RTA_GATEWAY, gw_af, gw);
	msg_end(&f, nlh);
	frame_end(&f);
}

static struct nlmsghdr *msg_at(size_t off)
{
	return (struct nlmsghdr *)(f.b + off);
}

static void test_framing(void)
{
	size_t len;

	good_frame();
	/* truncated: every shorter prefix of a frame asks for more bytes, never decodes */
	for (size_t n = 0; n < f.len; n++)
		CHECK_EQ(fpm_frame(f.b, n, &len), 0);
	CHECK_EQ(fpm_frame(f.b, f.len, &len), 1);
	CHECK_EQ(len, f.len);
	f.b[0] = 2;
	CHECK_EQ(fpm_frame(f.b, f.len, &len), -FPM_ERR_HEADER);
	f.b[0] = FPM_VERSION;
	f.b[1] = 2;
	CHECK_EQ(fpm_frame(f.b, f.len, &len), -FPM_ERR_HEADER);
	f.b[1] = FPM_TYPE_NETLINK;
	for (unsigned int n = 0; n < FPM_HDR_LEN + sizeof(struct nlmsghdr); n++) {
		f.b[2] = 0;
		f.b[3] = (uint8_t)n;
		CHECK_EQ(fpm_frame(f.b, f.len, &len), -FPM_ERR_FRAME_LENGTH);
	}
}

static void test_malformed(void)
{
	size_t second;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	/* oversized message: the second claims more than the frame holds */
	second = good_frame();
	msg_at(second)->nlmsg_len += 4;
	expect_err(FPM_ERR_NLMSG_LENGTH, "second message longer than the frame");
	second = good_frame();
	msg_at(second)->nlmsg_len = 60000;
	expect_err(FPM_ERR_NLMSG_LENGTH, "second message 60000 bytes");
	/* 2^31 and more: libmnl's own check takes it as negative (signed int) */
	second = good_frame();
	msg_at(second)->nlmsg_len = 0xfffffff0u;
	expect_err(FPM_ERR_NLMSG_LENGTH, "second message 0xfffffff0 bytes");
	second = good_frame();
	msg_at(second)->nlmsg_len = 0x80000000u;
	expect_err(FPM_ERR_NLMSG_LENGTH, "second message 2^31 bytes");
	/* a message length below the netlink header */
	second = good_frame();
	msg_at(second)->nlmsg_len = 8;
	expect_err(FPM_ERR_NLMSG_LENGTH, "message length 8");
	/* trailing bytes after the last message that cannot be a message */
	good_frame();
	f.len += 8;
	frame_end(&f);
	expect_err(FPM_ERR_NLMSG_LENGTH, "8 trailing bytes");
	/* a frame that ends inside the second message: its length runs past the frame */
	second = good_frame();
	f.len = second + 20;
	frame_end(&f);
	expect_err(FPM_ERR_NLMSG_LENGTH, "frame cut inside a message");

	/* route message shorter than struct rtmsg */
	frame_start(&f);
	nlh = mnl_nlmsg_put_header(f.b + f.len);
	nlh->nlmsg_type = RTM_NEWROUTE;
	mnl_nlmsg_put_extra_header(nlh, 8);
	msg_end(&f, nlh);
	frame_end(&f);
	expect_err(FPM_ERR_RTMSG, "rtmsg of 8 bytes");

	/* attribute lengths: past the message, below the attribute header */
	second = good_frame();
	a = mnl_nlmsg_get_payload_offset(msg_at(second), sizeof(struct rtmsg));
	a->nla_len = 200;
	expect_err(FPM_ERR_ATTR, "attribute of 200 bytes in a short message");
	second = good_frame();
	a = mnl_nlmsg_get_payload_offset(msg_at(second), sizeof(struct rtmsg));
	a->nla_len = 2;
	expect_err(FPM_ERR_ATTR, "attribute length 2");
	/* RTA_OIF and RTA_TABLE must be u32 */
	frame_start(&f);
	nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
	put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
	mnl_attr_put_u16(nlh, RTA_OIF, 2);
	msg_end(&f, nlh);
	frame_end(&f);
	expect_err(FPM_ERR_ATTR, "RTA_OIF of 2 bytes");

	/* wrong family for the sizes, lengths that do not fit, a missing destination */
	one_route(RTM_NEWROUTE, AF_INET, 16, AF_INET6, "fd10::", 0, NULL);
	expect_err(FPM_ERR_PREFIX, "IPv4 route with an IPv6 destination");
	one_route(RTM_NEWROUTE, AF_INET6, 64, AF_INET, "10.0.0.0", 0, NULL);
	expect_err(FPM_ERR_PREFIX, "IPv6 route with an IPv4 destination");
	one_route(RTM_NEWROUTE, AF_INET, 33, AF_INET, "10.0.0.0", 0, NULL);
	expect_err(FPM_ERR_PREFIX, "IPv4 /33");
	one_route(RTM_DELROUTE, AF_INET, 16, 0, NULL, 0, NULL);
	expect_err(FPM_ERR_PREFIX, "a /16 without destination");
	one_route(RTM_NEWROUTE, AF_INET, 16, AF_INET, "10.10.0.0", AF_INET6, "2001:db8::1");
	expect_err(FPM_ERR_NEXTHOP, "IPv4 route with an IPv6 gateway");
}

static void test_bad_multipath(void)
{
	static const char *const two[] = {"192.168.100.129", "192.168.100.133"};
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *nh;

	for (int shape = 0; shape < 4; shape++) {
		frame_start(&f);
		nlh = msg_start(&f, RTM_NEWROUTE, AF_INET, 16);
		put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
		mp = mnl_nlmsg_get_payload_tail(nlh);
		put_multipath(nlh, AF_INET, two, 2);
		nh = mnl_attr_get_payload(mp);
		switch (shape) {
		case 0: /* record longer than the attribute */
			nh->rtnh_len = 200;
			break;
		case 1: /* record shorter than struct rtnexthop */
			nh->rtnh_len = 4;
			break;
		case 2: /* the gateway attribute inside runs past its record */
			((struct nlattr *)RTNH_DATA(nh))->nla_len = 40;
			break;
		default: /* a 2-byte gateway */
			((struct nlattr *)RTNH_DATA(nh))->nla_len = 6;
			break;
		}
		msg_end(&f, nlh);
		frame_end(&f);
		expect_err(FPM_ERR_NEXTHOP, "bad multipath record");
	}
}

static uint32_t rnd(void)
{
	static uint64_t s = 0x2545f4914f6cdd1dull;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)s;
}

/*
 * Mutations of valid frames, each decoded: no crash, no read outside the
 * frame, every route reported
 * has a sane family and length. (Build with -Db_sanitize=address to have
 * out-of-bounds reads caught too.)
 */
static void test_mutations(void)
{
	static const char *const two[] = {"192.168.100.129", "192.168.100.133"};
	unsigned int bad = 0, ok = 0;

	for (int it = 0; it < 20000; it++) {
		struct fpm_counts c = {0};
		struct nlmsghdr *nlh;
		size_t len;
		uint8_t *copy;
		int rc;

		frame_start(&f);
		nlh = msg_start(&f, RTM_DELROUTE, AF_INET, 16);
		put_addr(nlh, RTA_DST, AF_INET, "10.10.0.0");
		msg_end(&f, nlh);
		nlh = msg_start(&f, RTM_NEWROUTE, it % 2 ? AF_INET : AF_INET6, 16);
		put_addr(nlh, RTA_DST, it % 2 ? AF_INET : AF_INET6, it % 2 ? "10.10.0.0" : "fd::");
		put_multipath(nlh, AF_INET, two, 2);
		msg_end(&f, nlh);
		frame_end(&f);
		for (int k = 1 + (int)(rnd() % 4); k > 0; k--) {
			size_t at = rnd() % f.len;

			f.b[at] = (uint8_t)(rnd() % 3 == 0 ? 0xff : rnd());
		}
		if (rnd() % 4 == 0)
			f.len = rnd() % f.len + 1;
		/* the decoder gets exactly the frame's bytes, in a buffer of that size */
		copy = malloc(f.len);
		memcpy(copy, f.b, f.len);
		rc = fpm_frame(copy, f.len, &len);
		n_seen = 0;
		if (rc == 1)
			rc = fpm_decode(copy + FPM_HDR_LEN, len - FPM_HDR_LEN, on_route, NULL, &c);
		free(copy);
		if (rc < 0) {
			bad++;
			CHECK(n_seen == 0);
			CHECK(strcmp(fpm_err_str(rc), "?") != 0);
			continue;
		}
		ok++;
		for (int i = 0; i < n_seen && i < MAX_SEEN; i++)
			CHECK((seen[i].family == 4 && seen[i].len <= 32) ||
			      (seen[i].family == 6 && seen[i].len <= 128));
	}
	printf("mutations: %u decoded, %u refused\n", ok, bad);
	CHECK(bad > 0 && ok > 0);
}

int main(void)
{
	test_v4_routes();
	test_v6_routes();
	test_many_nexthops();
	test_not_ours();
	test_framing();
	test_malformed();
	test_bad_multipath();
	test_mutations();
	TEST_MAIN_END();
}
