/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control segment and its rings: create/open, order, wraparound,
 * backpressure on a full ring, a producer in another process (fork), the
 * errors of open, and what a data-plane restart does to the rings.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "erdp_ctl.h"
#include "erdp_ctl_layout.h"
#include "unit_test.h"

#define N_CROSS 1000000u

static char inst[64];

static void msg_seq(struct erdp_msg *m, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	erdp_msg_nop(m);
	m->seq = seq;
	m->session = 77;
	m->u.raw[0] = (uint8_t)seq; /* body bytes travel too */
	m->u.raw[sizeof(m->u.raw) - 1] = (uint8_t)(seq >> 8);
}

static bool msg_ok(const struct erdp_msg *m, uint32_t seq)
{
	return m->seq == seq && m->session == 77 && m->u.raw[0] == (uint8_t)seq &&
	       m->u.raw[sizeof(m->u.raw) - 1] == (uint8_t)(seq >> 8);
}

static void test_create_open(void)
{
	struct erdp_err err = {0};
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err), *cp;
	char path[128];

	CHECK_MSG(dp != NULL, "%s", err.msg);
	if (dp == NULL)
		return;
	snprintf(path, sizeof(path), "/dev/shm/erdp-%s.ctl", inst);
	CHECK(access(path, F_OK) == 0);
	cp = erdp_ctl_open(inst, &err);
	CHECK_MSG(cp != NULL, "%s", err.msg);
	if (cp == NULL) {
		erdp_ctl_close(dp);
		return;
	}
	CHECK_EQ(erdp_ctl_req_free(cp), ERDP_CTL_REQ_SLOTS);
	CHECK_EQ(erdp_ctl_ack_free(dp), ERDP_CTL_ACK_SLOTS);

	/* liveness fields are shared */
	erdp_ctl_dp_hello(dp, 0xabcdef);
	erdp_ctl_dp_beat(dp);
	erdp_ctl_dp_beat(dp);
	erdp_ctl_cp_hello(cp, 0x123);
	erdp_ctl_cp_beat(cp);
	CHECK(erdp_ctl_dp_boot_id(cp) == 0xabcdef);
	CHECK_EQ(erdp_ctl_dp_heartbeat(cp), 2);
	CHECK(erdp_ctl_cp_boot_id(dp) == 0x123);
	CHECK_EQ(erdp_ctl_cp_heartbeat(dp), 1);

	/* order and content, both directions */
	struct erdp_msg m[8], r[8];
	struct erdp_ack a[3], b[3];

	for (uint32_t i = 0; i < 8; i++)
		msg_seq(&m[i], i);
	CHECK_EQ(erdp_ctl_send(cp, m, 5), 5);
	CHECK_EQ(erdp_ctl_send(cp, m + 5, 3), 3);
	CHECK_EQ(erdp_ctl_req_free(cp), ERDP_CTL_REQ_SLOTS - 8);
	CHECK_EQ(erdp_ctl_recv(dp, r, 3), 3);
	CHECK_EQ(erdp_ctl_recv(dp, r + 3, 8), 5);
	CHECK_EQ(erdp_ctl_recv(dp, r, 8), 0);
	for (uint32_t i = 0; i < 8; i++)
		CHECK(msg_ok(&r[i], i));
	memset(a, 0, sizeof(a));
	for (int i = 0; i < 3; i++) {
		a[i].seq = (uint32_t)(100 + i);
		a[i].status = (uint8_t)i;
		snprintf(a[i].detail, sizeof(a[i].detail), "why %d", i);
	}
	CHECK_EQ(erdp_ctl_ack_send(dp, a, 3), 3);
	CHECK_EQ(erdp_ctl_ack_recv(cp, b, 3), 3);
	CHECK(memcmp(a, b, sizeof(a)) == 0);

	/* a second create (new data-plane boot) discards pending requests */
	CHECK_EQ(erdp_ctl_send(cp, m, 4), 4);
	struct erdp_ctl *dp2 = erdp_ctl_create(inst, &err);

	CHECK_MSG(dp2 != NULL, "%s", err.msg);
	if (dp2 != NULL) {
		CHECK_EQ(erdp_ctl_recv(dp2, r, 8), 0);
		CHECK_EQ(erdp_ctl_req_free(cp), ERDP_CTL_REQ_SLOTS);
		/* the control plane's mapping still works: same segment */
		CHECK_EQ(erdp_ctl_send(cp, m, 2), 2);
		CHECK_EQ(erdp_ctl_recv(dp2, r, 8), 2);
		CHECK(msg_ok(&r[1], 1));
		erdp_ctl_dp_hello(dp2, 0x5555);
		CHECK(erdp_ctl_dp_boot_id(cp) == 0x5555);
		erdp_ctl_close(dp2);
	}

	/* clean exit of erdp: the control plane sees its segment go stale */
	CHECK(!erdp_ctl_stale(cp));
	erdp_ctl_unlink(inst);
	CHECK(erdp_ctl_stale(cp));
	CHECK(access(path, F_OK) != 0);
	erdp_ctl_close(cp);
	erdp_ctl_close(dp);
}

static void test_wrap_and_full(void)
{
	struct erdp_err err = {0};
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err), *cp = erdp_ctl_open(inst, &err);
	static struct erdp_msg m[ERDP_CTL_REQ_SLOTS + 100], r[ERDP_CTL_REQ_SLOTS + 100];
	uint32_t next_send = 0, next_recv = 0;
	bool ordered = true;

	CHECK(dp != NULL && cp != NULL);
	if (dp == NULL || cp == NULL)
		return;
	/* odd batch sizes walk the indices over the end many times */
	while (next_recv < 10 * ERDP_CTL_REQ_SLOTS + 7) {
		unsigned int k = 1 + next_send % 997, s, g;

		for (unsigned int i = 0; i < k; i++)
			msg_seq(&m[i], next_send + i);
		s = erdp_ctl_send(cp, m, k);
		next_send += s;
		g = erdp_ctl_recv(dp, r, 1 + next_recv % 613);
		for (unsigned int i = 0; i < g; i++)
			ordered &= msg_ok(&r[i], next_recv + i);
		next_recv += g;
	}
	CHECK(ordered);
	while ((next_recv += erdp_ctl_recv(dp, r, 1000)) < next_send)
		;
	CHECK_EQ(next_recv, next_send);

	/* full ring: a partial send says how many were taken; nothing is lost */
	for (uint32_t i = 0; i < ERDP_CTL_REQ_SLOTS + 100; i++)
		msg_seq(&m[i], 5000 + i);
	CHECK_EQ(erdp_ctl_send(cp, m, 100), 100);
	CHECK_EQ(erdp_ctl_send(cp, m + 100, ERDP_CTL_REQ_SLOTS), ERDP_CTL_REQ_SLOTS - 100);
	CHECK_EQ(erdp_ctl_req_free(cp), 0);
	CHECK_EQ(erdp_ctl_send(cp, m + ERDP_CTL_REQ_SLOTS, 1), 0);
	CHECK_EQ(erdp_ctl_recv(dp, r, 10), 10);
	CHECK_EQ(erdp_ctl_send(cp, m + ERDP_CTL_REQ_SLOTS, 100), 10);
	CHECK_EQ(erdp_ctl_recv(dp, r + 10, ERDP_CTL_REQ_SLOTS + 100), ERDP_CTL_REQ_SLOTS);
	ordered = true;
	for (uint32_t i = 0; i < ERDP_CTL_REQ_SLOTS + 10; i++)
		ordered &= msg_ok(&r[i], 5000 + i);
	CHECK(ordered);

	/* the ack ring too */
	static struct erdp_ack a[ERDP_CTL_ACK_SLOTS + 1];

	CHECK_EQ(erdp_ctl_ack_send(dp, a, ERDP_CTL_ACK_SLOTS + 1), ERDP_CTL_ACK_SLOTS);
	CHECK_EQ(erdp_ctl_ack_free(dp), 0);
	CHECK_EQ(erdp_ctl_ack_send(dp, a, 1), 0);
	CHECK_EQ(erdp_ctl_ack_recv(cp, a, ERDP_CTL_ACK_SLOTS + 1), ERDP_CTL_ACK_SLOTS);
	erdp_ctl_close(cp);
	erdp_ctl_close(dp);
	erdp_ctl_unlink(inst);
}

/* Child: erdp-cp's role, sending N_CROSS messages, retrying when full. */
static int producer(void)
{
	struct erdp_err err = {0};
	struct erdp_ctl *cp = erdp_ctl_open(inst, &err);
	struct erdp_msg m[64];
	uint32_t seq = 0;

	if (cp == NULL) {
		fprintf(stderr, "child: %s\n", err.msg);
		return 2;
	}
	while (seq < N_CROSS) {
		unsigned int k = 1 + seq % 64, s;

		if (k > N_CROSS - seq)
			k = N_CROSS - seq;
		for (unsigned int i = 0; i < k; i++)
			msg_seq(&m[i], seq + i);
		s = erdp_ctl_send(cp, m, k);
		seq += s;
		if (s < k)
			sched_yield(); /* backpressure: try later */
	}
	erdp_ctl_close(cp);
	return 0;
}

static void test_cross_process(void)
{
	struct erdp_err err = {0};
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err);
	static struct erdp_msg r[512];
	uint32_t next = 0, bad = 0;
	int status;
	pid_t pid;

	CHECK_MSG(dp != NULL, "%s", err.msg);
	if (dp == NULL)
		return;
	pid = fork();
	if (pid == 0)
		_exit(producer());
	CHECK(pid > 0);
	while (pid > 0 && next < N_CROSS) {
		/* a slow consumer now and then, so the producer meets a full ring */
		unsigned int g = erdp_ctl_recv(dp, r, (next / 100000) % 2 ? 7 : 512);

		for (unsigned int i = 0; i < g; i++)
			bad += !msg_ok(&r[i], next + i);
		next += g;
		if (g == 0) {
			if (waitpid(pid, &status, WNOHANG) == pid && erdp_ctl_recv(dp, r, 1) == 0)
				break; /* the child is gone and sent no more */
			sched_yield();
		}
	}
	CHECK_EQ(next, N_CROSS);
	CHECK_EQ(bad, 0);
	CHECK_EQ(erdp_ctl_recv(dp, r, 1), 0); /* exactly once: nothing extra */
	if (pid > 0) {
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	erdp_ctl_close(dp);
	erdp_ctl_unlink(inst);
}

static void test_open_errors(void)
{
	struct erdp_err err = {0};
	char name[128], path[160];
	int fd;

	erdp_ctl_unlink(inst);
	CHECK(erdp_ctl_open(inst, &err) == NULL);
	CHECK_EQ(err.code, ENOENT);
	CHECK_MSG(strstr(err.msg, "does not exist") != NULL && strstr(err.msg, inst) != NULL, "%s",
		  err.msg);

	CHECK(erdp_ctl_open("", &err) == NULL);
	CHECK_EQ(err.code, EINVAL);
	CHECK(erdp_ctl_create("a/b", &err) == NULL);
	CHECK_EQ(err.code, EINVAL);

	/* version mismatch: another build's segment */
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err);

	CHECK(dp != NULL);
	erdp_ctl_shm_name(inst, name, sizeof(name));
	snprintf(path, sizeof(path), "/dev/shm%s", name);
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	if (fd >= 0) {
		struct erdp_ctl_hdr *h =
			mmap(NULL, ERDP_CTL_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		CHECK(h != MAP_FAILED);
		if (h != MAP_FAILED) {
			h->version = 2;
			CHECK(erdp_ctl_open(inst, &err) == NULL);
			CHECK_EQ(err.code, EPROTO);
			CHECK_MSG(strstr(err.msg, "has version 2, this build speaks 1") != NULL,
				  "%s", err.msg);
			h->version = ERDP_MSG_VERSION;
			h->msg_size = 128;
			CHECK(erdp_ctl_open(inst, &err) == NULL);
			CHECK_EQ(err.code, EPROTO);
			CHECK_MSG(strstr(err.msg, "128-byte messages") != NULL, "%s", err.msg);
			h->msg_size = sizeof(struct erdp_msg);
			h->magic = 0x12345678;
			CHECK(erdp_ctl_open(inst, &err) == NULL);
			CHECK_EQ(err.code, EPROTO);
			CHECK_MSG(strstr(err.msg, "not an erdp control segment") != NULL, "%s",
				  err.msg);
			h->magic = 0;
			CHECK(erdp_ctl_open(inst, &err) == NULL);
			CHECK_EQ(err.code, ENOENT); /* being created: try again */
			h->version = 7;
			/* a new erdp replaces what another build left */
			struct erdp_ctl *dp2 = erdp_ctl_create(inst, &err);

			CHECK(dp2 != NULL);
			CHECK_EQ(h->version, ERDP_MSG_VERSION);
			struct erdp_ctl *cp = erdp_ctl_open(inst, &err);

			CHECK_MSG(cp != NULL, "%s", err.msg);
			erdp_ctl_close(cp);
			erdp_ctl_close(dp2);
			munmap(h, ERDP_CTL_HDR_SIZE);
		}
		/* a truncated segment */
		CHECK(ftruncate(fd, 100) == 0);
		CHECK(erdp_ctl_open(inst, &err) == NULL);
		CHECK_EQ(err.code, EPROTO);
		close(fd);
	}
	erdp_ctl_close(dp);
	erdp_ctl_unlink(inst);
}

int main(void)
{
	snprintf(inst, sizeof(inst), "erdp-t-ctl-%d", (int)getpid());
	test_create_open();
	test_wrap_and_full();
	test_cross_process();
	test_open_errors();
	char path[128];

	erdp_ctl_unlink(inst);
	snprintf(path, sizeof(path), "/dev/shm/erdp-%s.ctl", inst);
	CHECK(access(path, F_OK) != 0); /* nothing left behind */
	TEST_MAIN_END();
}
