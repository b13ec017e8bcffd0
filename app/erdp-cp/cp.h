/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp-cp: the control plane process. One thread, one event loop:
 *
 *   erdpctl --(Unix socket, JSON lines)--> requests --> RIB + state
 *                                                        |
 *                                  ops (opq) --> control ring --> erdp
 *                                  acks <------- ack ring <------ erdp
 *
 * The RIB and the runtime state (gateway instances, link and port admin
 * states) are the truth. Every change updates them first, then queues ops
 * for the data plane; when erdp (re)appears, a full sync replays the truth
 * and erdp sweeps whatever was not replayed.
 */
#ifndef ERDP_CP_H
#define ERDP_CP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "erdp_config.h"
#include "erdp_ctl.h"
#include "opq.h"
#include "prefix.h"
#include "rib.h"

struct conn;

/* ---- log.c ---- */
void cp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double cp_now(void); /* monotonic seconds */

/* ---- chan.c: the control channel to erdp ---- */
enum chan_state {
	CHAN_NO_SEGMENT, /* erdp has not created the segment (or we dropped it) */
	CHAN_WAIT_DP,	 /* segment open, waiting for erdp's heartbeat to move */
	CHAN_UP,	 /* erdp alive: ops flow */
};

struct chan {
	struct erdp_ctl *ctl;
	enum chan_state state;
	uint64_t boot_id;    /* ours, new at every start */
	uint64_t dp_boot_id; /* erdp's, as seen when the channel came up */
	uint64_t dp_hb;	     /* last heartbeat value seen */
	double dp_hb_time;   /* when it last moved (or an ack came) */
	double opened_at;    /* WAIT_DP: when the segment was opened */
	double next_try;     /* NO_SEGMENT: next open attempt */
	double last_beat;
	char last_err[ERDP_ERR_MSG_LEN]; /* last open error, logged once */
	struct opq q;
	uint32_t generation; /* of the last full sync */
	uint64_t sync_end;   /* position of the SYNC_END op in flight; UINT64_MAX: none */
	double sync_start;
	uint64_t sync_msgs, sync_rejected;
	uint64_t n_sent, n_acked, n_rejected, n_syncs;
};

/* ---- waiters: requests that answer once erdp acknowledged their ops ---- */
#define CP_MAX_REJECTIONS 20

struct waiter {
	struct waiter *next;
	struct conn *conn;    /* NULL once the client went away */
	uint64_t first, last; /* op positions [first, last]; last < first: none */
	double start;
	json_t *result; /* filled by the request; counts are added on completion */
	uint64_t rejected;
	json_t *rejections; /* array of strings, at most CP_MAX_REJECTIONS */
};

struct cp {
	struct erdp_config *cfg;
	const char *cfg_path;
	char instance[ERDP_NAME_LEN];
	char tel_path[108]; /* erdp's DPDK telemetry socket (sun_path size) */
	struct rib *rib;
	/* Runtime state (the truth with the RIB). */
	bool (*gw_up)[ERDP_MAX_GW_INSTANCES];
	bool *plink_up; /* peering * ERDP_LINKS + link */
	bool port_up[ERDP_MAX_PORTS];
	/* Routes per target, for listings. */
	uint32_t *gw_routes, *peering_routes;
	uint32_t blackhole_routes;
	struct chan chan;
	struct waiter *waiters, **waiters_tail;
	volatile sig_atomic_t quit;
};

int cp_state_init(struct cp *cp, struct erdp_err *err);
void cp_state_free(struct cp *cp);

/* Route changes: RIB, per-target counts, and an op when erdp is connected. */
int cp_route_set(struct cp *cp, const struct rib_route *rt, uint32_t line);
int cp_route_del(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		 uint32_t line);
/* Queue one op if the channel is up (otherwise the next full sync covers it). */
int cp_queue(struct cp *cp, const struct cp_op *op);

int chan_init(struct chan *ch);
void chan_poll(struct cp *cp);
bool chan_busy(const struct chan *ch); /* ops waiting to be sent or acknowledged */
void chan_close(struct cp *cp);
/* Queue a full sync (SYNC_BEGIN, gateways, routes, admin states, SYNC_END). */
int sync_queue_full(struct cp *cp);
/* Build the message for an op (seq and session are filled by the caller). */
void sync_build_msg(const struct cp *cp, const struct cp_op *op, struct erdp_msg *m);
/* One line describing an op, for logs and rejections. */
void cp_op_describe(const struct cp *cp, const struct cp_op *op, char *buf, size_t n);

/* ---- waiters (waiter.c) ---- */
struct waiter *waiter_begin(struct cp *cp, struct conn *c, json_t *result);
/* Ops queued since waiter_begin belong to it; answers now if there are none. */
void waiter_commit(struct cp *cp, struct waiter *w);
/* Called by the channel: op at pos acknowledged (status != OK: rejected). */
void waiter_on_ack(struct cp *cp, uint64_t pos, const struct erdp_ack *a, const char *what);
/* Answer the waiters whose ops are all acknowledged. */
void waiter_complete(struct cp *cp);
void waiter_flush_disconnected(struct cp *cp, const char *why);
void waiter_conn_gone(struct cp *cp, struct conn *c);

/* ---- targets (target.c) ---- */
/* "gateway:NAME" | "peering:CIRCUIT/TYPE" | "blackhole" for a route of VRF vrf. */
int cp_parse_target(const struct erdp_config *cfg, int vrf, const char *s, uint32_t *nh, char *why,
		    size_t why_len);
char *cp_format_target(const struct erdp_config *cfg, uint32_t nh, char *buf, size_t n);

/* ---- server.c ---- */
int server_open(const char *path, const char *group, struct erdp_err *err);
void server_close(void);
/* Wait up to timeout_ms (fractions allowed) for clients and serve them. */
void server_poll(struct cp *cp, double timeout_ms);
void conn_reply(struct conn *c, json_t *reply); /* steals reply */
int conn_take_fd(struct conn *c);		/* next fd passed with the request, or -1 */

/* ---- requests (req*.c) ---- */
void req_handle(struct cp *cp, struct conn *c, const char *line);
json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
json_t *reply_ok(json_t *result); /* steals result */
json_t *req_show(struct cp *cp, const char *what, json_t *req);
json_t *req_routes(struct cp *cp, json_t *req);
json_t *req_lookup(struct cp *cp, json_t *req);
void req_route_load(struct cp *cp, struct conn *c, json_t *req);

/* ---- telemetry.c: erdp's DPDK telemetry socket ---- */
struct tel;
/* Connect (an error names a stopped erdp as such); several commands may follow. */
struct tel *tel_open(const struct cp *cp, struct erdp_err *err);
void tel_close(struct tel *t);
/* Run `cmd`; *out gets the value under the command's key. 0 or -errno with err. */
int tel_cmd(struct tel *t, const char *cmd, json_t **out, struct erdp_err *err);
/* tel_open + tel_cmd + tel_close. */
int tel_query(const struct cp *cp, const char *cmd, json_t **out, struct erdp_err *err);

#endif
