/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control channel between erdp-cp (control plane) and erdp (data plane).
 *
 * One POSIX shared-memory segment, /dev/shm/erdp-<instance>.ctl, holds two
 * single-producer single-consumer rings of fixed-size messages copied by
 * value (no pointers cross processes):
 *   req: erdp-cp -> erdp   (struct erdp_msg)
 *   ack: erdp -> erdp-cp   (struct erdp_ack)
 * and a header with liveness fields: each side writes a random boot id when
 * it starts and bumps a heartbeat while it runs, so each notices the other
 * restarting (boot id changed) or dying (heartbeat stalls).
 *
 * Why not DPDK multi-process rings: erdp-cp then needs no EAL, no hugepages
 * and no matching DPDK build, and either process can restart at any time (a
 * DPDK secondary cannot re-attach to a restarted primary within one process).
 *
 * erdp creates (or resets) the segment at start; erdp-cp opens it, waiting
 * until it exists. A full ring means "try later" (backpressure): a producer
 * never overwrites and never drops. The memory layout is in
 * erdp_ctl_layout.h. A reset keeps the segment (same inode) and discards
 * pending requests; erdp-cp notices the new dp boot id and replays.
 *
 * Trust. Whoever can write the segment can add and remove erdp's routes,
 * and /dev/shm lets any user create the name first. So erdp creates the
 * segment exclusively with mode ERDP_CTL_MODE and reuses an existing one
 * only when its open descriptor shows a regular file of erdp's own user
 * with exactly that mode (then only that user, or root, can have written
 * it); anything else under the name is removed and replaced, never opened
 * for use. erdp-cp opens only a segment owned by the expected user (its
 * own by default) with no group or other access.
 */
#ifndef ERDP_CTL_H
#define ERDP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "erdp_config.h"
#include "erdp_err.h"

#define ERDP_CTL_MAGIC	   0x45524443u /* "ERDC" */
#define ERDP_MSG_VERSION   1
#define ERDP_MSG_SIZE	   256
#define ERDP_CTL_REQ_SLOTS 16384 /* power of two */
#define ERDP_CTL_ACK_SLOTS 16384
#define ERDP_CTL_MODE	   0600 /* the segment's permissions: erdp's user only */

enum erdp_msg_type {
	ERDP_MSG_NOP = 0,
	ERDP_MSG_ROUTE_ADD = 1,	  /* route: add or replace */
	ERDP_MSG_ROUTE_DEL = 2,	  /* route */
	ERDP_MSG_GW_SET = 3,	  /* gateway: create or replace a gateway */
	ERDP_MSG_GW_DEL = 4,	  /* gateway (only id used) */
	ERDP_MSG_GW_INSTANCE = 5, /* instance: set one instance up/down */
	ERDP_MSG_LINK_ADMIN = 6,  /* link: peering link or port admin state */
	ERDP_MSG_SYNC_BEGIN = 7,  /* sync: start of a full replay */
	ERDP_MSG_SYNC_END = 8,	  /* sync: end; routes not replayed are removed */
	ERDP_MSG_TYPE_MAX
};

/* Next-hop ids a route may name (the data plane checks they exist). */
#define ERDP_NH_REF_BLACKHOLE	      0u
#define ERDP_NH_REF_GATEWAY(g)	      (0x10000000u | (uint32_t)(g)) /* gateway g */
#define ERDP_NH_REF_PEERING(p)	      (0x20000000u | (uint32_t)(p)) /* customer side of peering p */
/*
 * The customer of peering p over one link only (ERDP_LINK_PRIMARY or
 * ERDP_LINK_SECONDARY): BGP may select a route on one session, e.g. when
 * the other session is down or prepends. The index is the peering link.
 */
#define ERDP_NH_REF_KIND_PEERING_LINK 0x30000000u
#define ERDP_NH_REF_PEERING_LINK(p, link)                                                          \
	(ERDP_NH_REF_KIND_PEERING_LINK |                                                           \
	 (uint32_t)erdp_plink((unsigned int)(p), (unsigned int)(link)))
#define ERDP_NH_REF_KIND(nh)  ((nh)&0xf0000000u)
#define ERDP_NH_REF_INDEX(nh) ((nh)&0x0fffffffu)

struct erdp_msg_route {
	uint16_t vrf;
	uint8_t family;	  /* 4 or 6 */
	uint8_t len;	  /* prefix length */
	uint32_t nh;	  /* ERDP_NH_REF_* (ignored for DEL) */
	uint8_t addr[16]; /* IPv4: first 4 bytes, network order; host bits must be zero */
};

struct erdp_msg_gw_instance_desc {
	uint8_t port; /* config port index, must be a gateway port */
	uint8_t up;
	uint16_t vlan; /* 0 = untagged, else 1..4094 */
	uint8_t mac[6];
	uint8_t pad[2];
};

#define ERDP_MSG_GW_MAX_INSTANCES 16

struct erdp_msg_gw {
	uint16_t gateway; /* id: config gateways keep their index; new ones use higher ids */
	uint16_t vrf;
	uint8_t n_instances; /* 2..ERDP_MSG_GW_MAX_INSTANCES for SET */
	uint8_t pad[3];
	struct erdp_msg_gw_instance_desc inst[ERDP_MSG_GW_MAX_INSTANCES];
};

struct erdp_msg_instance {
	uint16_t gateway;
	uint8_t instance;
	uint8_t up;
};

enum erdp_link_target { ERDP_LINK_TARGET_PEERING_LINK = 0, ERDP_LINK_TARGET_PORT = 1 };

struct erdp_msg_link {
	uint8_t target; /* enum erdp_link_target */
	uint8_t up;
	uint16_t index; /* peering link (peering * 2 + link) or config port index */
};

/*
 * Full replay (after either side restarted). SYNC_END(g) removes every
 * route, from the config or from earlier messages, that was not added
 * (ROUTE_ADD) since SYNC_BEGIN(g). Routes that are replayed keep forwarding
 * throughout (no gap). g is a token that pairs the two messages, any value:
 * the data plane stamps routes with a generation of its own. A SYNC_BEGIN
 * during a sync starts over; SYNC_END without a sync running, or with
 * another g than the running sync's, is rejected (BAD_VALUE). Connected
 * routes (link subnets, MSEE addresses) are never touched. Gateways and
 * admin states are not swept: GW_SET replaces, GW_DEL removes.
 */
struct erdp_msg_sync {
	uint32_t generation;
};

struct erdp_msg {
	uint8_t version;  /* ERDP_MSG_VERSION */
	uint8_t type;	  /* enum erdp_msg_type */
	uint16_t len;	  /* bytes of the body that follow the header */
	uint32_t seq;	  /* producer's sequence number, echoed in the ack */
	uint64_t session; /* erdp-cp's boot id: acks of an old session are ignored */
	union {
		struct erdp_msg_route route;
		struct erdp_msg_gw gw;
		struct erdp_msg_instance instance;
		struct erdp_msg_link link;
		struct erdp_msg_sync sync;
		uint8_t raw[ERDP_MSG_SIZE - 16];
	} u;
};

enum erdp_ack_status {
	ERDP_ACK_OK = 0,
	ERDP_ACK_BAD_VERSION = 1,
	ERDP_ACK_BAD_TYPE = 2,
	ERDP_ACK_BAD_LENGTH = 3,
	ERDP_ACK_BAD_VALUE = 4, /* out-of-range field (prefix length, VLAN, family...) */
	ERDP_ACK_UNKNOWN_VRF = 5,
	ERDP_ACK_UNKNOWN_NH = 6, /* next hop / gateway / peering / port does not exist */
	ERDP_ACK_NO_SPACE = 7,	 /* VRF capacity or table full */
	ERDP_ACK_NOT_FOUND = 8,	 /* delete of something absent */
	ERDP_ACK_IN_USE = 9,	 /* gateway delete while routes use it */
	ERDP_ACK_INTERNAL = 10,
	ERDP_ACK_STATUS_MAX
};

/*
 * Acknowledgements. The data plane applies messages in ring order, in
 * batches, and acks in seq order:
 *   - every rejected message gets its own ack (status != OK, detail says why);
 * *   - the last message of each batch gets an ack; OK when it was applied (a
 *     batch may be applied in several slices, each ending with such an ack).
 * So an ack for seq S of a session means every earlier message of that
 * session has been processed: applied unless it had a rejection ack of
 * its own. Acks echo the message's session; a control plane ignores those
 * of other sessions (messages a dead erdp-cp left in the ring are still
 * applied: the new one replays the full state anyway). The data plane
 * dequeues a batch only when the ack ring has room for all of its acks,
 * so no ack is ever dropped; an erdp-cp that stops reading acks stops the
 * data plane from taking requests. After a data-plane restart the ack ring
 * may still hold acks of the previous erdp: compare boot ids first.
 */
struct erdp_ack {
	uint64_t session;
	uint32_t seq;	/* of the message acknowledged */
	uint8_t status; /* enum erdp_ack_status */
	uint8_t type;	/* of the message acknowledged */
	uint16_t pad;
	uint64_t applied; /* data plane's total of applied messages (progress) */
	char detail[40];  /* short reason for a rejection, NUL terminated */
};

_Static_assert(sizeof(struct erdp_msg) == ERDP_MSG_SIZE, "message size is part of the ABI");
_Static_assert(sizeof(struct erdp_ack) == 64, "ack size is part of the ABI");

struct erdp_ctl; /* a mapped segment */

/*
 * Data plane: create or reset the segment for `instance` (e.g. the EAL file
 * prefix). Reuses the existing segment only if it is erdp's own (see
 * "Trust" above); removes anything else of that name first. On success
 * err->code is 0 and err->msg is either empty or a warning to log (what was
 * removed: owner uid, mode, kind). NULL on failure with err filled, e.g.
 * when another user's object cannot be removed (erdp not running as root).
 */
struct erdp_ctl *erdp_ctl_create(const char *instance, struct erdp_err *err);
/*
 * Control plane: open an existing segment; NULL with err->code ENOENT until
 * erdp has created it, EPERM (message: owner uid, mode, what was expected)
 * when it is not owned by our effective uid or gives group/other access,
 * EPROTO when its header or size is not this build's.
 */
struct erdp_ctl *erdp_ctl_open(const char *instance, struct erdp_err *err);
/* The same, for a control plane whose erdp runs as another user (`owner`). */
struct erdp_ctl *erdp_ctl_open_owner(const char *instance, uid_t owner, struct erdp_err *err);
void erdp_ctl_close(struct erdp_ctl *c);
/* Data plane at clean exit: remove the segment name. */
void erdp_ctl_unlink(const char *instance);
/*
 * True once erdp has removed this segment's name (clean exit): a control
 * plane closes it and opens again (-ENOENT until the next erdp creates a
 * new one). A data plane that crashed leaves the name: the next one reuses
 * the segment, and the control plane sees the dp boot id change instead.
 */
bool erdp_ctl_stale(const struct erdp_ctl *c);
/* The shm_open name "/erdp-<instance>.ctl"; -EINVAL (empty, '/') or -ENAMETOOLONG. */
int erdp_ctl_shm_name(const char *instance, char *buf, size_t len);

/* Producer/consumer ends. Return the number of elements moved (0..n); never block. */
unsigned int erdp_ctl_send(struct erdp_ctl *c, const struct erdp_msg *m, unsigned int n);
unsigned int erdp_ctl_recv(struct erdp_ctl *c, struct erdp_msg *m, unsigned int n);
unsigned int erdp_ctl_ack_send(struct erdp_ctl *c, const struct erdp_ack *a, unsigned int n);
unsigned int erdp_ctl_ack_recv(struct erdp_ctl *c, struct erdp_ack *a, unsigned int n);
unsigned int erdp_ctl_req_free(const struct erdp_ctl *c); /* free request slots */
unsigned int erdp_ctl_ack_free(const struct erdp_ctl *c); /* free ack slots */

/* Liveness: each side sets its boot id once and beats periodically. */
void erdp_ctl_dp_hello(struct erdp_ctl *c, uint64_t boot_id);
void erdp_ctl_dp_beat(struct erdp_ctl *c);
void erdp_ctl_cp_hello(struct erdp_ctl *c, uint64_t boot_id);
void erdp_ctl_cp_beat(struct erdp_ctl *c);
uint64_t erdp_ctl_dp_boot_id(const struct erdp_ctl *c);
uint64_t erdp_ctl_dp_heartbeat(const struct erdp_ctl *c);
uint64_t erdp_ctl_cp_boot_id(const struct erdp_ctl *c);
uint64_t erdp_ctl_cp_heartbeat(const struct erdp_ctl *c);

/*
 * Validate a message's framing and field ranges without any state (version,
 * type, len == the body size of the type, family, prefix length vs family,
 * host bits, VLAN range, instance count...). Returns ERDP_ACK_OK or the
 * status to reject with, and fills detail (>= 40 bytes).
 */
enum erdp_ack_status erdp_msg_check(const struct erdp_msg *m, char *detail, unsigned int len);

/* Body length each type must carry (sizeof its union member), or -1 for unknown types. */
int erdp_msg_body_len(uint8_t type);

/* Constructors that fill version/type/len (seq and session are the sender's). */
void erdp_msg_route(struct erdp_msg *m, bool add, uint16_t vrf, int family, const uint8_t *addr,
		    uint8_t len, uint32_t nh);
/* GW_SET with n instances (copied from inst), or GW_DEL. */
void erdp_msg_gw_set(struct erdp_msg *m, uint16_t gateway, uint16_t vrf, uint8_t n,
		     const struct erdp_msg_gw_instance_desc *inst);
void erdp_msg_gw_del(struct erdp_msg *m, uint16_t gateway);
void erdp_msg_gw_instance(struct erdp_msg *m, uint16_t gateway, uint8_t instance, bool up);
void erdp_msg_link(struct erdp_msg *m, enum erdp_link_target target, uint16_t index, bool up);
/* SYNC_BEGIN (begin = true) or SYNC_END of a generation. */
void erdp_msg_sync(struct erdp_msg *m, bool begin, uint32_t generation);
void erdp_msg_nop(struct erdp_msg *m);
const char *erdp_msg_type_str(uint8_t type);
const char *erdp_ack_status_str(uint8_t status);

#endif
