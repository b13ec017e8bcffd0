/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FPM frames and their netlink route messages (fpm.h). Every length is
 * checked against what contains it before anything is read through it:
 * the frame against the buffer, each message against the frame, each
 * attribute against its message, each multipath record against its
 * attribute. A frame is decoded twice, first without reporting (to find
 * an error anywhere), then reporting, so that a frame is all or nothing.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "fpm.h"

static const char *const err_names[FPM_ERR_COUNT] = {
	[FPM_OK] = "ok",
	[FPM_ERR_HEADER] = "header",
	[FPM_ERR_FRAME_LENGTH] = "frame_length",
	[FPM_ERR_NLMSG_LENGTH] = "nlmsg_length",
	[FPM_ERR_RTMSG] = "rtmsg",
	[FPM_ERR_ATTR] = "attribute_length",
	[FPM_ERR_PREFIX] = "prefix",
	[FPM_ERR_NEXTHOP] = "nexthop",
};

const char *fpm_err_str(int err)
{
	if (err < 0)
		err = -err;
	return err < FPM_ERR_COUNT ? err_names[err] : "?";
}

int fpm_frame(const uint8_t *buf, size_t have, size_t *len)
{
	size_t n;

	if (have < FPM_HDR_LEN)
		return 0;
	if (buf[0] != FPM_VERSION || buf[1] != FPM_TYPE_NETLINK)
		return -FPM_ERR_HEADER;
	n = (size_t)buf[2] << 8 | buf[3];
	if (n < FPM_HDR_LEN + sizeof(struct nlmsghdr))
		return -FPM_ERR_FRAME_LENGTH;
	if (have < n)
		return 0;
	*len = n;
	return 1;
}

static unsigned int addr_size(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

/*
 * Walk the attributes in [start, start + size): each must fit what is left
 * (libmnl's mnl_attr_ok); fn sees each one. 0 or -FPM_ERR_*.
 */
static int attr_walk(const void *start, int size, int (*fn)(const struct nlattr *, void *),
		     void *arg)
{
	const struct nlattr *a = start;
	int left = size;

	while (left > 0) {
		int rc;

		if (!mnl_attr_ok(a, left))
			return -FPM_ERR_ATTR;
		rc = fn(a, arg);
		if (rc != 0)
			return rc;
		left -= (int)MNL_ALIGN(a->nla_len); /* the last one may lack its padding */
		a = mnl_attr_next(a);
	}
	return 0;
}

/* A u32 attribute, size checked by libmnl. */
static int get_u32(const struct nlattr *a, uint32_t *out)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -FPM_ERR_ATTR;
	*out = mnl_attr_get_u32(a);
	return 0;
}

/* Keep one next hop's gateway (if it has one) and count it. */
static int add_nexthop(struct fpm_route *r, const struct nlattr *gw, uint32_t ifindex)
{
	r->n_nexthops++;
	if (gw == NULL)
		return 0;
	if (mnl_attr_get_payload_len(gw) != addr_size(r->family))
		return -FPM_ERR_NEXTHOP;
	if (r->n_gw < FPM_MAX_GATEWAYS) {
		memcpy(r->gw[r->n_gw].addr, mnl_attr_get_payload(gw), addr_size(r->family));
		r->gw[r->n_gw].ifindex = ifindex;
		r->n_gw++;
	}
	return 0;
}

static int nh_attr(const struct nlattr *a, void *arg)
{
	const struct nlattr **gw = arg;

	if (mnl_attr_get_type(a) == RTA_GATEWAY)
		*gw = a;
	return 0;
}

/* RTA_MULTIPATH: rtnexthop records, each with its own attributes. */
static int multipath(struct fpm_route *r, const struct nlattr *mp)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int left = mnl_attr_get_payload_len(mp);

	while (left > 0) {
		const struct nlattr *gw = NULL;
		int rc;

		if (!RTNH_OK(nh, left))
			return -FPM_ERR_NEXTHOP;
		rc = attr_walk(RTNH_DATA(nh), (int)nh->rtnh_len - (int)RTNH_LENGTH(0), nh_attr,
			       &gw);
		if (rc != 0)
			return rc == -FPM_ERR_ATTR ? -FPM_ERR_NEXTHOP : rc;
		rc = add_nexthop(r, gw, (uint32_t)nh->rtnh_ifindex);
		if (rc != 0)
			return rc;
		left -= (int)RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	return 0;
}

/* The attributes of one route message that matter; later duplicates win. */
struct route_attrs {
	const struct nlattr *dst, *gateway, *multipath, *oif, *table, *nh_id;
};

static int route_attr(const struct nlattr *a, void *arg)
{
	struct route_attrs *t = arg;

	switch (mnl_attr_get_type(a)) {
	case RTA_DST:
		t->dst = a;
		break;
	case RTA_GATEWAY:
		t->gateway = a;
		break;
	case RTA_MULTIPATH:
		t->multipath = a;
		break;
	case RTA_OIF:
		t->oif = a;
		break;
	case RTA_TABLE:
		t->table = a;
		break;
	case RTA_NH_ID:
		t->nh_id = a;
		break;
	default:
		break;
	}
	return 0;
}

/* One RTM_NEWROUTE/RTM_DELROUTE into *r. 1: a route; 0: not ours (counted); <0: error. */
static int route_msg(const struct nlmsghdr *nlh, struct fpm_route *r, struct fpm_counts *c)
{
	const struct rtmsg *rtm;
	struct route_attrs t = {0};
	uint32_t oif = 0;
	int rc;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*rtm))
		return -FPM_ERR_RTMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	rc = attr_walk(mnl_nlmsg_get_payload_offset(nlh, sizeof(*rtm)),
		       (int)nlh->nlmsg_len - (int)MNL_NLMSG_HDRLEN - (int)MNL_ALIGN(sizeof(*rtm)),
		       route_attr, &t);
	if (rc != 0)
		return rc;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) {
		c->ignored_family++;
		return 0;
	}
	memset(r, 0, sizeof(*r));
	r->add = nlh->nlmsg_type == RTM_NEWROUTE;
	r->family = rtm->rtm_family == AF_INET6 ? 6 : 4;
	r->len = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->table = rtm->rtm_table;
	if (r->len > addr_size(r->family) * 8)
		return -FPM_ERR_PREFIX;
	if (t.dst != NULL) {
		if (mnl_attr_get_payload_len(t.dst) != addr_size(r->family))
			return -FPM_ERR_PREFIX;
		memcpy(r->addr, mnl_attr_get_payload(t.dst), addr_size(r->family));
	} else if (r->len != 0) {
		return -FPM_ERR_PREFIX; /* only the default route may omit its destination */
	}
	/* Host bits are zero in what zebra sends; make sure of it. */
	for (unsigned int bit = r->len; bit < 128; bit++)
		r->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	if ((t.table != NULL && get_u32(t.table, &r->table) != 0) ||
	    (t.oif != NULL && get_u32(t.oif, &oif) != 0))
		return -FPM_ERR_ATTR;
	r->oif = oif;
	r->nh_group = t.nh_id != NULL;
	if (t.multipath != NULL)
		rc = multipath(r, t.multipath);
	else if (t.gateway != NULL || t.oif != NULL)
		rc = add_nexthop(r, t.gateway, oif);
	return rc < 0 ? rc : 1;
}

/* Walk the messages of a frame; with report, hand each route to fn. */
static int walk(const uint8_t *msgs, size_t len, bool report, fpm_route_fn fn, void *arg,
		struct fpm_counts *c)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)msgs;
	int left = (int)len;

	while (left > 0) {
		struct fpm_route r;
		int rc;

		/*
		 * libmnl compares the length as a signed int: 2^31 and above
		 * would pass its check and send the walk anywhere.
		 */
		if (!mnl_nlmsg_ok(nlh, left) || nlh->nlmsg_len > (uint32_t)left)
			return -FPM_ERR_NLMSG_LENGTH;
		if (report)
			c->messages++;
		if (nlh->nlmsg_type == RTM_NEWROUTE || nlh->nlmsg_type == RTM_DELROUTE) {
			rc = route_msg(nlh, &r, report ? c : &(struct fpm_counts){0});
			if (rc < 0)
				return rc;
			if (rc == 1 && report) {
				c->routes++;
				fn(arg, &r);
			}
		} else if (report) {
			c->ignored_type++;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

int fpm_decode(const uint8_t *msgs, size_t len, fpm_route_fn fn, void *arg, struct fpm_counts *c)
{
	int rc = walk(msgs, len, false, NULL, NULL, c);

	if (rc != 0)
		return rc;
	c->frames++;
	return walk(msgs, len, true, fn, arg, c);
}
