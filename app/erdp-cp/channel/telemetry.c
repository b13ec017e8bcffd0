/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client of erdp's DPDK telemetry socket (SOCK_SEQPACKET): on connect the
 * server sends one JSON info message; each command written gets one JSON
 * reply {"<command>": value}. Counters and neighbour tables live in erdp;
 * erdp-cp asks for them per request instead of keeping copies that would
 * be stale. One connection per request, several commands on it.
 *
 * Thread-safe: a struct tel belongs to its caller, and the cp fields read
 * (tel_path, instance) do not change after start-up; the metrics endpoint
 * (server/metrics.c) uses its own connections from its own thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "cp.h"

#define TEL_BUF (1 << 20)

struct tel {
	int fd;
	char *buf;
	const struct cp *cp;
};

static ssize_t read_msg(int fd, char *buf, size_t n)
{
	ssize_t r;

	do
		r = recv(fd, buf, n - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

void tel_close(struct tel *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->buf);
	free(t);
}

struct tel *tel_open(const struct cp *cp, struct erdp_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 2};
	struct tel *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->buf = malloc(TEL_BUF)) == NULL) {
		erdp_errf(err, ENOMEM, "telemetry: out of memory");
		tel_close(t);
		return NULL;
	}
	t->cp = cp;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cp->tel_path);
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		erdp_errf(err, errno, "socket: %s", strerror(errno));
		tel_close(t);
		return NULL;
	}
	setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		erdp_errf(err, errno,
			  "erdp is not running for instance '%s' (cannot connect to its telemetry "
			  "socket %s: %s)",
			  cp->instance, cp->tel_path, strerror(errno));
		tel_close(t);
		return NULL;
	}
	if (read_msg(t->fd, t->buf, TEL_BUF) <= 0) {
		erdp_errf(err, EIO, "erdp's telemetry socket %s sent no greeting", cp->tel_path);
		tel_close(t);
		return NULL;
	}
	return t;
}

int tel_cmd(struct tel *t, const char *cmd, json_t **out, struct erdp_err *err)
{
	char key[128], *comma;
	json_error_t jerr;
	json_t *doc, *v;

	*out = NULL;
	errno = 0;
	if (send(t->fd, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd) ||
	    read_msg(t->fd, t->buf, TEL_BUF) <= 0)
		return erdp_errf(err, EIO, "erdp's telemetry socket %s did not answer '%s': %s",
				 t->cp->tel_path, cmd,
				 errno ? strerror(errno) : "connection closed");
	doc = json_loads(t->buf, 0, &jerr);
	/*
	 * erdp's u64 values above INT64_MAX (the random boot ids of /erdp/ctl)
	 * overflow jansson's integers: then every number of the reply is read as
	 * a real (exact below 2^53, which counters stay under).
	 */
	if (doc == NULL && json_error_code(&jerr) == json_error_numeric_overflow)
		doc = json_loads(t->buf, JSON_DECODE_INT_AS_REAL, &jerr);
	snprintf(key, sizeof(key), "%s", cmd);
	comma = strchr(key, ',');
	if (comma != NULL)
		*comma = '\0';
	v = json_object_get(doc, key);
	if (v == NULL || json_is_null(v)) {
		int rc = erdp_errf(err, EPROTO, "erdp's telemetry has no answer to '%s': %.200s",
				   cmd, t->buf);

		json_decref(doc);
		return rc;
	}
	*out = json_incref(v);
	json_decref(doc);
	return 0;
}

int tel_query(const struct cp *cp, const char *cmd, json_t **out, struct erdp_err *err)
{
	struct tel *t = tel_open(cp, err);
	int rc;

	*out = NULL;
	if (t == NULL)
		return -err->code;
	rc = tel_cmd(t, cmd, out, err);
	tel_close(t);
	return rc;
}

#define TEL_LIST_MAX_PAGES 65536 /* a bound on a list that never ends */

int tel_list(struct tel *t, const char *list_cmd, const char *key,
	     void (*fn)(json_t *entry, void *arg), void *arg, struct erdp_err *err)
{
	json_int_t start = 0;

	for (int pages = 0; pages < TEL_LIST_MAX_PAGES; pages++) {
		char cmd[160];
		json_t *v, *e, *next;
		const char *k;
		int rc;

		snprintf(cmd, sizeof(cmd), "%s,%lld", list_cmd, (long long)start);
		rc = tel_cmd(t, cmd, &v, err);
		if (rc != 0)
			return rc;
		json_object_foreach(json_object_get(v, key), k, e) fn(e, arg);
		next = json_object_get(v, "next");
		start = json_is_integer(next) ? json_integer_value(next) : 0;
		json_decref(v);
		if (start == 0)
			return 0;
	}
	return erdp_errf(err, EPROTO, "erdp's telemetry list %s did not end after %d pages",
			 list_cmd, TEL_LIST_MAX_PAGES);
}
