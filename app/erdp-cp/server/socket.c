/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The erdpctl socket: a Unix stream socket, one JSON request per line, one
 * JSON reply per line (docs/control-plane.md). Non-blocking; a client whose
 * request waits for erdp's acks is not read again until it is answered, so
 * replies stay in request order. Files for "route load" come as open file
 * descriptors (SCM_RIGHTS) next to the request: erdp-cp reads with the
 * client's access rights, never by a path that it would open as itself.
 *
 * Nobody waits for anybody: every socket and every file a client passed is
 * in one poll set and read only when readable, files at most
 * FILE_TURN_BYTES per loop turn in all, so a silent pipe or a 1 GiB file
 * does not stop "status" for others. At most --max-clients connections are
 * served; the listening socket is polled only below that, so the rest wait
 * in the kernel's backlog (SOMAXCONN) instead of being refused. A
 * connection without a request in progress is closed after --idle-timeout,
 * a file that stays silent for --load-timeout is refused.
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

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "erdp_fs.h"
#include "server.h"

#define MAX_LINE	(1 << 20) /* a request line; longer is refused */
#define MAX_FDS		4	  /* descriptors kept per connection until a request takes them */
#define READ_CHUNK	65536
#define FILE_CHUNK	(256 * 1024) /* one read() of a file */
#define FILE_TURN_BYTES (4 << 20)    /* of all files together per loop turn */
#define ACCEPT_RETRY_S	1.0	     /* after accept() ran out of descriptors */
#define FDS_SPARE	64	     /* besides the clients': segment, telemetry, logs */

/* A file passed with a request, being read (server_read_file). */
struct file_in {
	int fd;
	uint64_t bytes;
	double last_data;
	const struct server_file_ops *ops;
	void *ctx;
};

struct conn {
	int fd;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off, out_cap;
	int fds[MAX_FDS];
	int n_fds;
	bool fds_lost; /* a descriptor came but could not be received (EMFILE) */
	bool busy;     /* a request is being answered */
	bool eof;      /* the client closed its side: close once the reply is out */
	bool gone;     /* the client closed the connection: nobody reads replies */
	double since;  /* the idle clock: accepted, last reply, last output sent */
	uint64_t lines;
	struct file_in *file;
};

/* What a pollfd entry is: the listening socket, a client, or a client's file. */
#define POLL_LISTEN	(-1)
#define POLL_CONN(slot) ((slot)*2)
#define POLL_FILE(slot) ((slot)*2 + 1)

static struct {
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct server_limits lim;
	struct conn **conns; /* lim.max_clients slots */
	unsigned int n_conns;
	struct pollfd *pfd;	    /* 1 + 2 * max_clients */
	int *what;		    /* POLL_* of each pfd entry */
	bool *file_ready;	    /* per slot: its file polled readable this turn */
	uint64_t file_bytes;	    /* read so far by every file being read */
	double accept_paused_until; /* accept() ran out of descriptors */
	unsigned int file_turn;	    /* the slot whose file is read first next turn */
} srv = {.listen_fd = -1};

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

/*
 * Room for every client's socket, a file it passed and the descriptors it
 * may send ahead: raise the soft limit as far as the hard one allows. When
 * that is short, accept() fails with EMFILE later and the clients beyond
 * wait in the backlog (accept_some), so this is a warning, not an error.
 */
static void raise_fd_limit(unsigned int max_clients)
{
	rlim_t want = (rlim_t)max_clients * (2 + MAX_FDS) + FDS_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		cp_log("--max-clients %u may need %llu file descriptors, the limit is %llu "
		       "(ulimit -n): clients beyond it wait in the backlog",
		       max_clients, (unsigned long long)want, (unsigned long long)rl.rlim_cur);
}

int server_open(const char *path, const char *group, const struct server_limits *lim,
		struct erdp_err *err)
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
	srv.lim = *lim;
	srv.conns = calloc(lim->max_clients, sizeof(*srv.conns));
	srv.pfd = calloc(1 + 2 * (size_t)lim->max_clients, sizeof(*srv.pfd));
	srv.what = calloc(1 + 2 * (size_t)lim->max_clients, sizeof(*srv.what));
	srv.file_ready = calloc(lim->max_clients, sizeof(*srv.file_ready));
	if (srv.conns == NULL || srv.pfd == NULL || srv.what == NULL || srv.file_ready == NULL) {
		rc = erdp_errf(err, ENOMEM, "out of memory for %u clients (--max-clients)",
			       lim->max_clients);
		goto fail;
	}
	raise_fd_limit(lim->max_clients);
	rc = erdp_mkdir_parents(path, "--socket", err);
	if (rc == 0)
		rc = remove_stale(path, err);
	if (rc != 0)
		goto fail;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	srv.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv.listen_fd < 0) {
		rc = erdp_errf(err, errno, "socket: %s", strerror(errno));
		goto fail;
	}
	if (bind(srv.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: bind: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(srv.path, sizeof(srv.path), "%s", path);
	if (chmod(path, 0660) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: chmod 0660: %s", path, strerror(errno));
		goto fail;
	}
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: chown to group %s: %s", path, group,
			       strerror(errno));
		goto fail;
	}
	/* The kernel caps the backlog at net.core.somaxconn; clients beyond wait in connect(). */
	if (listen(srv.listen_fd, SOMAXCONN) != 0) {
		rc = erdp_errf(err, errno, "--socket %s: listen: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	server_close();
	return rc;
}

/* Stop reading c's file: the bytes leave the budget, the descriptor closes. */
static struct file_in *file_detach(struct conn *c)
{
	struct file_in *f = c->file;

	c->file = NULL;
	srv.file_bytes -= f->bytes;
	close(f->fd);
	return f;
}

static void conn_free(struct cp *cp, unsigned int slot)
{
	struct conn *c = srv.conns[slot];

	if (c->file != NULL) {
		struct file_in *f = file_detach(c);

		f->ops->gone(f->ctx);
		free(f);
	}
	if (cp != NULL)
		waiter_forget(cp, c);
	for (int k = 0; k < c->n_fds; k++)
		close(c->fds[k]);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	srv.conns[slot] = NULL;
	srv.n_conns--;
	srv.accept_paused_until = 0; /* a descriptor is free again */
}

void server_close(void)
{
	for (unsigned int i = 0; srv.conns != NULL && i < srv.lim.max_clients; i++)
		if (srv.conns[i] != NULL)
			conn_free(NULL, i);
	free(srv.conns);
	free(srv.pfd);
	free(srv.what);
	free(srv.file_ready);
	srv.file_ready = NULL;
	srv.conns = NULL;
	srv.pfd = NULL;
	srv.what = NULL;
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	srv.listen_fd = -1;
	if (srv.path[0] != '\0')
		unlink(srv.path);
	srv.path[0] = '\0';
}

/*
 * Take clients from the backlog while there is room. Below the limit only:
 * the others stay queued in the kernel and are taken when a slot frees,
 * rather than accepted and cut.
 */
static void accept_some(double now)
{
	unsigned int slot = 0;

	while (srv.n_conns < srv.lim.max_clients) {
		int fd = accept4(srv.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				cp_log("accept: %s with %u clients: the others wait in the "
				       "backlog (raise ulimit -n or lower --max-clients)",
				       strerror(errno), srv.n_conns);
				srv.accept_paused_until = now + ACCEPT_RETRY_S;
			}
			return;
		}
		while (srv.conns[slot] != NULL)
			slot++;
		srv.conns[slot] = calloc(1, sizeof(struct conn));
		if (srv.conns[slot] == NULL) {
			close(fd); /* out of memory: the client sees the connection close */
			srv.accept_paused_until = now + ACCEPT_RETRY_S;
			return;
		}
		srv.conns[slot]->fd = fd;
		srv.conns[slot]->since = now;
		srv.n_conns++;
	}
}

int server_take_fd(struct conn *c)
{
	int fd;

	if (c->n_fds == 0 && c->fds_lost) {
		c->fds_lost = false;
		return -EMFILE;
	}
	if (c->n_fds == 0)
		return -ENOENT;
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
		c->since = srv.lim.now(); /* a client that reads its replies is not idle */
	}
	c->out_len = c->out_off = 0;
}

void server_reply(struct conn *c, json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT);
	size_t n = s != NULL ? strlen(s) : 0;

	json_decref(reply);
	if (s == NULL)
		s = strdup("{\"ok\": false, \"error\": \"erdp-cp: out of memory\", \"code\": "
			   "\"busy\"}"),
		n = strlen(s);
	if (c->out_len + n + 1 > c->out_cap) {
		size_t cap = c->out_len + n + 1;
		char *nb = realloc(c->out, cap);

		if (nb == NULL) {
			free(s);
			c->eof = true;
			c->busy = false;
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
	c->since = srv.lim.now();
	flush_out(c);
}

/* Keep the descriptors that came with a message (SCM_RIGHTS), up to MAX_FDS. */
static void take_rights(struct conn *c, struct msghdr *mh)
{
	if (mh->msg_flags & MSG_CTRUNC)
		c->fds_lost = true; /* the kernel could not install them all */
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
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
		take_rights(c, &mh);
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
				server_reply(c, reply_error("request line %llu: longer than %d "
							    "bytes",
							    (unsigned long long)c->lines + 1,
							    MAX_LINE));
				c->eof = true;
				c->in_len = 0;
			}
			return;
		}
		used = (size_t)(nl - c->in) + 1;
		c->busy = true;
		req_handle(cp, c, c->in, used - 1, ++c->lines);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

void server_read_file(struct conn *c, int fd, const struct server_file_ops *ops, void *ctx)
{
	struct file_in *f = calloc(1, sizeof(*f));
	int fl = fcntl(fd, F_GETFL);

	if (f == NULL) {
		close(fd);
		ops->end(c, ctx, "erdp-cp: out of memory", true);
		return;
	}
	/*
	 * Never block on it, even if someone else drains it between poll and
	 * read. (erdpctl opens the file for us alone: the flag changes nobody
	 * else's reads.)
	 */
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	f->fd = fd;
	f->ops = ops;
	f->ctx = ctx;
	f->last_data = srv.lim.now();
	c->file = f;
}

/* End c's file: detach it, then tell its owner (who replies). */
static void file_end(struct conn *c, const char *why, bool busy)
{
	struct file_in *f = file_detach(c);

	f->ops->end(c, f->ctx, why, busy);
	free(f);
}

/* Read up to *budget bytes of c's file; end it at EOF, error, or over a limit. */
static void file_read(struct conn *c, size_t *budget, double now)
{
	static char buf[FILE_CHUNK];
	struct file_in *f = c->file;
	uint64_t cap = srv.lim.max_load_bytes;
	char why[200];

	while (*budget > 0) {
		/* One byte past the cap tells a file at the cap from one over it. */
		size_t want = FILE_CHUNK < *budget ? FILE_CHUNK : *budget;
		ssize_t n;

		if (want > cap + 1 - f->bytes)
			want = (size_t)(cap + 1 - f->bytes);
		n = read(f->fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			snprintf(why, sizeof(why), "read: %s", strerror(errno));
			file_end(c, why, false);
			return;
		}
		if (n == 0) {
			file_end(c, NULL, false);
			return;
		}
		f->bytes += (uint64_t)n;
		srv.file_bytes += (uint64_t)n;
		f->last_data = now;
		*budget -= (size_t)n;
		if (f->bytes > cap) {
			snprintf(
				why, sizeof(why),
				"larger than %llu bytes (erdp-cp --max-load-bytes); nothing loaded",
				(unsigned long long)cap);
			file_end(c, why, false);
			return;
		}
		if (srv.file_bytes > cap) {
			snprintf(why, sizeof(why),
				 "erdp-cp is busy: the route files being read hold more than "
				 "%llu bytes together (erdp-cp --max-load-bytes); nothing loaded, "
				 "retry when the other loads are done",
				 (unsigned long long)cap);
			file_end(c, why, true);
			return;
		}
		f->ops->data(f->ctx, buf, (size_t)n);
		if ((size_t)n < want)
			return; /* drained for now (a pipe); regular files come back full */
	}
}

/*
 * The files with data, in turn from where the last turn stopped, at most
 * FILE_TURN_BYTES in all: clients are served between chunks of a big file.
 */
static void files_read(double now)
{
	size_t budget = FILE_TURN_BYTES;
	unsigned int n = srv.lim.max_clients;

	for (unsigned int k = 0; k < n && budget > 0; k++) {
		unsigned int slot = (srv.file_turn + k) % n;
		struct conn *c = srv.conns[slot];

		if (c == NULL || c->file == NULL || c->gone || !srv.file_ready[slot])
			continue;
		file_read(c, &budget, now);
		if (budget == 0)
			srv.file_turn = (slot + 1) % n;
	}
}

/* Tell an idle client why its connection closes, if it still reads. */
static void idle_notice(struct conn *c)
{
	char msg[200];
	int n;

	if (c->out_len == c->out_off) {
		n = snprintf(msg, sizeof(msg),
			     "{\"ok\": false, \"error\": \"erdp-cp: no request for %g s, "
			     "connection closed (erdp-cp --idle-timeout)\", \"code\": \"idle\"}\n",
			     srv.lim.idle_s);
		if (send(c->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0; /* best effort: it is being closed anyway */
	}
}

/* Time limits: files that stay silent, idle connections (true: close it now). */
static bool check_timeouts(struct conn *c, double now)
{
	char why[200];

	if (c->file != NULL && now - c->file->last_data > srv.lim.load_idle_s) {
		snprintf(why, sizeof(why),
			 "no data for %g s (erdp-cp --load-timeout; a pipe that stays open?); "
			 "nothing loaded",
			 srv.lim.load_idle_s);
		file_end(c, why, false);
	}
	/* A request in progress (reading its file, waiting for erdp) is not idle. */
	if (c->busy || c->gone || srv.lim.idle_s <= 0 || now - c->since <= srv.lim.idle_s)
		return false;
	idle_notice(c);
	return true;
}

/* The pollfd set: the listening socket below the limit, every client, their files. */
static nfds_t poll_set(double now)
{
	nfds_t n = 0;

	if (srv.n_conns < srv.lim.max_clients && now >= srv.accept_paused_until) {
		srv.pfd[n] = (struct pollfd){.fd = srv.listen_fd, .events = POLLIN};
		srv.what[n++] = POLL_LISTEN;
	}
	for (unsigned int i = 0; i < srv.lim.max_clients; i++) {
		struct conn *c = srv.conns[i];

		if (c == NULL)
			continue;
		/*
		 * Events 0 still reports POLLHUP: a client that hung up while
		 * its request is in progress, or after a half close.
		 */
		srv.pfd[n] =
			(struct pollfd){.fd = c->fd,
					.events = (short)((c->busy || c->eof ? 0 : POLLIN) |
							  (c->out_len > c->out_off ? POLLOUT : 0))};
		srv.what[n++] = POLL_CONN(i);
		if (c->file != NULL) {
			srv.pfd[n] = (struct pollfd){.fd = c->file->fd, .events = POLLIN};
			srv.what[n++] = POLL_FILE(i);
		}
	}
	return n;
}

void server_poll(struct cp *cp, double timeout_ms)
{
	double now = srv.lim.now();
	struct timespec ts;
	bool accept_now = false;
	nfds_t n;

	/* Closed connections go first, so that their slots take waiting clients now. */
	for (unsigned int i = 0; i < srv.lim.max_clients; i++) {
		struct conn *c = srv.conns[i];

		if (c != NULL && (c->gone || (c->eof && !c->busy && c->out_len == c->out_off)))
			conn_free(cp, i);
	}
	n = poll_set(now);
	memset(srv.file_ready, 0, srv.lim.max_clients * sizeof(bool));
	ts.tv_sec = (time_t)(timeout_ms / 1000);
	ts.tv_nsec = (long)((timeout_ms - (double)ts.tv_sec * 1000) * 1e6);
	if (ppoll(srv.pfd, n, &ts, NULL) < 0)
		n = 0;
	now = srv.lim.now();
	for (nfds_t k = 0; k < n; k++) {
		short ev = srv.pfd[k].revents;
		struct conn *c;

		if (ev == 0)
			continue;
		if (srv.what[k] == POLL_LISTEN) {
			accept_now = true;
			continue;
		}
		c = srv.conns[srv.what[k] / 2];
		if (srv.what[k] % 2 == 1) {
			srv.file_ready[srv.what[k] / 2] = true;
			continue;
		}
		if (ev & POLLOUT)
			flush_out(c);
		if (ev & (POLLIN | POLLHUP | POLLERR))
			read_in(c); /* what a client sent before hanging up still counts */
		if (ev & (POLLHUP | POLLERR))
			c->gone = true;
	}
	files_read(now);
	/* Also the clients whose waiting request was answered since the last poll. */
	for (unsigned int i = 0; i < srv.lim.max_clients; i++) {
		struct conn *c = srv.conns[i];

		if (c == NULL)
			continue;
		serve_lines(cp, c);
		if (check_timeouts(c, now))
			conn_free(cp, i); /* its slot takes a waiting client below */
	}
	if (accept_now)
		accept_some(now);
}
