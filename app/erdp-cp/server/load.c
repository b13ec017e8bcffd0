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
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "server.h"

#define MAX_ERRORS 20

struct load {
	struct cp *cp;
	const char *name;
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

static int read_all(int fd, char **out, size_t *len, struct erdp_err *err)
{
	struct stat st;
	size_t cap = 1 << 20, n = 0;
	char *buf;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	if (buf == NULL)
		return erdp_errf(err, ENOMEM, "out of memory for a %zu-byte file", cap);
	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				free(buf);
				return erdp_errf(err, ENOMEM, "out of memory reading the file");
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return erdp_errf(err, e, "read: %s", strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Split off the next whitespace-separated field; NULL at the end or at '#'. */
static char *next_field(char **p)
{
	char *s = *p, *f;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	f = s;
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r')
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

static void parse_all(struct load *ld, char *buf, size_t len)
{
	char *s = buf, *end = buf + len;

	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));

		if (nl != NULL)
			*nl = '\0';
		ld->lines++;
		parse_line(ld, s, ld->lines);
		if (nl == NULL)
			break;
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

void req_route_load(struct cp *cp, struct conn *c, json_t *req)
{
	struct load ld = {.cp = cp, .last_vrf_idx = -1, .last_target_vrf = -1};
	double t0 = cp_now();
	json_t *err = NULL, *reply;
	struct erdp_err e = {0};
	struct waiter *w;
	char *buf = NULL;
	size_t len = 0;
	int fd = server_take_fd(c);

	ld.name = req_str(req, "name", &err);
	if (ld.name == NULL) {
		if (fd >= 0)
			close(fd);
		server_reply(c, err);
		return;
	}
	if (fd < 0) {
		server_reply(c, reply_error("route-load: no file descriptor came with the request "
					    "(erdpctl passes the open file with SCM_RIGHTS)"));
		return;
	}
	if (read_all(fd, &buf, &len, &e) != 0) {
		close(fd);
		server_reply(c, reply_error("%s: %s", ld.name, e.msg));
		return;
	}
	close(fd);
	ld.errors = json_array();
	parse_all(&ld, buf, len);
	free(buf);
	if (ld.n_errors == 0)
		check_capacity(&ld);
	if (ld.n_errors == 0)
		check_connected(&ld);
	if (ld.n_errors != 0) {
		reply = reply_error("%s: %llu error%s, nothing loaded; first: %s", ld.name,
				    (unsigned long long)ld.n_errors, ld.n_errors > 1 ? "s" : "",
				    json_string_value(json_array_get(ld.errors, 0)));
		json_object_set_new(reply, "errors", ld.errors);
		server_reply(c, reply);
		free(ld.items);
		return;
	}
	json_decref(ld.errors);
	w = req_waiter(cp, c);
	if (w == NULL) {
		free(ld.items);
		server_reply(c, reply_error("erdp-cp: out of memory"));
		return;
	}
	w->start = t0;
	reply = apply(&ld, w);
	free(ld.items);
	json_object_set_new(w->result, "parse_seconds", json_real(cp_now() - t0));
	if (reply != NULL)
		json_object_set_new(
			w->result, "error",
			json_string(json_string_value(json_object_get(reply, "error"))));
	json_decref(reply);
	waiter_commit(cp, w);
}
