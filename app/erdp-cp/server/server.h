/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator's socket (socket.c) and the requests it serves (request.c:
 * dispatch and changes; show.c: listings and lookups; load.c: route files).
 * Protocol: one JSON request per line, one JSON reply per line
 * (docs/control-plane.md).
 *
 * Who: the event loop's thread; server_poll() waits at most its timeout.
 * A request is validated completely before anything changes; a change
 * updates core/ first, queues its ops on channel/, and is answered when
 * erdp has acknowledged them (a waiter whose callback replies here).
 */
#ifndef ERDP_CP_SERVER_H
#define ERDP_CP_SERVER_H

#include <jansson.h>

#include "cp.h"

struct conn;

/* ---- socket.c ---- */
int server_open(const char *path, const char *group, struct erdp_err *err);
void server_close(void);
/* Wait up to timeout_ms (fractions allowed) for clients and serve them. */
void server_poll(struct cp *cp, double timeout_ms);
void server_reply(struct conn *c, json_t *reply); /* steals reply */
int server_take_fd(struct conn *c);		  /* next fd passed with the request, or -1 */

/* ---- request.c ---- */
void req_handle(struct cp *cp, struct conn *c, const char *line);
json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
json_t *reply_ok(json_t *result); /* steals result */
/* A waiter whose completion answers client c (waiter_done_fn for channel/). */
struct waiter *req_waiter(struct cp *cp, struct conn *c);
/* A route change: core/ first, then the op for erdp. rib_set_result, or -errno. */
int req_route_set(struct cp *cp, const struct rib_route *rt, uint32_t line);
int req_route_del(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		  uint32_t line);
/* An error reply when vrf:prefix is one of erdp's connected routes, else NULL. */
json_t *req_connected_error(struct cp *cp, uint16_t vrf, const struct cp_prefix *p, const char *ps);
/*
 * A string argument; NULL after setting *err to an error reply naming the
 * field when it is missing or not a string.
 */
const char *req_str(json_t *req, const char *key, json_t **err);
/* An integer argument in [min, max], or def when absent and def_ok. */
int req_int(json_t *req, const char *key, long long min, long long max, long long def, bool def_ok,
	    long long *out, json_t **err);
/* "up" | "down" -> 1 | 0, else -1 and *err. */
int req_updown(json_t *req, json_t **err);
/* VRF by name, else -1 and *err listing what exists. */
int req_vrf(struct cp *cp, json_t *req, json_t **err);

/* ---- show.c ---- */
json_t *req_show(struct cp *cp, const char *what, json_t *req);
json_t *req_routes(struct cp *cp, json_t *req);
json_t *req_lookup(struct cp *cp, json_t *req);

/* ---- load.c ---- */
void req_route_load(struct cp *cp, struct conn *c, json_t *req);

/* ---- verify.c: erdpctl verify: the RIB against erdp's route table and FIB ---- */
json_t *req_verify(struct cp *cp, json_t *req);

/* ---- runtime.c: what differs from the config (show runtime, runtime export) ---- */
json_t *req_runtime(struct cp *cp, json_t *req);
json_t *req_runtime_export(struct cp *cp);

#endif
