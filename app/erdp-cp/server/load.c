/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "route load": routes in bulk from a file that the client opened and
 * passed as a file descriptor. Format, one route per line:
 *
 *     <vrf> <prefix> <target>      target: gateway:NAME | peering:CIRCUIT/TYPE
 *                                          | blackhole | withdraw
 *     # comment (also after the fields); blank lines are ignored
 *
 * All or nothing: the whole file is parsed and checked first (names,
 * prefixes, host bits, targets in the route's VRF, VRF capacities); any
 * error rejects the file with "NAME:LINE: ..." messages and changes
 * nothing. Then the routes enter the RIB in file order (a prefix listed
 * twice: the last line wins) and go to erdp; the reply comes once erdp has
 * acknowledged every one. Routes that are already present with the same
 * target are not sent again.
 *
 * The file is read as the event loop gets to it (server_read_file), not in
 * one go: lines are parsed as they arrive, so memory holds the parsed
 * routes and one partial line, never the file's text, and other clients
 * are served while a big file or a slow pipe comes in. A line is text: a
 * control byte in it (NUL, ESC, a CR before the end...) is an error that
 * names the line and column, like any other.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define MAX_ERRORS 20
#define MAX_LINE   4096 /* a route line is < 200 bytes; longer ones are an error */

struct load {
	struct cp *cp;
	char *name;
	double t0;
	struct cp_op *items;
	size_t n, cap;
	uint64_t lines, n_errors;
	json_t *errors;
	/* One-entry caches: route files repeat the same VRF and target. */
	char last_vrf[ERDP_NAME_LEN + 1];
	int last_vrf_idx;
	char last_target[160];
	int last_target_vrf;
	uint32_t last_nh;
	bool last_del;
	/* The line that the last chunk left unfinished. */
	char part[MAX_LINE + 1];
	size_t part_len;
	bool part_long; /* longer than MAX_LINE: reported, skipped to its end */
};

static void load_error(struct load *ld, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void load_error(struct load *ld, uint64_t line, const char *fmt, ...)
{
	char msg[600];
	int n;
	va_list ap;

	ld->n_errors++;
	if (ld->n_errors > MAX_ERRORS)
		return;
	if (line != 0)
		n = snprintf(msg, sizeof(msg), "%s:%llu: ", ld->name, (unsigned long long)line);
	else
		n = snprintf(msg, sizeof(msg), "%s: ", ld->name);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	json_array_append_new(ld->errors, json_string(msg));
}

/* Split off the next whitespace-separated field; NULL at the end or at '#'. */
static char *next_field(char **p)
{
	char *s = *p, *f;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	f = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return f;
}

static int vrf_of(struct load *ld, const char *name)
{
	if (strcmp(name, ld->last_vrf) != 0) {
		ld->last_vrf_idx = erdp_config_vrf_by_name(ld->cp->cfg, name);
		snprintf(ld->last_vrf, sizeof(ld->last_vrf), "%s", name);
	}
	return ld->last_vrf_idx;
}

static int target_of(struct load *ld, int vrf, const char *s, uint32_t *nh, bool *del, char *why,
		     size_t n)
{
	int rc = 0;

	if (vrf == ld->last_target_vrf && strcmp(s, ld->last_target) == 0) {
		*nh = ld->last_nh;
		*del = ld->last_del;
		return 0;
	}
	*del = strcmp(s, "withdraw") == 0;
	*nh = 0;
	if (!*del)
		rc = target_parse(ld->cp->cfg, vrf, s, nh, why, n);
	if (rc == 0 && strlen(s) < sizeof(ld->last_target)) {
		snprintf(ld->last_target, sizeof(ld->last_target), "%s", s);
		ld->last_target_vrf = vrf;
		ld->last_nh = *nh;
		ld->last_del = *del;
	}
	return rc;
}

static int push_item(struct load *ld, const struct cp_op *op)
{
	if (ld->n == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 65536;
		struct cp_op *ni = realloc(ld->items, cap * sizeof(*ni));

		if (ni == NULL)
			return -ENOMEM;
		ld->items = ni;
		ld->cap = cap;
	}
	ld->items[ld->n++] = *op;
	return 0;
}

static void parse_line(struct load *ld, char *s, uint64_t line)
{
	char *vs = next_field(&s), *ps, *ts, *extra, why[400];
	struct cp_op op = {.line = (uint32_t)line};
	struct cp_prefix p;
	bool del;
	int vrf;

	if (vs == NULL)
		return; /* blank or comment */
	ps = next_field(&s);
	ts = ps != NULL ? next_field(&s) : NULL;
	if (ts == NULL) {
		load_error(ld, line, "expected '<vrf> <prefix> <target>', found %d field%s",
			   ps ? 2 : 1, ps ? "s" : "");
		return;
	}
	extra = next_field(&s);
	if (extra != NULL) {
		load_error(ld, line, "unexpected '%.40s' after the target (use # for comments)",
			   extra);
		return;
	}
	vrf = vrf_of(ld, vs);
	if (vrf < 0) {
		load_error(ld, line, "vrf: unknown VRF '%.64s'", vs);
		return;
	}
	if (prefix_parse(ps, &p, why, sizeof(why)) != 0) {
		load_error(ld, line, "prefix: %s", why);
		return;
	}
	if (target_of(ld, vrf, ts, &op.nh, &del, why, sizeof(why)) != 0) {
		load_error(ld, line, "%s", why);
		return;
	}
	op.type = del ? ERDP_MSG_ROUTE_DEL : ERDP_MSG_ROUTE_ADD;
	op.id = (uint16_t)vrf;
	op.family = p.family;
	op.len = p.len;
	memcpy(op.addr, p.addr, 16);
	if (push_item(ld, &op) != 0)
		load_error(ld, line, "out of memory");
}

/*
 * One whole line s[0..n) (its LF cut off), writable, with room for a NUL at
 * s[n]: checked to be text (a CR may end it: CRLF files), then parsed.
 */
static void take_line(struct load *ld, char *s, size_t n)
{
	char why[64];
	size_t col;

	ld->lines++;
	if (n > MAX_LINE) {
		load_error(ld, ld->lines,
			   "longer than %d bytes (a route line is '<vrf> <prefix> "
			   "<target>')",
			   MAX_LINE);
		return;
	}
	col = req_text_check(s, n, why, sizeof(why));
	if (col != 0) {
		load_error(ld, ld->lines, "column %zu: %s; a route file is text", col, why);
		return;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	parse_line(ld, s, ld->lines);
}

/* Add bytes to the unfinished line; past MAX_LINE only their count matters. */
static void part_add(struct load *ld, const char *s, size_t n)
{
	if (ld->part_long || ld->part_len + n > MAX_LINE) {
		ld->part_long = true;
		return;
	}
	memcpy(ld->part + ld->part_len, s, n);
	ld->part_len += n;
}

static void part_take(struct load *ld)
{
	take_line(ld, ld->part, ld->part_long ? MAX_LINE + 1 : ld->part_len);
	ld->part_len = 0;
	ld->part_long = false;
}

/* A chunk of the file as it arrives: whole lines parsed in place, the rest kept. */
static void load_data(void *ctx, char *buf, size_t len)
{
	struct load *ld = ctx;
	char *s = buf, *end = buf + len;

	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));

		if (nl == NULL) {
			part_add(ld, s, (size_t)(end - s));
			return;
		}
		if (ld->part_len != 0 || ld->part_long) {
			part_add(ld, s, (size_t)(nl - s));
			part_take(ld);
		} else {
			take_line(ld, s, (size_t)(nl - s)); /* writes its NUL at *nl */
		}
		s = nl + 1;
	}
}

/* Would the file push a VRF past its configured capacity? (Conservative.) */
static void check_capacity(struct load *ld)
{
	const struct erdp_config *cfg = ld->cp->cfg;
	long long(*delta)[2] = calloc((size_t)cfg->n_vrfs + 1, sizeof(*delta));

	if (delta == NULL) {
		load_error(ld, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < ld->n; i++) {
		const struct cp_op *op = &ld->items[i];
		bool present =
			rib_find(ld->cp->state.rib, op->id, op->family, op->addr, op->len) != NULL;

		if (op->type == ERDP_MSG_ROUTE_ADD && !present)
			delta[op->id][op->family == 6]++;
		else if (op->type == ERDP_MSG_ROUTE_DEL && present)
			delta[op->id][op->family == 6]--;
	}
	for (int v = 0; v < cfg->n_vrfs; v++)
		for (int f = 0; f < 2; f++) {
			uint32_t cap = f ? cfg->vrfs[v].ipv6_routes : cfg->vrfs[v].ipv4_routes;
			long long now =
				(long long)rib_count_vrf(ld->cp->state.rib, (uint16_t)v, f ? 6 : 4);

			if (now + delta[v][f] > (long long)cap)
				load_error(
					ld, 0,
					"VRF '%s' would hold %lld IPv%d routes, over its capacity "
					"%u (raise vrfs.ipv%d_routes in %s)",
					cfg->vrfs[v].name, now + delta[v][f], f ? 6 : 4, cap,
					f ? 6 : 4, cfg->path);
		}
	free(delta);
}

static json_t *apply(struct load *ld, struct waiter *w)
{
	uint64_t added = 0, replaced = 0, unchanged = 0, withdrawn = 0, absent = 0;

	for (size_t i = 0; i < ld->n; i++) {
		const struct cp_op *op = &ld->items[i];
		int rc;

		if (op->type == ERDP_MSG_ROUTE_DEL) {
			rc = req_route_del(ld->cp, op->id, op->family, op->addr, op->len, op->line);
			rc == 0 ? withdrawn++ : absent++;
			continue;
		}
		struct rib_route rt = {.vrf = op->id,
				       .family = op->family,
				       .len = op->len,
				       .nh = op->nh,
				       .origin = RIB_ORIGIN_RUNTIME};

		memcpy(rt.addr, op->addr, 16);
		rc = req_route_set(ld->cp, &rt, op->line);
		if (rc == RIB_ADDED)
			added++;
		else if (rc == RIB_REPLACED)
			replaced++;
		else if (rc == RIB_UNCHANGED)
			unchanged++;
		else
			return reply_error("%s:%u: cannot enter the RIB: %s", ld->name, op->line,
					   strerror(-rc));
	}
	json_object_set_new(w->result, "file", json_string(ld->name));
	json_object_set_new(w->result, "lines", json_integer((json_int_t)ld->lines));
	json_object_set_new(w->result, "routes", json_integer((json_int_t)ld->n));
	json_object_set_new(w->result, "added", json_integer((json_int_t)added));
	json_object_set_new(w->result, "replaced", json_integer((json_int_t)replaced));
	json_object_set_new(w->result, "unchanged", json_integer((json_int_t)unchanged));
	json_object_set_new(w->result, "withdrawn", json_integer((json_int_t)withdrawn));
	json_object_set_new(w->result, "not_found", json_integer((json_int_t)absent));
	cp_log("route load %s: %zu routes (%llu added, %llu replaced, %llu unchanged, %llu "
	       "withdrawn, %llu not found)",
	       ld->name, ld->n, (unsigned long long)added, (unsigned long long)replaced,
	       (unsigned long long)unchanged, (unsigned long long)withdrawn,
	       (unsigned long long)absent);
	return NULL;
}

/* erdp's connected routes are its own: a file that names one is refused, like route add. */
static void check_connected(struct load *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		const struct cp_op *op = &ld->items[i];
		char why[400], p[CP_PREFIX_STR];

		if (state_connected(&ld->cp->state, ld->cp->cfg, op->id, op->family, op->addr,
				    op->len, why, sizeof(why)))
			load_error(ld, op->line, "prefix: %s %s",
				   prefix_format(op->family, op->addr, op->len, p, sizeof(p)), why);
	}
}

static void load_free(void *ctx)
{
	struct load *ld = ctx;

	json_decref(ld->errors);
	free(ld->items);
	free(ld->name);
	free(ld);
}

/*
 * The whole file is in: check it, then apply it; the reply waits for
 * erdp's acks. (Or reading it failed: why says how.)
 */
static void load_end(struct conn *c, void *ctx, const char *why, bool busy)
{
	struct load *ld = ctx;
	struct cp *cp = ld->cp;
	json_t *reply;
	struct waiter *w;

	if (why != NULL) {
		server_reply(c, busy ? reply_busy("%s: %s", ld->name, why)
				     : reply_error("%s: %s", ld->name, why));
		load_free(ld);
		return;
	}
	if (ld->part_len != 0 || ld->part_long)
		part_take(ld); /* the last line had no LF */
	if (ld->n_errors == 0)
		check_capacity(ld);
	if (ld->n_errors == 0)
		check_connected(ld);
	if (ld->n_errors != 0) {
		reply = reply_error("%s: %llu error%s, nothing loaded; first: %s", ld->name,
				    (unsigned long long)ld->n_errors, ld->n_errors > 1 ? "s" : "",
				    json_string_value(json_array_get(ld->errors, 0)));
		json_object_set(reply, "errors", ld->errors);
		server_reply(c, reply);
		load_free(ld);
		return;
	}
	w = req_waiter(cp, c);
	if (w == NULL) {
		server_reply(c, reply_busy("erdp-cp: out of memory"));
		load_free(ld);
		return;
	}
	w->start = ld->t0;
	reply = apply(ld, w);
	json_object_set_new(w->result, "parse_seconds", json_real(cp_now() - ld->t0));
	if (reply != NULL)
		json_object_set_new(
			w->result, "error",
			json_string(json_string_value(json_object_get(reply, "error"))));
	json_decref(reply);
	load_free(ld);
	waiter_commit(cp, w);
}

static const struct server_file_ops load_ops = {
	.data = load_data,
	.end = load_end,
	.gone = load_free,
};

void req_route_load(struct cp *cp, struct conn *c, json_t *req)
{
	json_t *err = NULL;
	const char *name = req_str(req, "name", &err);
	int fd = server_take_fd(c);
	struct load *ld;

	if (name == NULL) {
		if (fd >= 0)
			close(fd);
		server_reply(c, err);
		return;
	}
	if (fd == -EMFILE) {
		server_reply(c, reply_busy("%s: erdp-cp could not receive the file descriptor: "
					   "out of file descriptors (raise its ulimit -n); retry",
					   name));
		return;
	}
	if (fd < 0) {
		server_reply(c, reply_error("route-load: no file descriptor came with the request "
					    "(erdpctl passes the open file with SCM_RIGHTS)"));
		return;
	}
	ld = calloc(1, sizeof(*ld));
	if (ld != NULL) {
		*ld = (struct load){.cp = cp,
				    .t0 = cp_now(),
				    .last_vrf_idx = -1,
				    .last_target_vrf = -1,
				    .name = strdup(name),
				    .errors = json_array()};
	}
	if (ld == NULL || ld->name == NULL || ld->errors == NULL) {
		close(fd);
		if (ld != NULL)
			load_free(ld);
		server_reply(c, reply_busy("%s: erdp-cp: out of memory", name));
		return;
	}
	server_read_file(c, fd, &load_ops, ld);
}
