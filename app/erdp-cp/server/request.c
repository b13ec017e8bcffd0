/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request dispatch and the requests that change state. Every request is
 * validated completely before anything changes; the error names the field
 * and says what would be valid. A change updates the truth (RIB, admin
 * state) and queues its op; the reply waits for erdp's ack (waiter.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp/bgp.h"
#include "server.h"

/* {"ok": false, "error": msg}, with "code" when given. */
static json_t *reply_fail(const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	json_t *r;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	r = json_pack("{s:b,s:s}", "ok", 0, "error", msg);
	if (r != NULL && code != NULL)
		json_object_set_new(r, "code", json_string(code));
	return r;
}

json_t *reply_error(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = reply_fail(NULL, fmt, ap);
	va_end(ap);
	return r;
}

json_t *reply_busy(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = reply_fail("busy", fmt, ap);
	va_end(ap);
	return r;
}

size_t req_text_check(const char *s, size_t n, char *why, size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if ((b >= 0x20 && b != 0x7f) || b == '\t' || (b == '\r' && i + 1 == n))
			continue;
		if (b == '\0')
			snprintf(why, why_len, "NUL byte (0x00)");
		else if (b == '\r')
			snprintf(why, why_len, "carriage return (0x0d) inside the line");
		else
			snprintf(why, why_len, "control byte 0x%02x", b);
		return i + 1;
	}
	return 0;
}

json_t *reply_ok(json_t *result)
{
	return json_pack("{s:b,s:o}", "ok", 1, "result", result != NULL ? result : json_object());
}

const char *req_str(json_t *req, const char *key, json_t **err)
{
	json_t *v = json_object_get(req, key);

	if (!json_is_string(v) || json_string_length(v) == 0) {
		*err = reply_error("request field '%s': %s", key,
				   v == NULL ? "missing" : "must be a non-empty string");
		return NULL;
	}
	return json_string_value(v);
}

int req_int(json_t *req, const char *key, long long min, long long max, long long def, bool def_ok,
	    long long *out, json_t **err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL && def_ok) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		*err = reply_error("request field '%s': %s (an integer %lld..%lld)", key,
				   v == NULL ? "missing" : "out of range or not an integer", min,
				   max);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

int req_updown(json_t *req, json_t **err)
{
	const char *s = req_str(req, "state", err);

	if (s == NULL)
		return -1;
	if (strcmp(s, "up") == 0)
		return 1;
	if (strcmp(s, "down") == 0)
		return 0;
	*err = reply_error("state '%s': must be 'up' or 'down'", s);
	return -1;
}

int req_vrf(struct cp *cp, json_t *req, json_t **err)
{
	const char *name = req_str(req, "vrf", err);
	int v;

	if (name == NULL)
		return -1;
	v = erdp_config_vrf_by_name(cp->cfg, name);
	if (v < 0) {
		char list[512] = "";
		size_t n = 0;

		for (int i = 0; i < cp->cfg->n_vrfs && n < sizeof(list) - 70; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      cp->cfg->vrfs[i].name);
		*err = reply_error("unknown VRF '%s' (VRFs: %s)", name,
				   cp->cfg->n_vrfs ? list : "none configured");
	}
	return v;
}

/* The reply to a change, once erdp acknowledged its ops (or cannot any more). */
static void waiter_done(void *ctx, struct waiter *w, const char *not_applied)
{
	uint64_t n = w->last + 1 - w->first;
	json_t *reply;

	(void)not_applied; /* in w->result already */
	if (ctx == NULL)
		return; /* the client went away */
	if (w->rejected != 0) {
		const char *first = json_string_value(json_array_get(w->rejections, 0));

		reply = reply_error("erdp rejected %llu of %llu changes; first: %s",
				    (unsigned long long)w->rejected, (unsigned long long)n,
				    first ? first : "?");
		json_object_set(reply, "result", w->result);
		json_object_set(reply, "rejections", w->rejections);
	} else {
		reply = reply_ok(json_incref(w->result));
	}
	server_reply(ctx, reply);
}

struct waiter *req_waiter(struct cp *cp, struct conn *c)
{
	return waiter_begin(cp, waiter_done, c);
}

int req_route_set(struct cp *cp, const struct rib_route *rt, uint32_t line)
{
	struct cp_route_prev prev;
	int rc = state_route_set(&cp->state, cp->cfg, rt, &prev);

	if (rc < 0 || rc == RIB_UNCHANGED)
		return rc;
	return chan_queue_route(cp, true, rt, line, &prev) != 0 ? -ENOMEM : rc;
}

int req_route_del(struct cp *cp, uint16_t vrf, uint8_t family, const uint8_t *addr, uint8_t len,
		  uint32_t line)
{
	struct rib_route rt = {.vrf = vrf, .family = family, .len = len};
	const struct rib_route *cur;
	struct cp_route_prev prev;
	int rc;

	memcpy(rt.addr, addr, family == 6 ? 16 : 4);
	cur = rib_find(cp->state.rib, vrf, family, rt.addr, len);
	if (cur != NULL && cur->origin == RIB_ORIGIN_BGP)
		return -ENOENT; /* learned by BGP: not the operator's to delete */
	rc = state_route_del(&cp->state, cp->cfg, vrf, family, rt.addr, len, &prev);
	if (rc != 0)
		return rc;
	/* A BGP route beneath takes the prefix back: erdp replaces the route, no gap. */
	if (bgp_reveal(cp, vrf, family, rt.addr, len, &rt))
		return chan_queue_route(cp, true, &rt, line, &prev);
	return chan_queue_route(cp, false, &rt, line, &prev);
}

json_t *req_connected_error(struct cp *cp, uint16_t vrf, const struct cp_prefix *p, const char *ps)
{
	char why[400];

	if (!state_connected(&cp->state, cp->cfg, vrf, p->family, p->addr, p->len, why,
			     sizeof(why)))
		return NULL;
	return reply_error("prefix %s in VRF '%s' %s", ps, cp->cfg->vrfs[vrf].name, why);
}

/* Queue the ops of a change and answer when erdp has acknowledged them. */
static void changed(struct cp *cp, struct conn *c, struct waiter *w)
{
	if (w == NULL) {
		server_reply(c, reply_error("erdp-cp: out of memory"));
		return;
	}
	waiter_commit(cp, w);
}

static json_t *capacity_error(struct cp *cp, int vrf, uint8_t family)
{
	const struct erdp_vrf_conf *v = &cp->cfg->vrfs[vrf];
	uint32_t cap = family == 6 ? v->ipv6_routes : v->ipv4_routes;

	if (rib_count_vrf(cp->state.rib, (uint16_t)vrf, family) < cap)
		return NULL;
	return reply_error("VRF '%s' holds its IPv%u capacity of %u routes (raise "
			   "vrfs.ipv%u_routes in %s)",
			   v->name, family, cap, family, cp->cfg->path);
}

/* The "vrf" and "prefix" of a route request: the VRF index, or -1 with *err set. */
static int req_route(struct cp *cp, json_t *req, struct cp_prefix *p, const char **ps, json_t **err)
{
	int vrf = req_vrf(cp, req, err);
	char why[300];

	*ps = vrf >= 0 ? req_str(req, "prefix", err) : NULL;
	if (*ps == NULL)
		return -1;
	if (prefix_parse(*ps, p, why, sizeof(why)) != 0) {
		*err = reply_error("prefix: %s", why);
		return -1;
	}
	return vrf;
}

static void route_add(struct cp *cp, struct conn *c, json_t *req)
{
	json_t *err = NULL;
	struct cp_prefix p;
	const char *ps;
	int vrf = req_route(cp, req, &p, &ps, &err);
	const char *ts = vrf >= 0 ? req_str(req, "target", &err) : NULL;
	struct rib_route rt = {.origin = RIB_ORIGIN_RUNTIME};
	struct waiter *w;
	char why[300];
	int rc;

	if (ts == NULL)
		goto fail;
	if (target_parse(cp->cfg, vrf, ts, &rt.nh, why, sizeof(why)) != 0) {
		err = reply_error("%s", why);
		goto fail;
	}
	if ((err = req_connected_error(cp, (uint16_t)vrf, &p, ps)) != NULL)
		goto fail;
	rt.vrf = (uint16_t)vrf;
	rt.family = p.family;
	rt.len = p.len;
	memcpy(rt.addr, p.addr, 16);
	if (rib_find(cp->state.rib, rt.vrf, p.family, p.addr, p.len) == NULL &&
	    (err = capacity_error(cp, vrf, p.family)) != NULL)
		goto fail;
	w = req_waiter(cp, c);
	if (w == NULL) {
		err = reply_error("erdp-cp: out of memory");
		goto fail;
	}
	rc = req_route_set(cp, &rt, 0);
	if (rc < 0) {
		json_object_set_new(w->result, "error", json_string(strerror(-rc)));
	} else {
		json_object_set_new(w->result, "route",
				    json_string(rc == RIB_ADDED	     ? "added"
						: rc == RIB_REPLACED ? "replaced"
								     : "unchanged"));
	}
	changed(cp, c, w);
	return;
fail:
	server_reply(c, err);
}

static void route_del(struct cp *cp, struct conn *c, json_t *req)
{
	const struct rib_route *cur;
	json_t *err = NULL;
	struct cp_prefix p;
	const char *ps;
	int vrf = req_route(cp, req, &p, &ps, &err);
	struct waiter *w;

	if (vrf < 0)
		goto fail;
	if ((err = req_connected_error(cp, (uint16_t)vrf, &p, ps)) != NULL)
		goto fail;
	cur = rib_find(cp->state.rib, (uint16_t)vrf, p.family, p.addr, p.len);
	if (cur == NULL) {
		err = reply_error("no route %s in VRF '%s'", ps, cp->cfg->vrfs[vrf].name);
		goto fail;
	}
	if (cur->origin == RIB_ORIGIN_BGP) {
		char t[200];

		err = reply_error("route %s in VRF '%s' was learned by BGP (%s); erdpctl cannot "
				  "delete it, the customer withdraws it (a route added with "
				  "erdpctl overrides it)",
				  ps, cp->cfg->vrfs[vrf].name,
				  target_format(cp->cfg, cur->nh, t, sizeof(t)));
		goto fail;
	}
	w = req_waiter(cp, c);
	if (w == NULL) {
		err = reply_error("erdp-cp: out of memory");
		goto fail;
	}
	req_route_del(cp, (uint16_t)vrf, p.family, p.addr, p.len, 0);
	json_object_set_new(w->result, "route", json_string("deleted"));
	changed(cp, c, w);
	return;
fail:
	server_reply(c, err);
}

static void gateway_instance(struct cp *cp, struct conn *c, json_t *req)
{
	json_t *err = NULL;
	const char *name = req_str(req, "gateway", &err);
	long long inst;
	int g = -1, up;
	struct cp_op op = {.type = ERDP_MSG_GW_INSTANCE};
	struct waiter *w;

	if (name == NULL)
		goto fail;
	g = erdp_config_gateway_by_name(cp->cfg, name);
	if (g < 0) {
		err = reply_error("unknown gateway '%s' (erdpctl show gateways lists them)", name);
		goto fail;
	}
	if (req_int(req, "instance", 0, cp->cfg->gateways[g].n_instances - 1, 0, false, &inst,
		    &err) != 0)
		goto fail;
	up = req_updown(req, &err);
	if (up < 0)
		goto fail;
	w = req_waiter(cp, c);
	if (w == NULL) {
		err = reply_error("erdp-cp: out of memory");
		goto fail;
	}
	if (state_admin_set(&cp->state, CP_ADMIN_GW_INSTANCE, (uint16_t)g, (uint16_t)inst, up)) {
		op.id = (uint16_t)g;
		op.aux = (uint16_t)inst;
		op.up = (uint8_t)up;
		op.nh = !up; /* the state before, should erdp reject the change */
		chan_queue(cp, &op);
		cp_log("gateway '%s' instance %lld set %s", name, inst, up ? "up" : "down");
	}
	changed(cp, c, w);
	return;
fail:
	server_reply(c, err);
}

static void link_admin(struct cp *cp, struct conn *c, json_t *req, bool port)
{
	json_t *err = NULL;
	const char *name = req_str(req, port ? "port" : "peering", &err), *ls = NULL;
	struct cp_op op = {.type = ERDP_MSG_LINK_ADMIN};
	enum cp_admin kind;
	struct waiter *w;
	int idx, up;

	if (name == NULL)
		goto fail;
	if (port) {
		idx = erdp_config_port_by_name(cp->cfg, name);
		if (idx < 0) {
			err = reply_error("unknown port '%s' (erdpctl show ports lists them)",
					  name);
			goto fail;
		}
		kind = CP_ADMIN_PORT;
		op.aux = ERDP_LINK_TARGET_PORT;
	} else {
		int p = erdp_config_peering_by_name(cp->cfg, name), l;

		if (p < 0) {
			err = reply_error("unknown peering '%s' (write CIRCUIT/private or "
					  "CIRCUIT/microsoft; erdpctl show peerings lists them)",
					  name);
			goto fail;
		}
		ls = req_str(req, "link", &err);
		if (ls == NULL)
			goto fail;
		if (strcmp(ls, "primary") == 0)
			l = ERDP_LINK_PRIMARY;
		else if (strcmp(ls, "secondary") == 0)
			l = ERDP_LINK_SECONDARY;
		else {
			err = reply_error("link '%s': must be 'primary' or 'secondary'", ls);
			goto fail;
		}
		idx = (int)erdp_plink((unsigned int)p, (unsigned int)l);
		kind = CP_ADMIN_PEERING_LINK;
		op.aux = ERDP_LINK_TARGET_PEERING_LINK;
	}
	up = req_updown(req, &err);
	if (up < 0)
		goto fail;
	w = req_waiter(cp, c);
	if (w == NULL) {
		err = reply_error("erdp-cp: out of memory");
		goto fail;
	}
	if (state_admin_set(&cp->state, kind, (uint16_t)idx, 0, up)) {
		op.id = (uint16_t)idx;
		op.up = (uint8_t)up;
		op.nh = !up; /* the state before, should erdp reject the change */
		chan_queue(cp, &op);
		cp_log("%s %s%s%s set %s", port ? "port" : "peering", name, ls ? " " : "",
		       ls ? ls : "", up ? "up" : "down");
		bgp_admin_changed(cp); /* the BGP sessions on it follow */
	}
	changed(cp, c, w);
	return;
fail:
	server_reply(c, err);
}

/* {"cmd": "maintenance", "link": "primary|secondary", "state": "on|off"} */
static json_t *maintenance(struct cp *cp, json_t *req)
{
	json_t *err = NULL;
	const char *ls = req_str(req, "link", &err), *st = ls ? req_str(req, "state", &err) : NULL;
	int link, n;

	if (st == NULL)
		return err;
	if (strcmp(ls, "primary") != 0 && strcmp(ls, "secondary") != 0)
		return reply_error("link '%s': must be 'primary' or 'secondary'", ls);
	if (strcmp(st, "on") != 0 && strcmp(st, "off") != 0)
		return reply_error("state '%s': must be 'on' or 'off'", st);
	link = strcmp(ls, "secondary") == 0 ? ERDP_LINK_SECONDARY : ERDP_LINK_PRIMARY;
	n = bgp_maintenance(cp, link, strcmp(st, "on") == 0);
	if (n < 0)
		return reply_error("BGP is off in %s (bgp.enabled): no sessions to put under "
				   "maintenance",
				   cp->cfg->path);
	return reply_ok(json_pack("{s:s,s:s,s:i,s:i}", "link", ls, "maintenance", st, "sessions", n,
				  "prepend", (int)cp->cfg->bgp.maintenance_prepend));
}

static json_t *status(struct cp *cp)
{
	static const char *const names[] = {"waiting for the segment", "waiting for erdp",
					    "connected"};
	struct chan *ch = &cp->chan;
	json_t *r = json_object();
	char boot[20];

	json_object_set_new(r, "instance", json_string(cp->instance));
	json_object_set_new(r, "config", json_string(cp->cfg->path));
	json_object_set_new(r, "dataplane", json_string(names[ch->state]));
	snprintf(boot, sizeof(boot), "%016llx", (unsigned long long)ch->dp_boot_id);
	json_object_set_new(r, "dataplane_boot_id", json_string(ch->state == CHAN_UP ? boot : ""));
	snprintf(boot, sizeof(boot), "%016llx", (unsigned long long)ch->boot_id);
	json_object_set_new(r, "boot_id", json_string(boot));
	json_object_set_new(r, "routes", json_integer((json_int_t)rib_count(cp->state.rib)));
	json_object_set_new(r, "full_syncs", json_integer((json_int_t)ch->n_syncs));
	json_object_set_new(r, "sync_in_progress", json_boolean(ch->sync_end != UINT64_MAX));
	json_object_set_new(r, "messages_sent", json_integer((json_int_t)ch->n_sent));
	json_object_set_new(r, "messages_acknowledged", json_integer((json_int_t)ch->n_acked));
	json_object_set_new(r, "messages_rejected", json_integer((json_int_t)ch->n_rejected));
	json_object_set_new(r, "messages_queued",
			    json_integer((json_int_t)(ch->q.head - ch->q.sent)));
	json_object_set_new(r, "messages_in_flight",
			    json_integer((json_int_t)(ch->q.sent - ch->q.tail)));
	json_object_set_new(r, "rolled_back", json_integer((json_int_t)ch->n_rolled_back));
	json_object_set_new(r, "dataplane_stalls", json_integer((json_int_t)ch->n_stalls));
	json_object_set_new(r, "dataplane_timeout_s", json_real(ch->dp_timeout));
	json_object_set_new(r, "runtime_prefixes", json_integer((json_int_t)cp->state.n_runtime));
	json_object_set_new(r, "state_file", json_string(store_path(cp->store)));
	if (store_error(cp->store) != NULL)
		json_object_set_new(r, "state_file_error", json_string(store_error(cp->store)));
	return r;
}

void req_handle(struct cp *cp, struct conn *c, const char *line, size_t len, uint64_t lineno)
{
	json_error_t jerr;
	json_t *req, *reply = NULL;
	const char *cmd;
	char why[64];
	size_t col = req_text_check(line, len, why, sizeof(why));

	/* Not even a NUL may hide what follows it: the whole line is the request. */
	if (col != 0) {
		server_reply(c, reply_error("request line %llu, column %zu: %s; a request is one "
					    "line of JSON text",
					    (unsigned long long)lineno, col, why));
		return;
	}
	req = json_loadb(line, len, 0, &jerr);
	if (!json_is_object(req)) {
		server_reply(c,
			     reply_error("request line %llu is not a JSON object: %s (column %d)",
					 (unsigned long long)lineno,
					 req ? "not an object" : jerr.text, jerr.column));
		json_decref(req);
		return;
	}
	cmd = req_str(req, "cmd", &reply);
	if (cmd == NULL)
		;
	else if (strncmp(cmd, "show-", 5) == 0)
		reply = req_show(cp, cmd + 5, req);
	else if (strcmp(cmd, "lookup") == 0)
		reply = req_lookup(cp, req);
	else if (strcmp(cmd, "status") == 0)
		reply = reply_ok(status(cp));
	else if (strcmp(cmd, "route-add") == 0)
		route_add(cp, c, req);
	else if (strcmp(cmd, "route-del") == 0)
		route_del(cp, c, req);
	else if (strcmp(cmd, "route-load") == 0)
		req_route_load(cp, c, req);
	else if (strcmp(cmd, "gateway-instance") == 0)
		gateway_instance(cp, c, req);
	else if (strcmp(cmd, "link") == 0)
		link_admin(cp, c, req, false);
	else if (strcmp(cmd, "port") == 0)
		link_admin(cp, c, req, true);
	else if (strcmp(cmd, "verify") == 0)
		reply = req_verify(cp, req);
	else if (strcmp(cmd, "runtime-export") == 0)
		reply = req_runtime_export(cp);
	else if (strcmp(cmd, "maintenance") == 0)
		reply = maintenance(cp, req);
	else
		reply = reply_error("unknown command '%s' (see docs/control-plane.md)", cmd);
	if (reply != NULL)
		server_reply(c, reply);
	json_decref(req);
}
