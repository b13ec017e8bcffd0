/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Each peering's FPM stream: a listener on 127.0.0.1:fpm_port inside the
 * peering's namespace (entered for socket/bind/listen only; the socket
 * stays there), one connection at a time (zebra reconnects every 3 s after
 * a loss; a new connection replaces the old one), frames decoded by
 * fpm_decode.c into the BGP table (table.c).
 *
 * A connection's life (bgp.h):
 *   accept:   the routes from the previous stream are marked stale;
 *   frames:   routes added, replaced, deleted; stale marks cleared;
 *   quiet:    BGP_QUIET_S without a frame after connecting = zebra's table is
 *             in: the first time, erdp-cp's first full sync may go
 *             (synced_once); stale routes are swept once every session that
 *             was up is up again with its End-of-RIB, or after BGP_STALE_CAP_S;
 *   error:    a malformed frame closes the connection, counted by reason;
 *             nothing installed is touched (zebra reconnects and resends);
 *   lost:     routes stay for BGP_FPM_GRACE_S, then go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bgp_priv.h"
#include "erdp_netns.h"

#define FPM_BUF_SIZE	 (2 * FPM_FRAME_MAX)
#define FPM_TURN_BYTES	 (1u << 20) /* read per connection per loop turn, then the others */
#define FPM_LISTEN_QUEUE 4

int fpm_listen(struct bgp_peering *p, uint16_t port, struct erdp_err *err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, saved, fd, rc = 0;

	saved = erdp_netns_enter(p->ns, err);
	if (saved < 0)
		return saved;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, FPM_LISTEN_QUEUE) != 0)
		rc = erdp_errf(err, errno,
			       "bgp: FPM listener 127.0.0.1:%u in namespace %s: %s (bgp.fpm_port; "
			       "another erdp-cp for this instance?)",
			       port, p->ns, strerror(errno));
	erdp_netns_leave(saved);
	if (rc != 0) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	p->listen_fd = fd;
	p->conn_fd = -1;
	p->buf = malloc(FPM_BUF_SIZE);
	return p->buf != NULL ? 0 : erdp_errf(err, ENOMEM, "bgp: out of memory");
}

static void conn_drop(struct bgp_peering *p, double now)
{
	if (p->conn_fd < 0)
		return;
	close(p->conn_fd);
	p->conn_fd = -1;
	p->have = 0;
	p->lost_at = now;
	/* The sessions up now must be up again before routes that zebra does not resend go. */
	for (int i = 0; i < p->n_sessions; i++)
		p->s[i].was_up = p->s[i].established;
}

void fpm_close(struct bgp_peering *p)
{
	conn_drop(p, 0);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	p->listen_fd = -1;
	free(p->buf);
	p->buf = NULL;
}

void fpm_accept(struct cp *cp, struct bgp_peering *p, double now)
{
	int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (p->conn_fd >= 0) {
		p->st.replaced++;
		conn_drop(p, now);
	} else if (p->lost_at == 0) {
		for (int i = 0; i < p->n_sessions; i++)
			p->s[i].was_up = p->s[i].established;
	}
	p->conn_fd = fd;
	p->have = 0;
	p->connected_at = now;
	p->last_msg = now;
	p->lost_at = 0;
	p->st.connections++;
	table_mark_stale(cp, p);
	cp_log("BGP %s: zebra connected to FPM (connection %llu)%s", p->ns,
	       (unsigned long long)p->st.connections,
	       p->stale ? "; routes it does not resend will be removed" : "");
}

static void on_route(void *arg, const struct fpm_route *r)
{
	void **ctx = arg;

	table_route(ctx[0], ctx[1], r);
}

/* Decode every complete frame in the buffer. 0, or -enum fpm_err. */
static int frames(struct cp *cp, struct bgp_peering *p)
{
	size_t off = 0, len = 0;
	void *ctx[2] = {cp, p};
	int rc = 0;

	while ((rc = fpm_frame(p->buf + off, p->have - off, &len)) == 1) {
		rc = fpm_decode(p->buf + off + FPM_HDR_LEN, len - FPM_HDR_LEN, on_route, ctx,
				&p->st.c);
		if (rc != 0)
			break;
		off += len;
	}
	memmove(p->buf, p->buf + off, p->have - off);
	p->have -= off;
	return rc < 0 ? rc : 0;
}

static void bad_stream(struct cp *cp, struct bgp_peering *p, int err, double now)
{
	p->st.closes[-err]++;
	snprintf(p->st.last_close, sizeof(p->st.last_close),
		 "malformed FPM frame (%s) after %llu frames", fpm_err_str(err),
		 (unsigned long long)p->st.c.frames);
	cp_log("BGP %s: %s: connection closed, installed routes kept (zebra reconnects and "
	       "resends its table)",
	       p->ns, p->st.last_close);
	conn_drop(p, now);
	(void)cp;
}

void fpm_read(struct cp *cp, struct bgp_peering *p, double now)
{
	size_t budget = FPM_TURN_BYTES;
	struct bgp *b = cp->bgp;

	while (p->conn_fd >= 0 && budget > 0) {
		ssize_t r = read(p->conn_fd, p->buf + p->have, FPM_BUF_SIZE - p->have);
		int rc;

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			p->st.eof++;
			snprintf(p->st.last_close, sizeof(p->st.last_close), "%s",
				 r == 0 ? "zebra closed the connection" : strerror(errno));
			cp_log("BGP %s: FPM connection lost (%s); routes kept for %.0f s", p->ns,
			       p->st.last_close, BGP_FPM_GRACE_S);
			conn_drop(p, now);
			break;
		}
		p->have += (size_t)r;
		budget = (size_t)r < budget ? budget - (size_t)r : 0;
		p->last_msg = now;
		rc = frames(cp, p);
		table_flush(cp);
		if (rc < 0)
			bad_stream(cp, p, rc, now);
	}
	if (p->conn_fd >= 0 && budget == 0)
		b->busy = true;
}

/* Are the sessions that were up before the stream was lost up again with their table? */
static bool sessions_back(const struct bgp_peering *p)
{
	if (p->polled_at < p->connected_at)
		return false; /* nothing heard from bgpd since */
	for (int i = 0; i < p->n_sessions; i++)
		if (p->s[i].was_up && !(p->s[i].established && p->s[i].eor))
			return false;
	return true;
}

void fpm_tick(struct cp *cp, struct bgp_peering *p, double now)
{
	if (p->conn_fd >= 0 && now - p->last_msg >= BGP_QUIET_S) {
		if (!p->synced_once) {
			p->synced_once = true;
			cp_log("BGP %s: FPM stream quiet after %.1f s: zebra's table is in (%zu "
			       "IPv4, %zu IPv6 routes)",
			       p->ns, now - p->connected_at, table_count(cp->bgp, p->index, 4),
			       table_count(cp->bgp, p->index, 6));
		}
		if (p->stale && (sessions_back(p) || now - p->connected_at >= BGP_STALE_CAP_S)) {
			size_t n = table_sweep(cp, p, false);

			p->st.stale_swept += n;
			cp_log("BGP %s: %zu routes that zebra did not resend removed (%s)", p->ns,
			       n,
			       sessions_back(p) ? "its sessions are back"
						: "the sessions did not come back in time");
		}
	}
	if (p->conn_fd < 0 && p->lost_at != 0 && now - p->lost_at >= BGP_FPM_GRACE_S) {
		size_t n = table_sweep(cp, p, true);

		p->lost_at = 0;
		if (n > 0) {
			p->st.grace_expired += n;
			cp_log("BGP %s: no FPM stream for %.0f s: its %zu routes removed", p->ns,
			       BGP_FPM_GRACE_S, n);
		}
	}
}
