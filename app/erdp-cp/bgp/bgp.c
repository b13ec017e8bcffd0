/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgp/'s start and loop turn, and the sessions.
 *
 * Sessions are FRR's; erdp-cp asks bgpd ("show bgp neighbors json") and
 * bfdd ("show bfd peers json") once per BGP_POLL_S, and at once after a
 * change it wants (bgp_kick). From each answer it counts what it must
 * count itself (a session leaving Established, a prefix-limit drop) and
 * reconciles what it wants with what bgpd says it has:
 *   - admin down: a session whose link (erdpctl link) or port (erdpctl
 *     port) is admin down is shut down (`neighbor X shutdown`: the customer
 *     gets a Cease at once), and brought back when it is up again;
 *   - maintenance: the sessions of a link under maintenance advertise
 *     through MSEE-OUT-MAINT (the longer AS path);
 *   - BFD: the profile goes on a neighbour once it has been Established
 *     since its bgpd started (FINDINGS F1: earlier, FRR 8.4 resets the BFD
 *     session at the first Established and the customer drops BGP).
 * Acting on what bgpd reports, not on what erdp-cp did, also covers a
 * restarted or adopted bgpd: the next answer shows what is missing. A fix
 * is sent at most once per answer, and the next question is asked after
 * it on the same connection, so its answer already shows the fix.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "bgp_priv.h"

#define BGP_EOR_FALLBACK_S 3.0 /* a customer without End-of-RIB: its table is in by then */

/* ExpressRoute's prefix limits on what the customer advertises, per session. */
#define LIMIT_PRIVATE4	       4000
#define LIMIT_PRIVATE4_PREMIUM 10000
#define LIMIT_PRIVATE6	       100
#define LIMIT_MICROSOFT	       200

enum { POLL_BGPD = 1, POLL_BFDD = 2 };

/* What an entry of bgp_poll's set is: pidfds of zebra, bfdd, bgpd, then these; per peering. */
enum poll_kind { PK_LISTEN = FRR_DAEMONS, PK_CONN, PK_VTY_BGPD, PK_VTY_BFDD, PK_PER_PEERING };

bool bgp_enabled(const struct cp *cp)
{
	return cp->bgp != NULL;
}

static void addr4(uint32_t host, char *buf)
{
	uint32_t a = htonl(host);

	inet_ntop(AF_INET, &a, buf, FRR_ADDR_STR);
}

/* The prefixes a peering advertises: private, its VRF's gateway prefixes; Microsoft, its own. */
static int networks(const struct erdp_config *cfg, struct bgp_peering *p)
{
	const struct erdp_peering_conf *pc = &cfg->peerings[p->index];
	int n = 0, cap = pc->type == ERDP_PEERING_MICROSOFT ? pc->n_advertise : cfg->n_routes;

	p->networks = calloc((size_t)(cap ? cap : 1), sizeof(*p->networks));
	if (p->networks == NULL)
		return -ENOMEM;
	for (int i = 0; i < cap; i++) {
		const struct erdp_route_prefix *rp = NULL;
		struct erdp_route_prefix g;
		uint32_t a;

		if (pc->type == ERDP_PEERING_MICROSOFT) {
			rp = &pc->advertise[i];
		} else if (cfg->routes[i].target == ERDP_TARGET_GATEWAY &&
			   cfg->routes[i].vrf == pc->vrf) {
			g = (struct erdp_route_prefix){.v6 = cfg->routes[i].v6,
						       .p4 = cfg->routes[i].p4,
						       .p6 = cfg->routes[i].p6};
			rp = &g;
		}
		if (rp == NULL)
			continue;
		a = htonl(rp->p4.addr);
		prefix_format(rp->v6 ? 6 : 4, rp->v6 ? rp->p6.addr : (const uint8_t *)&a,
			      rp->v6 ? rp->p6.len : rp->p4.len, p->networks[n++], FRR_PREFIX_STR);
	}
	p->spec.networks = p->networks;
	p->spec.n_networks = n;
	return 0;
}

static void add_session(struct bgp_peering *p, uint8_t family, uint8_t link, const char *cust,
			const char *msee)
{
	struct frr_session *s = &p->spec.s[p->spec.n_sessions];

	s->family = family;
	s->link = link;
	snprintf(s->neighbor, sizeof(s->neighbor), "%s", cust);
	snprintf(s->local, sizeof(s->local), "%s", msee);
	p->s[p->spec.n_sessions].spec = p->spec.n_sessions;
	p->spec.n_sessions++;
	p->n_sessions = p->spec.n_sessions;
}

/* The FRR description of peering p (frrconf.h) and the addresses FPM next hops are mapped by. */
static int spec_build(const struct cp *cp, struct bgp_peering *p)
{
	const struct erdp_config *cfg = cp->cfg;
	const struct erdp_peering_conf *pc = &cfg->peerings[p->index];
	struct frr_spec *s = &p->spec;
	char c[FRR_ADDR_STR], m[FRR_ADDR_STR];
	uint8_t a6[16];

	snprintf(s->name, sizeof(s->name), "%s", p->ns);
	snprintf(s->source, sizeof(s->source), "%.250s", cfg->path);
	s->microsoft = pc->type == ERDP_PEERING_MICROSOFT;
	s->peer_as = pc->peer_asn;
	addr4(erdp_p4_msee(&pc->v4[ERDP_LINK_PRIMARY]), s->router_id);
	snprintf(s->md5, sizeof(s->md5), "%s", pc->md5_key);
	s->keepalive = cfg->bgp.keepalive;
	s->hold = cfg->bgp.hold_time;
	s->min_hold = cfg->bgp.min_hold_time;
	s->bfd_interval_ms = cfg->bgp.bfd_interval_ms;
	s->bfd_multiplier = cfg->bgp.bfd_multiplier;
	s->maintenance_prepend = cfg->bgp.maintenance_prepend;
	s->max_prefix4 = s->microsoft			      ? LIMIT_MICROSOFT
			 : cfg->circuits[pc->circuit].premium ? LIMIT_PRIVATE4_PREMIUM
							      : LIMIT_PRIVATE4;
	s->max_prefix6 = s->microsoft ? LIMIT_MICROSOFT : LIMIT_PRIVATE6;
	s->fpm_port = cfg->bgp.fpm_port;
	s->n_communities = pc->n_communities;
	memcpy(s->communities, pc->communities, sizeof(s->communities));
	for (int l = 0; l < ERDP_LINKS; l++) {
		p->cust4[l] = erdp_p4_customer(&pc->v4[l]);
		addr4(p->cust4[l], c);
		addr4(erdp_p4_msee(&pc->v4[l]), m);
		add_session(p, 4, (uint8_t)l, c, m);
	}
	p->has_v6 = pc->has_v6;
	for (int l = 0; pc->has_v6 && l < ERDP_LINKS; l++) {
		erdp_p6_customer(&pc->v6[l], p->cust6[l]);
		inet_ntop(AF_INET6, p->cust6[l], c, sizeof(c));
		erdp_p6_msee(&pc->v6[l], a6);
		inet_ntop(AF_INET6, a6, m, sizeof(m));
		add_session(p, 6, (uint8_t)l, c, m);
	}
	return networks(cfg, p);
}

static int peering_init(struct cp *cp, struct bgp_peering *p, int index, struct erdp_err *err)
{
	char path[160];

	if (erdp_peering_namespace(cp->cfg, index, p->ns, sizeof(p->ns)) != 0)
		return erdp_errf(err, ENAMETOOLONG, "%s: peering %s: namespace name too long",
				 cp->cfg->path, cp->cfg->peerings[index].name);
	snprintf(p->dir, sizeof(p->dir), "%s/%s", cp->cfg->bgp.state_dir, p->ns);
	snprintf(p->run, sizeof(p->run), "/var/run/frr/%s", p->ns);
	snprintf(path, sizeof(path), "%s/bgpd.vty", p->run);
	p->vty_bgpd = vty_new(path);
	snprintf(path, sizeof(path), "%s/bfdd.vty", p->run);
	p->vty_bfdd = vty_new(path);
	if (p->vty_bgpd == NULL || p->vty_bfdd == NULL || spec_build(cp, p) != 0)
		return erdp_errf(err, ENOMEM, "bgp: out of memory");
	return 0;
}

int bgp_init(struct cp *cp, struct erdp_err *err)
{
	const struct erdp_config *cfg = cp->cfg;
	struct bgp *b;
	double now = cp_now();
	int rc = 0;

	if (!cfg->bgp.enabled)
		return 0;
	if (geteuid() != 0)
		return erdp_errf(err, EPERM,
				 "%s: bgp.enabled needs root (network namespaces, FRR's daemons)",
				 cfg->path);
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return erdp_errf(err, ENOMEM, "bgp: out of memory");
	cp->bgp = b;
	snprintf(b->frr_path, sizeof(b->frr_path), "%s", cfg->bgp.frr_path);
	b->n = cfg->n_peerings;
	b->p = calloc((size_t)(b->n ? b->n : 1), sizeof(*b->p));
	b->pfd = calloc((size_t)(b->n ? b->n : 1) * PK_PER_PEERING, sizeof(*b->pfd));
	b->pfd_what = calloc((size_t)(b->n ? b->n : 1) * PK_PER_PEERING, sizeof(*b->pfd_what));
	if (b->p == NULL || b->pfd == NULL || b->pfd_what == NULL)
		return erdp_errf(err, ENOMEM, "bgp: out of memory");
	for (int i = 0; i < b->n; i++) { /* before anything can fail: bgp_close closes them */
		b->p[i].index = i;
		b->p[i].listen_fd = b->p[i].conn_fd = -1;
		for (int d = 0; d < FRR_DAEMONS; d++)
			b->p[i].d[d].pidfd = -1;
	}
	for (int i = 0; rc == 0 && i < b->n; i++)
		rc = peering_init(cp, &b->p[i], i, err);
	if (rc == 0 && table_init(cp, b) != 0)
		rc = erdp_errf(err, ENOMEM, "bgp: out of memory");
	for (int i = 0; rc == 0 && i < b->n; i++) {
		rc = frr_prepare(cp, &b->p[i], err);
		if (rc == 0)
			rc = fpm_listen(&b->p[i], cfg->bgp.fpm_port, err);
	}
	if (rc != 0)
		return rc;
	frr_stop_orphans(cp);
	for (int i = 0; i < b->n; i++)
		frr_begin(cp, &b->p[i], now);
	b->started = now;
	cp_log("BGP: %d peerings, FRR from %s, files in %s", b->n, cfg->bgp.frr_path,
	       cfg->bgp.state_dir);
	return 0;
}

void bgp_close(struct cp *cp, bool stop_frr)
{
	struct bgp *b = cp->bgp;

	if (b == NULL)
		return;
	for (int i = 0; i < b->n; i++) {
		struct bgp_peering *p = &b->p[i];

		if (stop_frr)
			frr_stop(p);
		for (int d = 0; d < FRR_DAEMONS; d++)
			if (p->d[d].pidfd >= 0)
				close(p->d[d].pidfd);
		fpm_close(p);
		vty_free(p->vty_bgpd);
		vty_free(p->vty_bfdd);
		json_decref(p->bfd_json);
		free(p->networks);
	}
	if (!stop_frr && b->n > 0)
		cp_log("BGP: FRR keeps running (sessions stay up); the next erdp-cp adopts it");
	table_free(b);
	free(b->p);
	free(b->pfd);
	free(b->pfd_what);
	free(b);
	cp->bgp = NULL;
}

bool bgp_busy(const struct cp *cp)
{
	return cp->bgp != NULL && cp->bgp->busy;
}

bool bgp_sync_ready(struct cp *cp)
{
	struct bgp *b = cp->bgp;
	double now;

	if (b == NULL || b->synced)
		return true;
	now = cp_now();
	b->synced = now - b->started >= BGP_SYNC_HOLD_S;
	for (int i = 0; !b->synced; i++) {
		if (i == b->n) {
			b->synced = true;
			break;
		}
		if (!b->p[i].synced_once)
			break;
	}
	if (b->synced)
		cp_log("BGP: %s: the first full sync to erdp may start",
		       now - b->started >= BGP_SYNC_HOLD_S
			       ? "not every FPM stream came within the hold time"
			       : "every peering's FPM stream has delivered zebra's table");
	return b->synced;
}

/* ---- sessions ---------------------------------------------------------------------------- */

void bgp_sessions_lost(struct bgp_peering *p)
{
	for (int i = 0; i < p->n_sessions; i++) {
		struct bgp_session *s = &p->s[i];

		s->known = false;
		s->established = false;
		s->bfd_asked = false;
		s->bfd[0] = '\0';
		snprintf(s->state, sizeof(s->state), "unknown");
	}
	p->poll_busy = false;
}

void bgp_kick(struct bgp_peering *p)
{
	p->next_poll = 0;
}

static const char *af_key(uint8_t family)
{
	return family == 6 ? "ipv6Unicast" : "ipv4Unicast";
}

/* Is `want` what erdp-cp asks of session i? (admin down of its link or port) */
static bool want_shut(const struct cp *cp, const struct bgp_peering *p, int i)
{
	int link = p->spec.s[i].link;
	int port = link == ERDP_LINK_SECONDARY ? cp->cfg->pair.secondary_port
					       : cp->cfg->pair.primary_port;

	return !cp->state.plink_up[erdp_plink((unsigned int)p->index, (unsigned int)link)] ||
	       (port >= 0 && !cp->state.port_up[port]);
}

static void config_done(void *arg, int tag, int status, char *text, size_t len)
{
	struct bgp_peering *p = arg;

	(void)tag;
	(void)len;
	if (status != 0)
		cp_log("BGP %s: bgpd refused a change (status %d): %.200s", p->ns, status, text);
}

static void send_fix(struct bgp_peering *p, char *lines, const char *what, int i)
{
	if (lines == NULL || vty_config(p->vty_bgpd, lines, config_done, p, 0) != 0)
		cp_log("BGP %s: out of memory sending '%s' to bgpd", p->ns, what);
	else
		cp_log("BGP %s: session %s (%s ipv%u): %s", p->ns, p->spec.s[i].neighbor,
		       p->spec.s[i].link ? "secondary" : "primary", p->spec.s[i].family, what);
	free(lines);
}

static void reconcile(struct cp *cp, struct bgp_peering *p)
{
	for (int i = 0; i < p->n_sessions; i++) {
		struct bgp_session *s = &p->s[i];
		bool shut = want_shut(cp, p, i), maint = cp->bgp->maint[p->spec.s[i].link];

		if (!s->known)
			continue;
		if (s->shut != shut)
			send_fix(p, frrconf_shutdown(&p->spec, i, shut),
				 shut ? "shut down (its link or port is admin down)"
				      : "brought back (its link and port are up)",
				 i);
		if (s->maint != maint)
			send_fix(p, frrconf_maintenance(&p->spec, i, maint),
				 maint ? "maintenance: advertising with the longer AS path"
				       : "maintenance over: normal AS path",
				 i);
		if (s->established && !s->bfd_on && !s->bfd_asked) {
			send_fix(p, frrconf_bfd(&p->spec, i), "BFD on (first Established)", i);
			s->bfd_asked = true;
		}
	}
}

static json_t *jget(json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	if (b != NULL)
		o = json_object_get(o, b);
	if (c != NULL)
		o = json_object_get(o, c);
	return o;
}

/* One neighbour of bgpd's answer into session s; counts transitions. */
static void session_update(struct bgp_peering *p, struct bgp_session *s, json_t *n, double now)
{
	const struct frr_session *fs = &p->spec.s[s->spec];
	json_t *af = jget(n, "addressFamilyInfo", af_key(fs->family), NULL);
	const char *state = json_string_value(json_object_get(n, "bgpState"));
	const char *map =
		json_string_value(json_object_get(af, "routeMapForOutgoingAdvertisements"));
	const char *why = json_string_value(json_object_get(n, "lastResetDueTo"));
	const char *notif = json_string_value(json_object_get(n, "lastNotificationReason"));
	bool was = s->established, exceeded;

	s->known = true;
	snprintf(s->state, sizeof(s->state), "%s", state ? state : "?");
	s->established = state != NULL && strcmp(state, "Established") == 0;
	if (s->established && !was)
		s->up_since =
			now -
			(double)json_integer_value(json_object_get(n, "bgpTimerUpMsec")) / 1000.0;
	s->pfx_rcvd = (uint64_t)json_integer_value(json_object_get(af, "acceptedPrefixCounter"));
	s->pfx_sent = (uint64_t)json_integer_value(json_object_get(af, "sentPrefixCounter"));
	s->limit = (uint32_t)json_integer_value(json_object_get(af, "prefixAllowedMax"));
	s->shut = json_is_true(json_object_get(n, "adminShutDown"));
	s->maint = map != NULL && strcmp(map, FRR_MAP_OUT_MAINT) == 0;
	s->bfd_on = json_object_get(n, "peerBfdInfo") != NULL;
	s->eor =
		s->established &&
		(json_is_true(jget(n, "gracefulRestartInfo", "endOfRibRecv", af_key(fs->family))) ||
		 now - s->up_since >= BGP_EOR_FALLBACK_S);
	exceeded = json_is_true(json_object_get(n, "prefixesConfigExceedMax"));
	if (exceeded)
		snprintf(s->last_error, sizeof(s->last_error),
			 "more than %u prefixes received (the limit): down until the retry %u "
			 "min after the drop",
			 s->limit, FRR_PREFIX_RESTART_M);
	else if (json_integer_value(json_object_get(n, "connectionsDropped")) > 0 && why != NULL)
		snprintf(s->last_error, sizeof(s->last_error), "%s%s%s", why, notif ? ": " : "",
			 notif ? notif : "");
	if (exceeded && !s->pfx_exceeded) {
		s->pfx_limit_drops++;
		cp_log("BGP %s: session %s (%s ipv%u) dropped: the customer advertised more than "
		       "%u prefixes (ExpressRoute's limit); it retries in %u min",
		       p->ns, fs->neighbor, fs->link ? "secondary" : "primary", fs->family,
		       s->limit, FRR_PREFIX_RESTART_M);
	}
	s->pfx_exceeded = exceeded;
	if (was && !s->established) {
		s->drops++;
		cp_log("BGP %s: session %s (%s ipv%u) left Established: %s", p->ns, fs->neighbor,
		       fs->link ? "secondary" : "primary", fs->family,
		       s->last_error[0] ? s->last_error : s->state);
	} else if (!was && s->established) {
		s->ups++;
		cp_log("BGP %s: session %s (%s ipv%u) Established", p->ns, fs->neighbor,
		       fs->link ? "secondary" : "primary", fs->family);
	}
}

static void on_bgpd(void *arg, int tag, int status, char *text, size_t len)
{
	void **ctx = arg;
	struct cp *cp = ctx[0];
	struct bgp_peering *p = ctx[1];
	double now = cp_now();
	json_t *j = NULL;

	(void)tag;
	p->poll_busy = false;
	p->next_poll = now + BGP_POLL_S;
	if (status == 0)
		j = json_loadb(text, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		for (int i = 0; i < p->n_sessions; i++)
			p->s[i].known = false;
		return;
	}
	for (int i = 0; i < p->n_sessions; i++) {
		json_t *n = json_object_get(j, p->spec.s[i].neighbor);

		if (n != NULL)
			session_update(p, &p->s[i], n, now);
		else
			p->s[i].known = false;
	}
	p->polled_at = now;
	json_decref(j);
	reconcile(cp, p);
}

static void on_bfdd(void *arg, int tag, int status, char *text, size_t len)
{
	struct bgp_peering *p = arg;
	json_t *j = status == 0 ? json_loadb(text, len, 0, NULL) : NULL, *e;
	double now = cp_now();
	size_t k;

	(void)tag;
	for (int i = 0; i < p->n_sessions; i++)
		p->s[i].bfd[0] = '\0';
	json_array_foreach(j, k, e)
	{
		const char *peer = json_string_value(json_object_get(e, "peer"));
		const char *st = json_string_value(json_object_get(e, "status"));

		for (int i = 0; peer != NULL && st != NULL && i < p->n_sessions; i++)
			if (strcmp(peer, p->spec.s[i].neighbor) == 0) {
				snprintf(p->s[i].bfd, sizeof(p->s[i].bfd), "%s", st);
				p->s[i].bfd_since =
					now -
					(double)json_integer_value(json_object_get(
						e, strcmp(st, "up") == 0 ? "uptime" : "downtime"));
			}
	}
	json_decref(p->bfd_json);
	p->bfd_json = json_is_array(j) ? j : NULL;
	if (p->bfd_json == NULL)
		json_decref(j);
}

static void poll_sessions(struct cp *cp, struct bgp_peering *p, double now)
{
	if (p->frr != FRR_RUNNING || p->poll_busy || now < p->next_poll)
		return;
	p->poll_ctx[0] = cp;
	p->poll_ctx[1] = p;
	if (vty_cmd(p->vty_bgpd, "show bgp neighbors json", on_bgpd, p->poll_ctx, POLL_BGPD) != 0 ||
	    vty_cmd(p->vty_bfdd, "show bfd peers json", on_bfdd, p, POLL_BFDD) != 0)
		return;
	p->poll_busy = true;
}

void bgp_admin_changed(struct cp *cp)
{
	for (int i = 0; cp->bgp != NULL && i < cp->bgp->n; i++)
		bgp_kick(&cp->bgp->p[i]);
}

int bgp_maintenance(struct cp *cp, int link, bool on)
{
	struct bgp *b = cp->bgp;
	int n = 0;

	if (b == NULL)
		return -ENOTSUP;
	if (b->maint[link] != on && on)
		cp_log("BGP: maintenance begins on the %s link: its sessions advertise with %u "
		       "more 12076s",
		       link ? "secondary" : "primary", cp->cfg->bgp.maintenance_prepend);
	else if (b->maint[link] != on)
		cp_log("BGP: maintenance ends on the %s link", link ? "secondary" : "primary");
	b->maint[link] = on;
	for (int i = 0; i < b->n; i++) {
		for (int k = 0; k < b->p[i].n_sessions; k++)
			n += b->p[i].spec.s[k].link == link;
		bgp_kick(&b->p[i]);
	}
	return n;
}

/* ---- the loop turn ------------------------------------------------------------------------ */

void bgp_poll(struct cp *cp)
{
	struct bgp *b = cp->bgp;
	struct pollfd *pfd;
	int *what, n = 0;
	double now;

	if (b == NULL)
		return;
	pfd = b->pfd;
	what = b->pfd_what;
	for (int i = 0; i < b->n; i++) {
		struct bgp_peering *p = &b->p[i];
		int fds[PK_PER_PEERING] = {p->d[0].pidfd,      p->d[1].pidfd, p->d[2].pidfd,
					   p->listen_fd,       p->conn_fd,    vty_fd(p->vty_bgpd),
					   vty_fd(p->vty_bfdd)};

		for (int k = 0; k < PK_PER_PEERING; k++) {
			if (fds[k] < 0)
				continue;
			pfd[n] = (struct pollfd){.fd = fds[k], .events = POLLIN};
			if (k == PK_VTY_BGPD)
				pfd[n].events = vty_events(p->vty_bgpd);
			else if (k == PK_VTY_BFDD)
				pfd[n].events = vty_events(p->vty_bfdd);
			what[n++] = i * PK_PER_PEERING + k;
		}
	}
	if (poll(pfd, (nfds_t)n, 0) < 0)
		n = 0;
	now = cp_now();
	b->busy = false;
	/* Exits first: a daemon that died is seen before what its death caused. */
	for (int k = 0; k < n; k++)
		if (pfd[k].revents && what[k] % PK_PER_PEERING < PK_LISTEN)
			frr_exited(cp, &b->p[what[k] / PK_PER_PEERING], what[k] % PK_PER_PEERING,
				   now);
	for (int k = 0; k < n; k++) {
		struct bgp_peering *p = &b->p[what[k] / PK_PER_PEERING];

		if (pfd[k].revents == 0)
			continue;
		switch (what[k] % PK_PER_PEERING) {
		case PK_LISTEN:
			fpm_accept(cp, p, now);
			break;
		case PK_CONN:
			fpm_read(cp, p, now);
			break;
		case PK_VTY_BGPD:
			vty_io(p->vty_bgpd, pfd[k].revents, now);
			break;
		case PK_VTY_BFDD:
			vty_io(p->vty_bfdd, pfd[k].revents, now);
			break;
		default:
			break;
		}
	}
	for (int i = 0; i < b->n; i++) {
		struct bgp_peering *p = &b->p[i];

		frr_tick(cp, p, now);
		fpm_tick(cp, p, now);
		poll_sessions(cp, p, now);
		/* Connect, write what was queued, time out: also without an event. */
		vty_io(p->vty_bgpd, 0, now);
		vty_io(p->vty_bfdd, 0, now);
	}
}
