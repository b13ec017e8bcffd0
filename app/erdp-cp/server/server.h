/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator's socket (socket.c) and the requests it serves (request.c:
 * dispatch and changes; show.c: listings and lookups; load.c: route files).
 * Protocol: one JSON request per line, one JSON reply per line
 * (docs/control-plane.md).
 *
 * Who: the event loop's thread; server_poll() waits at most its timeout and
 * never blocks on a client: sockets and files passed by clients are read as
 * they become readable, a bounded amount per loop turn, so no client (a
 * silent pipe, an idle connection, a huge file) holds up another.
 * A request is validated completely before anything changes; a change
 * updates core/ first, queues its ops on channel/, and is answered when
 * erdp has acknowledged them (a waiter whose callback replies here).
 */
#ifndef ERDP_CP_SERVER_H
#define ERDP_CP_SERVER_H

#include <jansson.h>

#include "cp.h"

struct conn;

/*
 * How much the socket serves at once, and for how long it waits (erdp-cp's
 * options; docs/control-plane.md). Memory is bounded by max_clients request
 * lines of at most 1 MiB and max_load_bytes of route files being read.
 */
struct server_limits {
	unsigned int max_clients; /* connections served at once; more wait in the backlog */
	double idle_s;		  /* a connection with no request in progress is closed */
	double load_idle_s;	  /* a route file that gives no data for this long is refused */
	uint64_t max_load_bytes;  /* per route file, and all files being read together */
	double (*now)(void);	  /* monotonic seconds (cp_now; tests may inject) */
};

#define SERVER_MAX_CLIENTS_DEFAULT    256
#define SERVER_MAX_CLIENTS_MAX	      65536
#define SERVER_IDLE_S_DEFAULT	      60.0
#define SERVER_LOAD_IDLE_S_DEFAULT    60.0
#define SERVER_MAX_LOAD_BYTES_DEFAULT (1ULL << 30)

/* ---- socket.c ---- */
int server_open(const char *path, const char *group, const struct server_limits *lim,
		struct erdp_err *err);
void server_close(void);
/* Wait up to timeout_ms (fractions allowed) for clients and serve them. */
void server_poll(struct cp *cp, double timeout_ms);
void server_reply(struct conn *c, json_t *reply); /* steals reply */
/*
 * The next fd passed with the request; -ENOENT when none came, -EMFILE when
 * erdp-cp could not take it (out of file descriptors).
 */
int server_take_fd(struct conn *c);

/*
 * A file that came with a request, read without holding the loop: socket.c
 * polls it with the clients and hands what it reads, at most a bounded
 * amount per loop turn, to data(); the buffer is the callee's to modify
 * until it returns. end() is called once: at the end of the file (why NULL),
 * or when it cannot be read, is over --max-load-bytes or gave no data for
 * --load-timeout (why says so; busy: the refusal is for load, not for the
 * file: other files being read hold the byte budget). If the client goes
 * away first, gone() is called instead. The connection stays busy until
 * the callee replies; socket.c owns fd from here on and closes it.
 */
struct server_file_ops {
	void (*data)(void *ctx, char *buf, size_t n);
	void (*end)(struct conn *c, void *ctx, const char *why, bool busy);
	void (*gone)(void *ctx);
};
void server_read_file(struct conn *c, int fd, const struct server_file_ops *ops, void *ctx);

/* ---- request.c ---- */
/* One request line (without its LF), the lineno-th on its connection. */
void req_handle(struct cp *cp, struct conn *c, const char *line, size_t len, uint64_t lineno);
json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A refusal for load, not for the request: "code": "busy" (erdpctl exits 3). */
json_t *reply_busy(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Is s[0..n) one line of text? 0 if so, else the 1-based column of the first
 * byte that may not be in it (a control byte other than tab, or a CR that
 * does not end the line) and in why its name ("NUL byte (0x00)").
 */
size_t req_text_check(const char *s, size_t n, char *why, size_t why_len);
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
