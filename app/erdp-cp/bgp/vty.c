/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR vty client (vty.h): a queue of commands, written as the socket takes
 * them, answered in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "vty.h"

#define VTY_READ_CHUNK 65536

struct vty_cmd {
	struct vty_cmd *next;
	char *line; /* with its NUL: what goes on the wire */
	size_t len;
	vty_done_fn fn;
	void *arg;
	int tag;
};

struct vty {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	struct vty_cmd *head, **tail; /* every command not answered yet, in order */
	struct vty_cmd *unsent;	      /* first one not completely written */
	size_t unsent_off;
	size_t n;
	char *in;
	size_t in_len, in_cap;
	double deadline; /* the oldest written command must be answered by then */
};

struct vty *vty_new(const char *path)
{
	struct vty *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->fd = -1;
	v->tail = &v->head;
	return v;
}

static struct vty_cmd *cmd_new(const char *line, vty_done_fn fn, void *arg, int tag)
{
	struct vty_cmd *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->len = strlen(line) + 1;
	c->line = malloc(c->len);
	if (c->line == NULL) {
		free(c);
		return NULL;
	}
	memcpy(c->line, line, c->len);
	c->fn = fn;
	c->arg = arg;
	c->tag = tag;
	return c;
}

static void cmd_free(struct vty_cmd *c)
{
	free(c->line);
	free(c);
}

static void push(struct vty *v, struct vty_cmd *c)
{
	c->next = NULL;
	*v->tail = c;
	v->tail = &c->next;
	if (v->unsent == NULL) {
		v->unsent = c;
		v->unsent_off = 0;
	}
	v->n++;
}

int vty_cmd(struct vty *v, const char *line, vty_done_fn fn, void *arg, int tag)
{
	struct vty_cmd *c = cmd_new(line, fn, arg, tag);

	if (c == NULL)
		return -ENOMEM;
	push(v, c);
	return 0;
}

int vty_config(struct vty *v, const char *lines, vty_done_fn fn, void *arg, int tag)
{
	char *copy = strdup(lines), *save = NULL;
	int rc = copy != NULL ? vty_cmd(v, "configure terminal", NULL, NULL, 0) : -ENOMEM;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; rc == 0 && l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		rc = vty_cmd(v, l, NULL, NULL, 0);
	/* The answer of "end" tells the caller that the change went through. */
	if (rc == 0)
		rc = vty_cmd(v, "end", fn, arg, tag);
	free(copy);
	return rc;
}

/* Answer every waiting command with VTY_STATUS_LOST and close. */
void vty_reset(struct vty *v)
{
	struct vty_cmd *c = v->head;

	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->head = NULL;
	v->tail = &v->head;
	v->unsent = NULL;
	v->n = 0;
	v->in_len = 0;
	while (c != NULL) {
		struct vty_cmd *next = c->next;

		if (c->fn != NULL)
			c->fn(c->arg, c->tag, VTY_STATUS_LOST, (char *)"", 0);
		cmd_free(c);
		c = next;
	}
}

void vty_free(struct vty *v)
{
	if (v == NULL)
		return;
	for (struct vty_cmd *c = v->head, *next; c != NULL; c = next) {
		next = c->next;
		cmd_free(c);
	}
	if (v->fd >= 0)
		close(v->fd);
	free(v->in);
	free(v);
}

int vty_fd(const struct vty *v)
{
	return v->fd;
}

short vty_events(const struct vty *v)
{
	return (short)(POLLIN | (v->unsent != NULL ? POLLOUT : 0));
}

size_t vty_pending(const struct vty *v)
{
	return v->n;
}

size_t vty_answer_len(const char *buf, size_t n, int *status)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (buf[i] == '\0' && buf[i + 1] == '\0' && buf[i + 2] == '\0') {
			*status = (unsigned char)buf[i + 3];
			return i + 4;
		}
	return 0;
}

/* Connect, and put "enable" first: a new connection starts in view mode. */
static void open_conn(struct vty *v, double now)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vty_cmd *en;

	memcpy(sa.sun_path, v->path, sizeof(sa.sun_path));
	v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->fd < 0 || connect(v->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		vty_reset(v);
		return;
	}
	en = cmd_new("enable", NULL, NULL, 0);
	if (en == NULL) {
		vty_reset(v);
		return;
	}
	en->next = v->head;
	v->head = en;
	if (v->tail == &v->head)
		v->tail = &en->next;
	v->unsent = en;
	v->unsent_off = 0;
	v->n++;
	v->deadline = now + VTY_TIMEOUT_S;
}

static void write_some(struct vty *v, double now)
{
	while (v->unsent != NULL) {
		struct vty_cmd *c = v->unsent;
		ssize_t w = send(v->fd, c->line + v->unsent_off, c->len - v->unsent_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				vty_reset(v);
			return;
		}
		v->unsent_off += (size_t)w;
		if (v->unsent_off < c->len)
			return;
		if (c == v->head)
			v->deadline = now + VTY_TIMEOUT_S;
		v->unsent = c->next;
		v->unsent_off = 0;
	}
}

/* Hand out every complete answer in the input buffer. */
static void answers(struct vty *v, double now)
{
	size_t off = 0, len;
	int status;

	while (v->head != NULL && (len = vty_answer_len(v->in + off, v->in_len - off, &status))) {
		struct vty_cmd *c = v->head;

		v->head = c->next;
		if (v->head == NULL)
			v->tail = &v->head;
		v->n--;
		v->in[off + len - 4] = '\0';
		v->deadline = now + VTY_TIMEOUT_S;
		/* The callback may queue more commands: c is already off the queue. */
		if (c->fn != NULL)
			c->fn(c->arg, c->tag, status, v->in + off, len - 4);
		cmd_free(c);
		off += len;
	}
	memmove(v->in, v->in + off, v->in_len - off);
	v->in_len -= off;
	if (v->head == NULL)
		v->in_len = 0; /* nothing asked: nothing to keep */
}

static void read_some(struct vty *v, double now)
{
	for (;;) {
		ssize_t r;

		if (v->in_cap - v->in_len < VTY_READ_CHUNK) {
			size_t cap = v->in_cap ? v->in_cap * 2 : 2 * VTY_READ_CHUNK;
			char *b;

			if (cap > VTY_MAX_REPLY + VTY_READ_CHUNK ||
			    (b = realloc(v->in, cap)) == NULL) {
				vty_reset(v);
				return;
			}
			v->in = b;
			v->in_cap = cap;
		}
		r = recv(v->fd, v->in + v->in_len, v->in_cap - v->in_len, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			vty_reset(v);
			return;
		}
		if (r < 0)
			return;
		v->in_len += (size_t)r;
		answers(v, now);
		if (v->fd < 0)
			return;
	}
}

void vty_io(struct vty *v, short revents, double now)
{
	if (v->fd < 0) {
		if (v->head == NULL)
			return;
		open_conn(v, now);
		if (v->fd < 0)
			return;
		revents = POLLOUT;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_some(v, now);
	if (v->fd >= 0 && v->unsent != NULL)
		write_some(v, now);
	if (v->fd >= 0 && v->head != NULL && v->head != v->unsent && now > v->deadline)
		vty_reset(v);
}
