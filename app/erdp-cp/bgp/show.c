/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What erdpctl shows of BGP (show bgp, show bfd) and the copy for the
 * metrics endpoint. Sessions are as bgpd and bfdd last answered (at most
 * BGP_POLL_S old: `polled_s_ago` says how old); FRR, FPM and the counts are
 * erdp-cp's own.
 */
#include <stdio.h>
#include <string.h>

#include "bgp_priv.h"

static const char *link_str(int link)
{
	return link == ERDP_LINK_SECONDARY ? "secondary" : "primary";
}

static void session_stat(const struct cp *cp, const struct bgp_peering *p, int i, double now,
			 struct bgp_session_stat *o)
{
	const struct bgp_session *s = &p->s[i];
	const struct frr_session *fs = &p->spec.s[i];

	memset(o, 0, sizeof(*o));
	snprintf(o->peering, sizeof(o->peering), "%s", cp->cfg->peerings[p->index].name);
	snprintf(o->link, sizeof(o->link), "%s", link_str(fs->link));
	o->family = fs->family;
	snprintf(o->neighbor, sizeof(o->neighbor), "%s", fs->neighbor);
	snprintf(o->state, sizeof(o->state), "%s", s->known ? s->state : "unknown");
	o->established = s->known && s->established;
	o->uptime_s = o->established ? now - s->up_since : 0;
	o->prefixes_received = s->pfx_rcvd;
	o->prefixes_advertised = s->pfx_sent;
	o->prefix_limit =
		s->limit ? s->limit : (fs->family == 6 ? p->spec.max_prefix6 : p->spec.max_prefix4);
	o->prefix_limit_drops = s->pfx_limit_drops;
	o->session_drops = s->drops;
	o->maintenance = s->maint;
	o->admin_down = s->shut;
	snprintf(o->bfd, sizeof(o->bfd), "%s", s->bfd);
	snprintf(o->last_error, sizeof(o->last_error), "%s", s->last_error);
}

size_t bgp_sessions(const struct cp *cp, struct bgp_session_stat *out, size_t max)
{
	const struct bgp *b = cp->bgp;
	double now = cp_now();
	size_t n = 0;

	for (int i = 0; b != NULL && i < b->n; i++)
		for (int k = 0; k < b->p[i].n_sessions; k++, n++)
			if (n < max)
				session_stat(cp, &b->p[i], k, now, &out[n]);
	return n;
}

static json_t *session_json(const struct cp *cp, const struct bgp_peering *p, int i, double now)
{
	struct bgp_session_stat st;

	session_stat(cp, p, i, now, &st);
	return json_pack(
		"{s:s,s:i,s:s,s:s,s:s,s:b,s:f,s:I,s:I,s:I,s:I,s:I,s:b,s:s,s:s,s:s}", "link",
		st.link, "family", st.family, "neighbor", st.neighbor, "local", p->spec.s[i].local,
		"state", st.state, "established", st.established, "uptime_s", st.uptime_s,
		"prefixes_received", (json_int_t)st.prefixes_received, "prefixes_advertised",
		(json_int_t)st.prefixes_advertised, "prefix_limit", (json_int_t)st.prefix_limit,
		"prefix_limit_drops", (json_int_t)st.prefix_limit_drops, "session_drops",
		(json_int_t)st.session_drops, "maintenance", st.maintenance, "admin",
		st.admin_down ? "down" : "up", "bfd", st.bfd, "last_error", st.last_error);
}

static json_t *fpm_json(const struct bgp_peering *p, double now)
{
	const struct fpm_conn_stats *st = &p->st;
	json_t *closes = json_object(), *o;
	char state[80];

	for (int e = 1; e < FPM_ERR_COUNT; e++)
		if (st->closes[e] != 0)
			json_object_set_new(closes, fpm_err_str(-e),
					    json_integer((json_int_t)st->closes[e]));
	if (p->conn_fd >= 0)
		snprintf(state, sizeof(state), "connected");
	else if (p->lost_at != 0)
		snprintf(state, sizeof(state), "lost %.0f s ago (routes kept for %.0f s)",
			 now - p->lost_at, BGP_FPM_GRACE_S);
	else
		snprintf(state, sizeof(state), "waiting for zebra");
	o = json_pack(
		"{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:s}",
		"state", state, "connections", (json_int_t)st->connections, "frames",
		(json_int_t)st->c.frames, "messages", (json_int_t)st->c.messages, "routes_added",
		(json_int_t)st->routes_added, "routes_replaced", (json_int_t)st->routes_replaced,
		"routes_deleted", (json_int_t)st->routes_deleted, "ignored_protocol",
		(json_int_t)st->ignored_protocol, "ignored_table", (json_int_t)st->ignored_table,
		"ignored_type", (json_int_t)st->c.ignored_type, "ignored_family",
		(json_int_t)st->c.ignored_family, "no_nexthop", (json_int_t)st->no_nexthop,
		"unknown_gateway", (json_int_t)st->unknown_gateway, "vrf_full",
		(json_int_t)st->vrf_full, "stale_swept", (json_int_t)st->stale_swept,
		"grace_expired", (json_int_t)st->grace_expired, "closes", closes, "last_close",
		st->last_close);
	json_object_set_new(o, "replaced", json_integer((json_int_t)st->replaced));
	json_object_set_new(o, "eof", json_integer((json_int_t)st->eof));
	return o;
}

static json_t *peering_json(const struct cp *cp, const struct bgp_peering *p, double now)
{
	const struct erdp_peering_conf *pc = &cp->cfg->peerings[p->index];
	json_t *sessions = json_array(), *adv = json_array(), *pids = json_object(), *o;
	char state[64];

	for (int i = 0; i < p->n_sessions; i++)
		json_array_append_new(sessions, session_json(cp, p, i, now));
	for (int i = 0; i < p->spec.n_networks; i++)
		json_array_append_new(adv, json_string(p->spec.networks[i]));
	for (int d = 0; d < FRR_DAEMONS; d++)
		json_object_set_new(pids, frr_daemon_name(d), json_integer(p->d[d].pid));
	o = json_pack("{s:s,s:s,s:s,s:I,s:{s:s,s:b,s:I,s:s,s:o},s:o,s:{s:I,s:I},s:o,s:o}", "name",
		      pc->name, "namespace", p->ns, "vrf", cp->cfg->vrfs[pc->vrf].name, "peer_asn",
		      (json_int_t)pc->peer_asn, "frr", "state",
		      frr_state_str(p, now, state, sizeof(state)), "adopted", p->adopted,
		      "restarts", (json_int_t)p->restarts, "last_exit", p->last_exit, "pids", pids,
		      "fpm", fpm_json(p, now), "routes", "ipv4",
		      (json_int_t)table_count(cp->bgp, p->index, 4), "ipv6",
		      (json_int_t)table_count(cp->bgp, p->index, 6), "advertised", adv, "sessions",
		      sessions);
	json_object_set_new(o, "polled_s_ago",
			    p->polled_at > 0 ? json_real(now - p->polled_at) : json_null());
	return o;
}

json_t *bgp_show(struct cp *cp)
{
	const struct bgp *b = cp->bgp;
	json_t *arr = json_array();
	double now = cp_now();

	for (int i = 0; i < b->n; i++)
		json_array_append_new(arr, peering_json(cp, &b->p[i], now));
	return json_pack("{s:o,s:{s:b,s:b},s:i}", "peerings", arr, "maintenance", "primary",
			 b->maint[ERDP_LINK_PRIMARY], "secondary", b->maint[ERDP_LINK_SECONDARY],
			 "maintenance_prepend", (int)cp->cfg->bgp.maintenance_prepend);
}

json_t *bgp_show_bfd(struct cp *cp)
{
	const struct bgp *b = cp->bgp;
	json_t *arr = json_array(), *e;
	size_t k;

	for (int i = 0; i < b->n; i++) {
		const struct bgp_peering *p = &b->p[i];

		json_array_foreach(p->bfd_json, k, e)
		{
			const char *peer = json_string_value(json_object_get(e, "peer"));
			json_t *row =
				json_pack("{s:s}", "peering", cp->cfg->peerings[p->index].name);

			for (int s = 0; peer != NULL && s < p->n_sessions; s++)
				if (strcmp(peer, p->spec.s[s].neighbor) == 0)
					json_object_set_new(
						row, "link",
						json_string(link_str(p->spec.s[s].link)));
			json_object_update(row, e);
			json_array_append_new(arr, row);
		}
	}
	return json_pack("{s:o}", "sessions", arr);
}
