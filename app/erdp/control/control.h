/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's end of the control channel (lib/ctl/erdp_ctl.h): the
 * main lcore takes batches of messages from erdp-cp, applies each one all
 * or nothing, and acknowledges them.
 *
 * Who: the main lcore (poll, apply); the telemetry thread reads only the
 * counter copies below, with relaxed loads. What it writes: the FIBs (one
 * aligned store per entry), the classifier's gateway VLAN map (single
 * stores), the gateway table and admin states, and next hops only through
 * nexthop/ (RCU publish), so workers never see a half-applied message.
 *
 * Besides the FIB, the data plane keeps a table of the routes it holds
 * (config and control plane alike), with the generation that last added
 * each one, so that a full replay (SYNC_BEGIN .. SYNC_END) can remove the
 * routes that were not replayed without ever withdrawing those that were.
 *
 * Long work is sliced so that the main lcore comes back to its loop
 * (heartbeat, ARP/ND, health probes) at least every ERDP_CTRL_SLICE_US: a
 * batch of messages is applied over as many polls as it takes, and the
 * sweep at SYNC_END is a state machine continued on later polls.
 *
 * The telemetry threads never touch the route table or the FIB: they ask
 * the main lcore for a page through a mailbox (dump.c) and wait for it.
 */
#ifndef ERDP_CONTROL_H
#define ERDP_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "erdp_ctl.h"
#include "erdp_err.h"

struct erdp_dp;
struct rte_hash;

/* A route table key: also the order of the words erdp_route_digest() hashes. */
struct erdp_route_key {
	uint16_t vrf;
	uint8_t family;
	uint8_t len;
	uint8_t addr[16]; /* network order, IPv4 in the first 4 bytes, rest zero */
};

/* Digest of a VRF's routes of one family (lib/ctl/erdp_ctl_digest.h); connected excluded. */
struct erdp_ctrl_digest {
	uint64_t count;
	uint64_t sum;
};

/* The sweep at SYNC_END, in progress (routes.c). */
struct erdp_ctrl_sweep {
	bool running;
	bool collected;	      /* the walk is over, keys[] holds the stale routes */
	uint32_t iter;	      /* rte_hash_iterate() position of the walk */
	uint32_t n, cap, pos; /* keys collected, room, next to delete */
	struct erdp_route_key *keys;
};

#define ERDP_CTRL_BATCH	      4096 /* messages taken from the ring at once */
#define ERDP_CTRL_BEAT_MS     10
#define ERDP_CTRL_DETAIL_LEN  40 /* sizeof(erdp_ack.detail) */
/* Main-lcore time one poll may spend on messages or the sweep before it returns. */
#define ERDP_CTRL_SLICE_US    1000
/* Routes the sweep deletes per poll at most (a bound that does not depend on time). */
#define ERDP_CTRL_SWEEP_SLICE 1024
/* erdp_ctrl_apply(): the message started work that later polls finish (the sweep). */
#define ERDP_CTRL_PENDING     ((enum erdp_ack_status)0xff)

/* Route table stamp of the link subnets and MSEE addresses erdp installs itself. */
#define ERDP_CTRL_GEN_CONNECTED 0xffffffffu

struct erdp_ctrl {
	struct erdp_ctl *seg;
	char instance[64];
	uint64_t boot_id;
	uint64_t next_beat; /* TSC */
	struct erdp_msg *batch;
	struct erdp_ack *acks;
	unsigned int batch_n, batch_pos; /* messages taken, next to apply */
	unsigned int n_acks;		 /* acks of the current slice */
	int pending;			 /* batch index of a message in progress, or -1 */
	/* routes (routes.c) */
	struct rte_hash *routes;
	uint32_t *gw_routes;		      /* per gateway: routes pointing at it */
	uint32_t n_connected;		      /* entries of `routes` that are connected */
	struct erdp_ctrl_digest (*digest)[2]; /* per VRF and family */
	uint32_t (*connected)[2];	      /* per VRF and family: connected entries */
	struct erdp_ctrl_sweep sweep;
	uint32_t gen; /* internal stamp of adds; 0 = the config's */
	bool syncing;
	uint32_t sync_token; /* erdp-cp's generation of the running sync */
	/* gateways (gateways.c) */
	uint16_t *pair_users; /* n_ports x 4096: gateways that use (port, vlan) */
	/* counters (read by the telemetry thread: relaxed atomics) */
	uint64_t applied;
	uint64_t batches;
	uint64_t slices; /* polls that applied messages (a batch may take several) */
	uint64_t swept;
	uint64_t sweep_slices; /* polls that worked on a sweep */
	uint64_t rejected[ERDP_ACK_STATUS_MAX];
	/* copies for the telemetry thread, refreshed every heartbeat and batch */
	uint64_t n_routes;
	uint64_t dp_beat;
	uint64_t cp_boot_id;
	uint64_t cp_beat;
};

extern struct erdp_ctrl erdp_ctrl;

/* channel.c: lifecycle and the poll loop (main lcore). */
int erdp_ctrl_init(struct erdp_dp *dp, const char *instance, struct erdp_err *err);
/* Returns the number of messages taken (the main loop does not sleep while > 0). */
unsigned int erdp_ctrl_poll(struct erdp_dp *dp);
void erdp_ctrl_fini(struct erdp_dp *dp);

/* channel.c: one message, validated and applied or rejected (detail filled). */
enum erdp_ack_status erdp_ctrl_apply(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail);

/* routes.c */
int erdp_ctrl_routes_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err);
void erdp_ctrl_routes_free(struct erdp_ctrl *c);
enum erdp_ack_status erdp_ctrl_route(struct erdp_dp *dp, struct erdp_ctrl *c,
				     const struct erdp_msg *m, char *detail);
/* SYNC_END answers ERDP_CTRL_PENDING: the sweep runs in erdp_ctrl_sweep_step(). */
enum erdp_ack_status erdp_ctrl_sync(struct erdp_dp *dp, struct erdp_ctrl *c,
				    const struct erdp_msg *m, char *detail);
/* One slice of the running sweep, until the TSC reaches deadline; true when it is over. */
bool erdp_ctrl_sweep_step(struct erdp_dp *dp, struct erdp_ctrl *c, uint64_t deadline);
uint32_t erdp_ctrl_routes_count(const struct erdp_ctrl *c); /* connected excluded */
/* The FIB next-hop id of a reference in vrf (the next hop must exist there). */
enum erdp_ack_status erdp_ctrl_route_nh(const struct erdp_dp *dp, uint16_t vrf, uint32_t ref,
					uint32_t *nh, char *detail);
/* Exact-match read of the FIB (main lcore); 0 or -ENOENT. */
int erdp_ctrl_fib_get(const struct erdp_dp *dp, const struct erdp_route_key *k, uint32_t *nh);

/* gateways.c */
int erdp_ctrl_gw_init(struct erdp_dp *dp, struct erdp_ctrl *c, struct erdp_err *err);
void erdp_ctrl_gw_free(struct erdp_ctrl *c);
enum erdp_ack_status erdp_ctrl_gw_set(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail);
enum erdp_ack_status erdp_ctrl_gw_del(struct erdp_dp *dp, struct erdp_ctrl *c,
				      const struct erdp_msg_gw *g, char *detail);
enum erdp_ack_status erdp_ctrl_gw_instance(struct erdp_dp *dp, const struct erdp_msg_instance *in,
					   char *detail);

/* admin.c: port and peering link admin states */
enum erdp_ack_status erdp_ctrl_link(struct erdp_dp *dp, const struct erdp_msg_link *l,
				    char *detail);

/* telemetry.c: /erdp/ctl, /erdp/routes/digest, /erdp/routes */
void erdp_ctrl_telemetry_init(void);

/*
 * dump.c: the route table and FIB as telemetry sees them. A telemetry
 * thread posts a request and waits (erdp_ctrl_dump_ask); the main lcore
 * answers it in erdp_ctrl_dump_serve(), called every poll, with a bounded
 * amount of work. Pages:
 *   digest: per VRF start.. (ERDP_CTRL_DUMP_VRFS of them): routes and
 *           digest per family, and the FIB's own route count;
 *   routes: up to ERDP_CTRL_DUMP_ROUTES routes of one VRF and family from
 *           a table position on, each with its reference and whether the
 *           FIB holds exactly that route with that next hop.
 */
#define ERDP_CTRL_DUMP_VRFS   32
#define ERDP_CTRL_DUMP_ROUTES 192 /* worst case (IPv6) ~13 KiB of telemetry reply */

enum erdp_ctrl_dump_kind { ERDP_CTRL_DUMP_DIGEST = 1, ERDP_CTRL_DUMP_ROUTE_PAGE = 2 };

struct erdp_ctrl_dump_vrf {
	struct erdp_ctrl_digest dig[2]; /* IPv4, IPv6 */
	uint32_t fib[2];		/* the FIB's count, connected routes excluded */
};

struct erdp_ctrl_dump_route {
	struct erdp_route_key key;
	uint32_t ref;
	bool fib_ok; /* the FIB holds this prefix with this route's next hop */
};

struct erdp_ctrl_dump_req {
	enum erdp_ctrl_dump_kind kind;
	uint32_t start; /* digest: first VRF; routes: table position */
	uint16_t vrf;
	uint8_t family;
};

struct erdp_ctrl_dump_page {
	int err;	/* 0, or -errno (no such VRF, control channel off) */
	uint32_t n;	/* entries */
	uint32_t next;	/* where the next page starts; UINT32_MAX at the end */
	uint32_t total; /* digest: VRFs */
	union {
		struct erdp_ctrl_dump_vrf vrf[ERDP_CTRL_DUMP_VRFS];
		struct erdp_ctrl_dump_route route[ERDP_CTRL_DUMP_ROUTES];
	} u;
};

/* Telemetry thread: ask and wait (at most timeout_ms); 0 or -ETIMEDOUT / -EBUSY. */
int erdp_ctrl_dump_ask(const struct erdp_ctrl_dump_req *req, struct erdp_ctrl_dump_page *out,
		       unsigned int timeout_ms);
/* Main lcore: answer a waiting request, if any. */
void erdp_ctrl_dump_serve(struct erdp_dp *dp, struct erdp_ctrl *c);

#define ERDP_CTRL_REJECT(detail, st, ...)                                                          \
	(snprintf((detail), ERDP_CTRL_DETAIL_LEN, __VA_ARGS__), (st))

#endif
