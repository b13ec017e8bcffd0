/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The erdpctl socket: a Unix stream socket, one JSON request per line, one
 * JSON reply per line (docs/control-plane.md). Non-blocking; a client whose
 * request waits for erdp's acks is not read again until it is answered, so
 * replies stay in request order. Files for "route load" come as open file
 * descriptors (SCM_RIGHTS) next to the request: erdp-cp reads with the
 * client's access rights, never by a path that it would open as itself.
 *
 * Access control is the socket file's mode: 0660, owner root (or whoever
 * runs erdp-cp), group --socket-group; the directory is 0755.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "server.h"

#define MAX_CONNS  64
#define MAX_LINE   (1 << 20)
#define MAX_FDS	   4
#define READ_CHUNK 65536

struct conn {
	int fd;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off, out_cap;
	int fds[MAX_FDS];
	int n_fds;
	bool busy; /* a request is being answered */
	bool eof;  /* the client closed its side: close once the reply is out */
};

static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct conn *conns[MAX_CONNS];

static int make_dir(const char *path, struct erdp_err *err)
{
	char dir[sizeof(sock_path)], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return erdp_errf(err, errno, "--socket %s: cannot create directory %s: %s",
					 path, dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return erdp_errf(err, errno, "--socket %s: cannot create directory %s: %s", path,
				 dir, strerror(errno));
	return 0;
}

/* A socket file left by a killed erdp-cp is removed; a live one is an error. */
static int remove_stale(const char *path, struct erdp_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return erdp_errf(err, EEXIST, "--socket %s: exists and is not a socket", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return erdp_errf(err, errno, "socket: %s", strerror(errno));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return erdp_errf(err, EADDRINUSE,
				 "--socket %s: another erdp-cp is serving it (same --instance "
				 "twice?)",
				 path);
	unlink(path);
	return 0;
}

int server_open(const char *path, const char *group, struct erdp_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	gid_t gid = (gid_t)-1;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return erdp_errf(err, ENAMETOOLONG, "--socket %s: longer than %zu characters", path,
				 sizeof(sa.sun_path) - 1);
	if (group != NULL) {
		struct group *g = getgrnam(group);

		if (g == NULL)
			return erdp_errf(err, ENOENT, "--socket-group %s: no such group", group);
		gid = g->gr_gid;
	}
	rc = make_dir(path, err);
	if (rc == 0)
		rc = remove_stale(path, err);
	if (rc != 0)
		return rc;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return erdp_errf(err, errno, "socket: %s", strerror(errno));
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: bind: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	if (chmod(path, 0660) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: chmod 0660: %s", path, strerror(errno));
		goto fail;
	}
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: chown to group %s: %s", path, group,
			       strerror(errno));
		goto fail;
	}
	if (listen(listen_fd, 16) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	server_close();
	return rc;
}

static void conn_free(struct cp *cp, int i)
{
	struct conn *c = conns[i];

	if (cp != NULL)
		waiter_forget(cp, c);
	for (int k = 0; k < c->n_fds; k++)
		close(c->fds[k]);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	conns[i] = NULL;
}

void server_close(void)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i] != NULL)
			conn_free(NULL, i);
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	if (sock_path[0] != '\0')
		unlink(sock_path);
	sock_path[0] = '\0';
}

static void accept_all(void)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

		if (fd < 0)
			return;
		for (i = 0; i < MAX_CONNS && conns[i] != NULL; i++)
			;
		if (i == MAX_CONNS) {
			static const char busy[] =
				"{\"ok\": false, \"error\": \"erdp-cp: too many clients\"}\n";

			if (write(fd, busy, sizeof(busy) - 1) < 0)
				(void)0;
			close(fd);
			continue;
		}
		conns[i] = calloc(1, sizeof(struct conn));
		if (conns[i] == NULL) {
			close(fd);
			return;
		}
		conns[i]->fd = fd;
	}
}

int server_take_fd(struct conn *c)
{
	int fd;

	if (c->n_fds == 0)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, (size_t)(c->n_fds - 1) * sizeof(int));
	c->n_fds--;
	return fd;
}

static void flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			c->eof = true; /* client gone: drop what is left */
			c->out_len = c->out_off = 0;
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
}

void server_reply(struct conn *c, json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT);
	size_t n = s != NULL ? strlen(s) : 0;

	json_decref(reply);
	if (s == NULL)
		s = strdup("{\"ok\": false, \"error\": \"erdp-cp: out of memory\"}"), n = strlen(s);
	if (c->out_len + n + 1 > c->out_cap) {
		size_t cap = c->out_len + n + 1;
		char *nb = realloc(c->out, cap);

		if (nb == NULL) {
			free(s);
			c->eof = true;
			return;
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
	free(s);
	c->busy = false;
	flush_out(c);
}

static void read_in(struct conn *c)
{
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct iovec iov;
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		ssize_t n;

		if (c->in_cap - c->in_len < READ_CHUNK) {
			char *nb = realloc(c->in, c->in_cap + READ_CHUNK);

			if (nb == NULL) {
				c->eof = true;
				return;
			}
			c->in = nb;
			c->in_cap += READ_CHUNK;
		}
		iov.iov_base = c->in + c->in_len;
		iov.iov_len = c->in_cap - c->in_len - 1;
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			c->eof = true;
			return;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			int nfd;

			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int k = 0; k < nfd; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
				if (c->n_fds < MAX_FDS)
					c->fds[c->n_fds++] = fd;
				else
					close(fd);
			}
		}
		c->in_len += (size_t)n;
		if (c->in_len > MAX_LINE)
			return;
	}
}

/* Serve complete lines while the connection is not waiting on a reply. */
static void serve_lines(struct cp *cp, struct conn *c)
{
	while (!c->busy && c->in_len > 0) {
		char *nl = memchr(c->in, '\n', c->in_len);
		size_t used;

		if (nl == NULL) {
			if (c->in_len > MAX_LINE) {
				c->busy = true;
				server_reply(c,
					     reply_error("request longer than %d bytes", MAX_LINE));
				c->eof = true;
			}
			return;
		}
		*nl = '\0';
		used = (size_t)(nl - c->in) + 1;
		c->busy = true;
		req_handle(cp, c, c->in);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

void server_poll(struct cp *cp, double timeout_ms)
{
	struct pollfd pfd[MAX_CONNS + 1];
	int idx[MAX_CONNS + 1], n = 0;
	struct timespec ts;

	pfd[n].fd = listen_fd;
	pfd[n].events = POLLIN;
	idx[n++] = -1;
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = conns[i];

		if (c == NULL)
			continue;
		pfd[n].fd = c->eof ? -1 : c->fd; /* a closed peer would wake poll forever */
		pfd[n].events = (short)((c->busy || c->eof ? 0 : POLLIN) |
					(c->out_len > c->out_off ? POLLOUT : 0));
		idx[n++] = i;
	}
	ts.tv_sec = (time_t)(timeout_ms / 1000);
	ts.tv_nsec = (long)((timeout_ms - (double)ts.tv_sec * 1000) * 1e6);
	if (ppoll(pfd, (nfds_t)n, &ts, NULL) < 0)
		return;
	if (pfd[0].revents & POLLIN)
		accept_all();
	for (int k = 1; k < n; k++) {
		struct conn *c = conns[idx[k]];

		if (pfd[k].revents & POLLOUT)
			flush_out(c);
		if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
			read_in(c);
	}
	/* Also the clients whose waiting request was answered since the last poll. */
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = conns[i];

		if (c == NULL)
			continue;
		serve_lines(cp, c);
		if (c->eof && !c->busy && c->out_len == c->out_off)
			conn_free(cp, i);
	}
}
