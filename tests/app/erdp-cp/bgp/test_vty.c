/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR vty client (app/erdp-cp/bgp/vty.h) against a fake daemon on a Unix
 * socket in this process: "enable" goes first on every connection,
 * commands are pipelined and answered in order, answers split across reads
 * or packed into one are cut at their terminators, the daemon's status
 * byte is passed on, "configure terminal" ... "end" wraps a change, and a
 * daemon that closes or stops answering (clock injected) fails what waits
 * with VTY_STATUS_LOST; the next command connects again. No FRR needed.
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

#include "bgp/vty.h"
#include "unit_test.h"

static int lfd = -1, dfd = -1; /* the fake daemon: listener, accepted connection */
static char got[4096];	       /* what the daemon received, NULs as '|' */
static size_t got_len;

struct answer {
	int tag, status;
	char text[256];
};
static struct answer ans[32];
static int n_ans;

static void done(void *arg, int tag, int status, char *text, size_t len)
{
	(void)arg;
	if (n_ans < 32) {
		ans[n_ans].tag = tag;
		ans[n_ans].status = status;
		snprintf(ans[n_ans].text, sizeof(ans[n_ans].text), "%.*s", (int)len, text);
	}
	n_ans++;
}

static void daemon_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0) {
		perror(path);
		exit(1);
	}
}

/* Run the client's I/O and the daemon's reads for a few rounds. */
static void pump(struct vty *v, double now)
{
	for (int i = 0; i < 20; i++) {
		struct pollfd p = {.fd = vty_fd(v), .events = vty_events(v)};
		char buf[1024];
		ssize_t r;

		if (p.fd >= 0)
			poll(&p, 1, 5);
		vty_io(v, p.fd >= 0 ? p.revents : 0, now);
		if (dfd < 0) {
			struct pollfd l = {.fd = lfd, .events = POLLIN};

			if (poll(&l, 1, 0) == 1)
				dfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		}
		while (dfd >= 0 && (r = recv(dfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			for (ssize_t k = 0; k < r && got_len < sizeof(got) - 1; k++)
				got[got_len++] = buf[k] ? buf[k] : '|';
	}
	got[got_len] = '\0';
}

/* The daemon answers: text, then NUL NUL NUL status. */
static void reply(const char *text, int status)
{
	char b[512];
	size_t n = strlen(text);

	memcpy(b, text, n);
	memset(b + n, 0, 3);
	b[n + 3] = (char)status;
	if (send(dfd, b, n + 4, 0) != (ssize_t)(n + 4))
		perror("send");
}

int main(void)
{
	char path[] = "/tmp/erdp-test-vty-XXXXXX";
	char sock[64];
	struct vty *v;
	int st;

	if (mkdtemp(path) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/bgpd.vty", path);

	/* answer framing */
	CHECK_EQ(vty_answer_len("abc", 3, &st), 0);
	CHECK_EQ(vty_answer_len("ab\0\0\0", 5, &st), 0);
	CHECK(vty_answer_len("ab\0\0\0\x02rest", 10, &st) == 6 && st == 2);
	CHECK(vty_answer_len("\0\0\0\0", 4, &st) == 4 && st == 0);

	/* no daemon: the command fails at once, and nothing is left */
	v = vty_new(sock);
	vty_cmd(v, "show bgp neighbors json", done, NULL, 1);
	pump(v, 0);
	CHECK(n_ans == 1 && ans[0].tag == 1 && ans[0].status == VTY_STATUS_LOST);
	CHECK_EQ(vty_pending(v), 0);

	/* a daemon: enable first, then the pipelined commands */
	daemon_listen(sock);
	n_ans = 0;
	vty_cmd(v, "show a", done, NULL, 10);
	vty_cmd(v, "show b", done, NULL, 11);
	pump(v, 1);
	CHECK_MSG(strcmp(got, "enable|show a|show b|") == 0, "daemon got '%s'", got);
	/* two answers in one write, the third split in two */
	{
		char b[64];
		size_t n = 0;

		memcpy(b + n, "\0\0\0\0", 4); /* enable: no output */
		n += 4;
		memcpy(b + n, "A-out\0\0\0\0", 9);
		n += 9;
		memcpy(b + n, "B-o", 3);
		n += 3;
		if (send(dfd, b, n, 0) != (ssize_t)n)
			return 1;
	}
	pump(v, 1);
	CHECK(n_ans == 1 && ans[0].tag == 10 && ans[0].status == 0 &&
	      strcmp(ans[0].text, "A-out") == 0);
	reply("ut", 2);
	pump(v, 1);
	CHECK(n_ans == 2 && ans[1].tag == 11 && ans[1].status == 2 &&
	      strcmp(ans[1].text, "B-out") == 0);
	CHECK_EQ(vty_pending(v), 0);

	/* a change: configure terminal, each line, end; its callback is on "end" */
	got_len = 0;
	n_ans = 0;
	vty_config(v, "router bgp 12076\nneighbor 192.0.2.1 shutdown", done, NULL, 20);
	pump(v, 2);
	CHECK_MSG(strcmp(got,
			 "configure terminal|router bgp 12076|neighbor 192.0.2.1 shutdown|end|") ==
			  0,
		  "daemon got '%s'", got);
	for (int i = 0; i < 4; i++)
		reply("", 0);
	pump(v, 2);
	CHECK(n_ans == 1 && ans[0].tag == 20 && ans[0].status == 0);

	/* a daemon that stops answering: lost after VTY_TIMEOUT_S (injected clock) */
	n_ans = 0;
	vty_cmd(v, "show c", done, NULL, 30);
	pump(v, 3);
	CHECK_EQ(n_ans, 0);
	pump(v, 3 + VTY_TIMEOUT_S - 1);
	CHECK_EQ(n_ans, 0);
	pump(v, 3 + VTY_TIMEOUT_S + 1);
	CHECK(n_ans == 1 && ans[0].tag == 30 && ans[0].status == VTY_STATUS_LOST);
	CHECK_EQ(vty_fd(v), -1);

	/* the next command connects again (enable again); the daemon closing fails it */
	close(dfd);
	dfd = -1;
	got_len = 0;
	n_ans = 0;
	vty_cmd(v, "show d", done, NULL, 40);
	pump(v, 20);
	CHECK_MSG(strcmp(got, "enable|show d|") == 0, "daemon got '%s'", got);
	close(dfd);
	dfd = -1;
	pump(v, 20);
	CHECK(n_ans == 1 && ans[0].tag == 40 && ans[0].status == VTY_STATUS_LOST);

	vty_free(v);
	close(lfd);
	unlink(sock);
	rmdir(path);
	TEST_MAIN_END();
}
