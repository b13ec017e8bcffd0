/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdpctl verify [VRF]: erdp-cp's RIB against what erdp holds, route by
 * route, so that "one truth" is something an operator (and every cp test)
 * can check rather than assume.
 *
 * 1. Wait until erdp has acknowledged everything queued (a still picture:
 *    the event loop serves nothing else until the answer is out).
 * 2. Digests (/erdp/routes/digest): per VRF and family, erdp's route count
 *    and digest (lib/ctl/erdp_ctl_digest.h) and its FIB's own count,
 *    against the RIB's; a million equal routes cost one comparison.
 * 3. Where they differ (or with "full"), the VRF's routes are read page by
 *    page (/erdp/routes) into a RIB of their own and compared with ours:
 *    in the RIB only, in erdp only, another next hop, and routes erdp's
 *    table has but its FIB does not hold with that next hop ("fib!").
 *
 * The answer is an error (erdpctl exits 1) listing the differences, at most
 * VERIFY_MAX_LIST of them, or ok with the counts compared.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define VERIFY_DRAIN_S	60   /* erdp must acknowledge what is queued within this */
#define VERIFY_MAX_LIST 1000 /* differences listed (all are counted) */

struct verify {
	struct cp *cp;
	struct tel *tel;
	int only_vrf; /* -1: all */
	bool full;
	struct rib_digest (*mine)[2];
	/* (vrf, family) pairs to compare route by route */
	struct {
		uint16_t vrf;
		uint8_t family;
	} * todo;
	size_t n_todo;
	json_t *diffs;
	uint64_t n_diffs, erdp_routes, rib_routes, listed_routes;
	struct erdp_err err;
};

static void diff(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void diff(struct verify *v, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	v->n_diffs++;
	if (json_array_size(v->diffs) >= VERIFY_MAX_LIST)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(v->diffs, json_string(line));
}

static json_int_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* One VRF's digests from erdp against the RIB's; differing families go on the list. */
static void compare_digest(struct verify *v, json_t *e)
{
	static const char *const fam[2] = {"ipv4", "ipv6"};
	const char *name = json_string_value(json_object_get(e, "vrf"));
	int vrf = name != NULL ? erdp_config_vrf_by_name(v->cp->cfg, name) : -1;

	if (vrf < 0) {
		diff(v, "VRF '%s': erdp has it, erdp-cp's config does not", name ? name : "?");
		return;
	}
	if (v->only_vrf >= 0 && vrf != v->only_vrf)
		return;
	for (int f = 0; f < 2; f++) {
		const struct rib_digest *d = &v->mine[vrf][f];
		char key[32], hex[24];
		json_int_t count, fib;
		const char *theirs;

		snprintf(key, sizeof(key), "%s_routes", fam[f]);
		count = num(e, key);
		snprintf(key, sizeof(key), "%s_fib", fam[f]);
		fib = num(e, key);
		snprintf(key, sizeof(key), "%s_digest", fam[f]);
		theirs = json_string_value(json_object_get(e, key));
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)d->sum);
		v->erdp_routes += (uint64_t)count;
		v->rib_routes += d->count;
		if (fib != count)
			diff(v,
			     "VRF '%s' IPv%d: erdp's route table holds %lld routes, its FIB %lld",
			     name, f ? 6 : 4, (long long)count, (long long)fib);
		if (v->full || fib != count || (uint64_t)count != d->count || theirs == NULL ||
		    strcmp(theirs, hex) != 0) {
			v->todo[v->n_todo].vrf = (uint16_t)vrf;
			v->todo[v->n_todo++].family = (uint8_t)(f ? 6 : 4);
		}
	}
}

static int digests(struct verify *v)
{
	json_int_t start = 0;

	for (;;) {
		char cmd[64];
		json_t *page, *e, *next;
		const char *k;

		snprintf(cmd, sizeof(cmd), "/erdp/routes/digest,%lld", (long long)start);
		if (tel_cmd(v->tel, cmd, &page, &v->err) != 0)
			return -1;
		if (json_object_get(page, "error") != NULL) {
			erdp_errf(&v->err, EIO, "erdp: %s",
				  json_string_value(json_object_get(page, "error")));
			json_decref(page);
			return -1;
		}
		json_object_foreach(json_object_get(page, "vrfs"), k, e) compare_digest(v, e);
		next = json_object_get(page, "next");
		start = json_is_integer(next) ? json_integer_value(next) : -1;
		json_decref(page);
		if (start < 0)
			return 0;
	}
}

/* "10.0.0.0/8 gateway#3[ fib!]" -> route and whether the FIB agrees. */
static int parse_listed(const char *s, uint16_t vrf, struct rib_route *rt, bool *fib_ok)
{
	char buf[160], *sp, *t, why[200];
	struct cp_prefix p;
	unsigned long idx;

	snprintf(buf, sizeof(buf), "%s", s);
	sp = strchr(buf, ' ');
	if (sp == NULL)
		return -EINVAL;
	*sp = '\0';
	t = sp + 1;
	*fib_ok = strstr(t, " fib!") == NULL;
	if (prefix_parse(buf, &p, why, sizeof(why)) != 0)
		return -EINVAL;
	memset(rt, 0, sizeof(*rt));
	rt->vrf = vrf;
	rt->family = p.family;
	rt->len = p.len;
	rt->origin = RIB_ORIGIN_RUNTIME;
	memcpy(rt->addr, p.addr, 16);
	idx = strtoul(strchr(t, '#') != NULL ? strchr(t, '#') + 1 : "0", NULL, 10);
	if (strncmp(t, "gateway#", 8) == 0)
		rt->nh = ERDP_NH_REF_GATEWAY(idx);
	else if (strncmp(t, "peering#", 8) == 0)
		rt->nh = ERDP_NH_REF_PEERING(idx);
	else
		rt->nh = ERDP_NH_REF_BLACKHOLE;
	return 0;
}

/* Every route erdp holds in (vrf, family), into `view`. */
static int listing(struct verify *v, uint16_t vrf, uint8_t family, struct rib *view)
{
	const char *name = v->cp->cfg->vrfs[vrf].name;
	json_int_t start = 0;

	for (;;) {
		char cmd[128], p[CP_PREFIX_STR], t[200];
		json_t *page, *e, *next;
		size_t i;

		snprintf(cmd, sizeof(cmd), "/erdp/routes,%s,%u,%lld", name, family,
			 (long long)start);
		if (tel_cmd(v->tel, cmd, &page, &v->err) != 0)
			return -1;
		json_array_foreach(json_object_get(page, "routes"), i, e)
		{
			struct rib_route rt;
			bool fib_ok;

			if (parse_listed(json_string_value(e), vrf, &rt, &fib_ok) != 0) {
				diff(v, "VRF '%s': erdp listed '%s', which is not a route", name,
				     json_string_value(e));
				continue;
			}
			v->listed_routes++;
			if (!fib_ok)
				diff(v,
				     "VRF '%s' %s: erdp's route table has it (%s), its FIB does "
				     "not hold it with that next hop",
				     name, prefix_format(rt.family, rt.addr, rt.len, p, sizeof(p)),
				     target_format(v->cp->cfg, rt.nh, t, sizeof(t)));
			if (rib_set(view, &rt, NULL) < 0) {
				json_decref(page);
				return erdp_errf(&v->err, ENOMEM, "verify: out of memory");
			}
		}
		next = json_object_get(page, "next");
		start = json_is_integer(next) ? json_integer_value(next) : -1;
		json_decref(page);
		if (start < 0)
			return 0;
	}
}

static void on_diff(void *arg, const struct rib_route *rt, const uint32_t *rib_nh,
		    const uint32_t *erdp_nh)
{
	struct verify *v = arg;
	char p[CP_PREFIX_STR], a[200], b[200];
	const char *vrf = v->cp->cfg->vrfs[rt->vrf].name;

	prefix_format(rt->family, rt->addr, rt->len, p, sizeof(p));
	if (erdp_nh == NULL)
		diff(v, "VRF '%s' %s: in the RIB (%s), missing in erdp", vrf, p,
		     target_format(v->cp->cfg, *rib_nh, a, sizeof(a)));
	else if (rib_nh == NULL)
		diff(v, "VRF '%s' %s: in erdp (%s), missing in the RIB", vrf, p,
		     target_format(v->cp->cfg, *erdp_nh, b, sizeof(b)));
	else
		diff(v, "VRF '%s' %s: the RIB says %s, erdp %s", vrf, p,
		     target_format(v->cp->cfg, *rib_nh, a, sizeof(a)),
		     target_format(v->cp->cfg, *erdp_nh, b, sizeof(b)));
}

static int route_by_route(struct verify *v)
{
	for (size_t i = 0; i < v->n_todo; i++) {
		struct rib *view = rib_create((unsigned int)v->cp->cfg->n_vrfs);
		int rc;

		if (view == NULL)
			return erdp_errf(&v->err, ENOMEM, "verify: out of memory");
		rc = listing(v, v->todo[i].vrf, v->todo[i].family, view);
		if (rc == 0)
			rib_diff(v->cp->state.rib, view, v->todo[i].vrf, v->todo[i].family, on_diff,
				 v);
		rib_free(view);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static json_t *result(struct verify *v, double t0)
{
	json_t *r = json_object();

	json_object_set_new(
		r, "vrf", json_string(v->only_vrf >= 0 ? v->cp->cfg->vrfs[v->only_vrf].name : "*"));
	json_object_set_new(r, "equal", json_boolean(v->n_diffs == 0));
	json_object_set_new(r, "rib_routes", json_integer((json_int_t)v->rib_routes));
	json_object_set_new(r, "erdp_routes", json_integer((json_int_t)v->erdp_routes));
	json_object_set_new(r, "listed", json_integer((json_int_t)v->n_todo));
	json_object_set_new(r, "listed_routes", json_integer((json_int_t)v->listed_routes));
	json_object_set_new(r, "differences", json_integer((json_int_t)v->n_diffs));
	json_object_set_new(r, "seconds", json_real(cp_now() - t0));
	return r;
}

json_t *req_verify(struct cp *cp, json_t *req)
{
	struct verify v = {.cp = cp, .only_vrf = -1};
	double t0 = cp_now();
	json_t *err = NULL, *reply;
	int rc;

	if (json_object_get(req, "vrf") != NULL && (v.only_vrf = req_vrf(cp, req, &err)) < 0)
		return err;
	v.full = json_is_true(json_object_get(req, "full"));
	if (cp->chan.state != CHAN_UP)
		return reply_error("verify: erdp is not connected (dataplane: waiting): there is "
				   "nothing to compare the RIB with");
	if (!chan_drain(cp, VERIFY_DRAIN_S))
		return reply_error("verify: erdp did not acknowledge what is queued within %d s, "
				   "or went away; try again",
				   VERIFY_DRAIN_S);
	v.mine = calloc((size_t)cp->cfg->n_vrfs + 1, sizeof(*v.mine));
	v.todo = calloc(2 * (size_t)cp->cfg->n_vrfs + 2, sizeof(*v.todo));
	v.diffs = json_array();
	if (v.mine == NULL || v.todo == NULL || v.diffs == NULL) {
		rc = erdp_errf(&v.err, ENOMEM, "verify: out of memory");
		goto out;
	}
	rib_digests(cp->state.rib, v.mine);
	v.tel = tel_open(cp, &v.err);
	rc = v.tel != NULL ? digests(&v) : -1;
	if (rc == 0)
		rc = route_by_route(&v);
out:
	if (rc != 0)
		reply = reply_error("verify: %s", v.err.msg);
	else if (v.n_diffs != 0) {
		reply = reply_error("verify: %llu difference%s between erdp-cp's RIB and erdp",
				    (unsigned long long)v.n_diffs, v.n_diffs > 1 ? "s" : "");
		json_object_set_new(reply, "result", result(&v, t0));
		json_object_set(reply, "differences", v.diffs);
	} else {
		reply = reply_ok(result(&v, t0));
	}
	if (rc == 0)
		cp_log("verify: %llu routes in the RIB, %llu in erdp, %llu difference%s (%.3f s)",
		       (unsigned long long)v.rib_routes, (unsigned long long)v.erdp_routes,
		       (unsigned long long)v.n_diffs, v.n_diffs == 1 ? "" : "s", cp_now() - t0);
	tel_close(v.tel);
	json_decref(v.diffs);
	free(v.mine);
	free(v.todo);
	return reply;
}
