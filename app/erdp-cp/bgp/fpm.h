/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR's forwarding-plane stream (zebra's dplane_fpm_nl): framing and
 * netlink decoding. No I/O and no state: bytes in, route events out, so
 * that every malformed shape is unit-tested with crafted bytes
 * (tests/app/erdp-cp/bgp/test_fpm.c) and the decoder can sit behind a fuzzer.
 *
 * Framing (FRR 8.4, measured in /work/scratch/i12/FINDINGS.md 2.2): a 4-byte
 * header, version 1, type 1 (netlink), a 16-bit big-endian length that
 * includes the header; then one or more netlink messages. zebra sends an
 * update as RTM_DELROUTE followed by RTM_NEWROUTE in one frame, and a
 * delete without next hops. With `no fpm use-next-hop-groups` every route
 * carries its next hops (RTA_GATEWAY/RTA_OIF or RTA_MULTIPATH).
 *
 * Netlink is read with libmnl (message walk, attribute walk and size
 * checks); RTA_MULTIPATH's rtnexthop records with the kernel's RTNH_*
 * macros, which libmnl has no helper for.
 *
 * A frame is checked completely before any of it is reported: an error
 * anywhere reports nothing of that frame. Errors are the enum below (the
 * caller closes the connection and counts the reason); messages that are
 * well formed but not for us (other message types, other families) are
 * counted and skipped, not errors.
 */
#ifndef ERDP_CP_BGP_FPM_H
#define ERDP_CP_BGP_FPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FPM_HDR_LEN	 4
#define FPM_VERSION	 1
#define FPM_TYPE_NETLINK 1
#define FPM_FRAME_MAX	 65535 /* the 16-bit length field */
#define FPM_MAX_GATEWAYS 8     /* kept per route; a peering has two links */
#define FPM_RTPROT_BGP	 186   /* rtm_protocol of zebra's BGP routes (RTPROT_BGP) */

enum fpm_err {
	FPM_OK = 0,
	FPM_ERR_HEADER,	      /* version or type is not 1 (netlink) */
	FPM_ERR_FRAME_LENGTH, /* frame shorter than its header plus one netlink header */
	FPM_ERR_NLMSG_LENGTH, /* a netlink message's length is below its header or past the frame */
	FPM_ERR_RTMSG,	      /* a route message shorter than struct rtmsg */
	FPM_ERR_ATTR,	      /* an attribute's length is below its header or past its message */
	FPM_ERR_PREFIX,	      /* prefix length or destination size does not fit the family */
	FPM_ERR_NEXTHOP,      /* a gateway of the wrong size, or RTA_MULTIPATH records malformed */
	FPM_ERR_COUNT
};

/* One route message, as zebra meant it. */
struct fpm_route {
	bool add;		 /* RTM_NEWROUTE: add or replace; false: RTM_DELROUTE */
	uint8_t family;		 /* 4 or 6 */
	uint8_t len;		 /* prefix length */
	uint8_t protocol;	 /* rtm_protocol: FPM_RTPROT_BGP for BGP routes */
	uint8_t type;		 /* rtm_type (RTN_UNICAST for a route that forwards) */
	uint32_t table;		 /* RTA_TABLE, else rtm_table */
	uint8_t addr[16];	 /* network order, host bits zero */
	bool nh_group;		 /* RTA_NH_ID: zebra sends next-hop groups (not supported) */
	unsigned int n_nexthops; /* next hops seen, with or without a gateway, kept or not */
	unsigned int n_gw;	 /* gateways kept in gw[] */
	struct {
		uint8_t addr[16]; /* same family as the route */
		uint32_t ifindex; /* 0: not given */
	} gw[FPM_MAX_GATEWAYS];
	uint32_t oif; /* single-path route: RTA_OIF (0: none) */
};

/* What a stream carried besides errors (added to, never reset, by fpm_decode). */
struct fpm_counts {
	uint64_t frames;
	uint64_t messages;	 /* netlink messages */
	uint64_t routes;	 /* route messages reported */
	uint64_t ignored_type;	 /* other netlink message types (next hops, NOOP, ...) */
	uint64_t ignored_family; /* route messages of other families (MPLS, ...) */
};

typedef void (*fpm_route_fn)(void *arg, const struct fpm_route *r);

/*
 * Is a complete frame at the start of buf[0..have)? 1 with *len (header
 * included), 0 when more bytes are needed, or -enum fpm_err.
 */
int fpm_frame(const uint8_t *buf, size_t have, size_t *len);

/*
 * The netlink messages of one frame (msgs: after the header, len bytes).
 * Checks the whole frame, then reports each route message in order to fn.
 * 0, or -enum fpm_err (nothing reported).
 */
int fpm_decode(const uint8_t *msgs, size_t len, fpm_route_fn fn, void *arg, struct fpm_counts *c);

/* "header", "frame_length", ... (the names counters and logs use). */
const char *fpm_err_str(int err);

#endif
