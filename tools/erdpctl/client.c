/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One request, one reply, over erdp-cp's Unix socket. A file for
 * "route load" travels as an open descriptor (SCM_RIGHTS): erdp-cp reads it
 * with the rights of the user who opened it.
 *
 * erdp-cp serves a bounded number of clients; the others wait in its
 * listen backlog, and when that is full too, in connect(). Both waits count
 * against --timeout, and running out of it is "busy" (EXIT_BUSY), not
 * "unreachable": erdp-cp is there, a later try may well succeed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "erdpctl.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int send_all(int s, const char *buf, size_t n, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	bool first = true;

	while (n > 0) {
		struct iovec iov = {.iov_base = (void *)buf, .iov_len = n};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t w;

		if (first && fd >= 0) {
			struct cmsghdr *cm;

			memset(cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		w = sendmsg(s, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		first = false;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A connect() that waits at most timeout_s while erdp-cp's backlog is full. */
static int connect_within(int s, const struct sockaddr_un *sa, double timeout_s)
{
	struct timeval tv = {.tv_sec = (time_t)timeout_s,
			     .tv_usec =
				     (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6)};
	struct timeval none = {0};
	int rc;

	/* For Unix sockets the send timeout bounds the wait for room in the backlog. */
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	do
		rc = connect(s, (const struct sockaddr *)sa, sizeof(*sa));
	while (rc != 0 && errno == EINTR);
	if (rc == 0)
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	return rc;
}

int client_call(const char *path, json_t *req, int fd, double timeout_s, json_t **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *line = json_dumps(req, JSON_COMPACT), *buf = NULL;
	size_t len = 0, cap = 0;
	double deadline = now_s() + timeout_s;
	json_t *reply = NULL;
	json_error_t jerr;
	int s, rc, status = EXIT_UNREACHABLE;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "erdpctl: socket path '%s' is too long\n", path);
		free(line);
		return EXIT_UNREACHABLE;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = s < 0 ? -1 : connect_within(s, &sa, timeout_s);
	if (rc != 0 && errno == EAGAIN) {
		fprintf(stderr,
			"erdpctl: erdp-cp at %s is busy: its queue of waiting clients stayed full "
			"for %g s (--timeout); try again\n",
			path, timeout_s);
		status = EXIT_BUSY;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr,
			"erdpctl: cannot reach erdp-cp at %s: %s (is erdp-cp running? wrong "
			"--instance or --socket?)\n",
			path, strerror(errno));
		goto out;
	}
	line = realloc(line, strlen(line) + 2);
	strcat(line, "\n");
	rc = send_all(s, line, strlen(line), fd);
	if (rc != 0) {
		fprintf(stderr, "erdpctl: sending to erdp-cp at %s: %s\n", path, strerror(-rc));
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = s, .events = POLLIN};
		double left = deadline - now_s();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) == 0) {
			fprintf(stderr,
				"erdpctl: no reply from erdp-cp within %g s (--timeout): it is "
				"busy "
				"or slow; a change may still be carried out\n",
				timeout_s);
			status = EXIT_BUSY;
			goto out;
		}
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 262144;
			buf = realloc(buf, cap);
			if (buf == NULL) {
				fprintf(stderr, "erdpctl: out of memory\n");
				goto out;
			}
		}
		r = recv(s, buf + len, cap - len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr,
				"erdpctl: erdp-cp closed the connection before replying%s%s\n",
				r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
			goto out;
		}
		len += (size_t)r;
		if (memchr(buf + len - r, '\n', (size_t)r) != NULL)
			break;
	}
	buf[len] = '\0';
	reply = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!json_is_object(reply)) {
		fprintf(stderr, "erdpctl: erdp-cp sent a reply that is not a JSON object: %s\n",
			jerr.text);
		json_decref(reply);
		reply = NULL;
	}
	if (reply != NULL)
		status = 0;
out:
	if (s >= 0)
		close(s);
	free(line);
	free(buf);
	*out = reply;
	return status;
}
