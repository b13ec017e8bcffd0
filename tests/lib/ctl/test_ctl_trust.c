/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control segment's trust boundary, played by a hostile local user.
 *
 * /dev/shm is world-writable, so an unprivileged user can create the
 * segment's name before erdp starts. A forked child drops to uid/gid
 * HOSTILE_ID and does exactly that (a perfect imitation: right size, right
 * header, mode 0666 so that erdp could share it), keeps it mapped and,
 * once erdp has "started", tries to inject a ROUTE_ADD both through its own
 * mapping and by opening the name again. Then:
 *   - erdp_ctl_create never uses the hostile object: the segment it returns
 *     is a new inode owned by us with mode 0600, nothing the child wrote
 *     reaches erdp's request ring, and the child cannot open the new one;
 *   - the same for a hostile 0600 file, a symbolic link and a FIFO;
 *   - erdp_ctl_open refuses a segment of another owner, one with group or
 *     other access and one with a second name, and says why.
 * erdp's own leftover segment (a crashed erdp) is still reused in place,
 * which is what lets a running erdp-cp notice the restart.
 *
 * The hostile cases need root (to become another user); without root they
 * are skipped with a message and only the same-user cases run.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "erdp_ctl.h"
#include "erdp_ctl_layout.h"
#include "unit_test.h"

#define HOSTILE_ID 65534 /* nobody/nogroup */

enum hostile_kind { HOSTILE_FILE_0666, HOSTILE_FILE_0600, HOSTILE_SYMLINK, HOSTILE_FIFO };

/* What the child reports after its attack. */
struct attack {
	int reopen_errno;   /* 0: it could open the name again (bad) */
	int open_api_errno; /* erdp_ctl_open as the hostile user: 0 = it got in (bad) */
	unsigned int sent;  /* messages it managed to put in a ring it could reach */
};

static char inst[64], path[160], victim[160];

static void seg_path(void)
{
	char name[128];

	erdp_ctl_shm_name(inst, name, sizeof(name));
	snprintf(path, sizeof(path), "/dev/shm%s", name);
}

static int become_hostile(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(HOSTILE_ID, HOSTILE_ID, HOSTILE_ID) != 0 ||
	    setresuid(HOSTILE_ID, HOSTILE_ID, HOSTILE_ID) != 0)
		return -1;
	return 0;
}

/* A ROUTE_ADD that would create a route erdp-cp does not know. */
static void evil_msg(struct erdp_msg *m)
{
	uint8_t a[4] = {203, 0, 113, 0};

	erdp_msg_route(m, true, 0, 4, a, 24, ERDP_NH_REF_BLACKHOLE);
	m->seq = 666;
}

/* Write a message straight into a mapped segment's request ring. */
static unsigned int ring_inject(struct erdp_ctl_hdr *h)
{
	struct erdp_msg *slots = (struct erdp_msg *)((uint8_t *)h + ERDP_CTL_HDR_SIZE);
	uint64_t head = __atomic_load_n(&h->req.head, __ATOMIC_RELAXED);

	evil_msg(&slots[head & (ERDP_CTL_REQ_SLOTS - 1)]);
	__atomic_store_n(&h->req.head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* The hostile user's half: create the name, wait for erdp, attack. */
static int hostile_child(enum hostile_kind kind, int to_parent, int from_parent)
{
	struct erdp_ctl_hdr *h = NULL;
	struct attack at = {0};
	struct erdp_err err = {0};
	struct stat st;
	char go;
	int fd = -1;

	if (become_hostile() != 0)
		return 10;
	if (kind == HOSTILE_SYMLINK) {
		if (symlink(victim, path) != 0)
			return 11;
	} else if (kind == HOSTILE_FIFO) {
		if (mkfifo(path, 0666) != 0)
			return 11;
	} else {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || fchmod(fd, kind == HOSTILE_FILE_0666 ? 0666 : 0600) != 0 ||
		    ftruncate(fd, ERDP_CTL_SEG_SIZE) != 0)
			return 11;
		h = mmap(NULL, ERDP_CTL_SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (h == MAP_FAILED)
			return 12;
		h->version = ERDP_MSG_VERSION;
		h->msg_size = sizeof(struct erdp_msg);
		h->ack_size = sizeof(struct erdp_ack);
		h->req_slots = ERDP_CTL_REQ_SLOTS;
		h->ack_slots = ERDP_CTL_ACK_SLOTS;
		h->magic = ERDP_CTL_MAGIC;
	}
	if (write(to_parent, "r", 1) != 1 || read(from_parent, &go, 1) != 1)
		return 13;
	/* erdp has started: inject through what we still hold... */
	if (h != NULL)
		at.sent += ring_inject(h);
	/* ...and through the name, as a new opener. */
	int fd2 = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK);

	at.reopen_errno = fd2 < 0 ? errno : 0;
	if (fd2 >= 0 && fstat(fd2, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == ERDP_CTL_SEG_SIZE) {
		struct erdp_ctl_hdr *h2 =
			mmap(NULL, ERDP_CTL_SEG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);

		if (h2 != MAP_FAILED)
			at.sent += ring_inject(h2);
	}
	struct erdp_ctl *c = erdp_ctl_open(inst, &err);

	at.open_api_errno = c != NULL ? 0 : err.code;
	if (c != NULL) {
		struct erdp_msg m[3];

		evil_msg(&m[0]);
		erdp_msg_sync(&m[1], true, 7);
		erdp_msg_sync(&m[2], false, 7);
		at.sent += erdp_ctl_send(c, m, 3);
	}
	if (write(to_parent, &at, sizeof(at)) != (ssize_t)sizeof(at))
		return 14;
	return 0;
}

static ino_t inode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_ino : 0;
}

/* One hostile pre-creation, then erdp starts; checks (a) of the file comment. */
static void test_hostile(enum hostile_kind kind, const char *what)
{
	int up[2], down[2], status;
	struct erdp_err err = {0};
	struct attack at = {0};
	struct erdp_ctl *dp;
	struct erdp_msg r[8];
	struct stat st;
	ino_t hostile_ino;
	pid_t pid;
	char ready;

	printf("hostile %s\n", what);
	erdp_ctl_unlink(inst);
	if (pipe(up) != 0 || pipe(down) != 0) {
		CHECK(false);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		_exit(hostile_child(kind, up[1], down[0]));
	}
	close(up[1]);
	close(down[0]);
	CHECK(pid > 0 && read(up[0], &ready, 1) == 1);
	hostile_ino = inode_of(path);
	CHECK(hostile_ino != 0);

	dp = erdp_ctl_create(inst, &err);
	CHECK_MSG(dp != NULL, "%s", err.msg);
	/* the replacement is reported: who owned the name and how */
	CHECK_EQ(err.code, 0);
	CHECK_MSG(strstr(err.msg, "uid 65534") != NULL && strstr(err.msg, "removed") != NULL, "%s",
		  err.msg);
	CHECK(lstat(path, &st) == 0);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK(S_ISREG(st.st_mode));
	CHECK(st.st_ino != hostile_ino);

	CHECK(write(down[1], "g", 1) == 1);
	CHECK(read(up[0], &at, sizeof(at)) == (ssize_t)sizeof(at));
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* the attack went nowhere: erdp's ring holds nothing */
	CHECK_EQ(at.reopen_errno, EACCES);
	CHECK(at.open_api_errno != 0);
	if (dp != NULL) {
		unsigned int got = erdp_ctl_recv(dp, r, 8);

		CHECK_MSG(got == 0, "%u injected messages reached erdp (the child sent %u)", got,
			  at.sent);
		CHECK_EQ(erdp_ctl_req_free(dp), ERDP_CTL_REQ_SLOTS);
		erdp_ctl_close(dp);
	}
	close(up[0]);
	close(down[1]);
	erdp_ctl_unlink(inst);
}

/* A symbolic link must not lead erdp to create, size or map its target. */
static void test_symlink_target_untouched(void)
{
	struct stat st;
	char buf[16] = {0};
	int fd = open(victim, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && write(fd, "precious", 8) == 8);
	if (fd >= 0)
		close(fd);
	test_hostile(HOSTILE_SYMLINK, "symbolic link");
	CHECK(stat(victim, &st) == 0);
	CHECK_EQ(st.st_size, 8);
	fd = open(victim, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 8 && memcmp(buf, "precious", 8) == 0);
	if (fd >= 0)
		close(fd);
	unlink(victim);
}

/* (b): erdp-cp refuses segments that erdp's user did not make for itself. */
static void test_open_refuses_foreign(bool root)
{
	struct erdp_err err = {0};
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err), *cp;
	char other[200];

	CHECK_MSG(dp != NULL, "%s", err.msg);
	if (dp == NULL)
		return;
	/* mode with other access: anyone could write it */
	CHECK(chmod(path, 0666) == 0);
	CHECK(erdp_ctl_open(inst, &err) == NULL);
	CHECK_EQ(err.code, EPERM);
	CHECK_MSG(strstr(err.msg, "mode 0666") != NULL &&
			  strstr(err.msg, "no group or other") != NULL,
		  "%s", err.msg);
	/* group access too */
	CHECK(chmod(path, 0660) == 0);
	CHECK(erdp_ctl_open(inst, &err) == NULL);
	CHECK_EQ(err.code, EPERM);
	/* and a new erdp does not keep such a segment either */
	struct erdp_ctl *dp2 = erdp_ctl_create(inst, &err);
	struct stat st;

	CHECK_MSG(dp2 != NULL, "%s", err.msg);
	CHECK_MSG(strstr(err.msg, "mode 0660") != NULL, "%s", err.msg);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	erdp_ctl_close(dp);
	dp = dp2;
	/* a second name for it: someone else may hold the other one */
	snprintf(other, sizeof(other), "%s.link2", path);
	CHECK(link(path, other) == 0);
	CHECK(erdp_ctl_open(inst, &err) == NULL);
	CHECK_EQ(err.code, EPERM);
	CHECK_MSG(strstr(err.msg, "2 link(s)") != NULL, "%s", err.msg);
	unlink(other);
	cp = erdp_ctl_open(inst, &err);
	CHECK_MSG(cp != NULL, "%s", err.msg);
	erdp_ctl_close(cp);
	if (root) {
		/* another owner: refused by default, accepted when that owner is expected */
		CHECK(chown(path, HOSTILE_ID, HOSTILE_ID) == 0);
		CHECK(erdp_ctl_open(inst, &err) == NULL);
		CHECK_EQ(err.code, EPERM);
		CHECK_MSG(strstr(err.msg, "owner uid 65534") != NULL &&
				  strstr(err.msg, "expected a regular file of owner uid 0") != NULL,
			  "%s", err.msg);
		cp = erdp_ctl_open_owner(inst, HOSTILE_ID, &err);
		CHECK_MSG(cp != NULL, "%s", err.msg);
		erdp_ctl_close(cp);
	}
	erdp_ctl_close(dp);
	erdp_ctl_unlink(inst);
	/* a symbolic link in place of the segment */
	CHECK(symlink("/dev/null", path) == 0);
	CHECK(erdp_ctl_open(inst, &err) == NULL);
	CHECK_EQ(err.code, EPERM);
	CHECK_MSG(strstr(err.msg, "symbolic link") != NULL, "%s", err.msg);
	unlink(path);
}

/* A crashed erdp's own segment is reused in place: same inode, rings reset. */
static void test_own_segment_reused(void)
{
	struct erdp_err err = {0};
	struct erdp_ctl *dp = erdp_ctl_create(inst, &err), *cp, *dp2;
	struct erdp_msg m;
	ino_t ino = inode_of(path);

	CHECK_MSG(dp != NULL && err.msg[0] == '\0', "%s", err.msg);
	cp = erdp_ctl_open(inst, &err);
	CHECK_MSG(cp != NULL, "%s", err.msg);
	if (dp == NULL || cp == NULL)
		return;
	erdp_msg_nop(&m);
	CHECK_EQ(erdp_ctl_send(cp, &m, 1), 1);
	erdp_ctl_close(dp); /* "crash": the name stays */
	dp2 = erdp_ctl_create(inst, &err);
	CHECK_MSG(dp2 != NULL && err.msg[0] == '\0', "%s", err.msg);
	CHECK_EQ(inode_of(path), ino);
	if (dp2 != NULL) {
		CHECK_EQ(erdp_ctl_recv(dp2, &m, 1), 0); /* pending request discarded */
		erdp_ctl_dp_hello(dp2, 0x77);
		CHECK(erdp_ctl_dp_boot_id(cp) == 0x77); /* the cp's mapping sees the new erdp */
		erdp_ctl_close(dp2);
	}
	erdp_ctl_close(cp);
	erdp_ctl_unlink(inst);
}

int main(void)
{
	bool root = geteuid() == 0;

	snprintf(inst, sizeof(inst), "erdp-t-trust-%d", (int)getpid());
	snprintf(victim, sizeof(victim), "/dev/shm/erdp-t-trust-victim-%d", (int)getpid());
	seg_path();
	erdp_ctl_unlink(inst);
	test_own_segment_reused();
	test_open_refuses_foreign(root);
	if (root) {
		test_hostile(HOSTILE_FILE_0666, "file 0666 with a valid header");
		test_hostile(HOSTILE_FILE_0600, "file 0600 with a valid header");
		test_hostile(HOSTILE_FIFO, "FIFO");
		test_symlink_target_untouched();
	} else {
		printf("SKIP hostile-user cases: they need root to act as uid %d\n", HOSTILE_ID);
	}
	erdp_ctl_unlink(inst);
	CHECK(access(path, F_OK) != 0); /* nothing left behind */
	TEST_MAIN_END();
}
