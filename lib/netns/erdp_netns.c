/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named network namespaces (the contract is in erdp_netns.h).
 *
 * Creating one the way `ip netns add` does: an empty file /run/netns/NAME
 * made with O_EXCL (whoever makes it creates the namespace; anyone else
 * waits for it), a new namespace on this thread (unshare), its nsfs file
 * bind-mounted on the name, and back to where the thread was. /run/netns is
 * made a shared mount, as iproute2 does, so that the name shows in other
 * mount namespaces too. A process that runs in a private mount namespace
 * (`ip netns exec` makes one) still cannot publish names to the others:
 * start erdp and erdp-cp with `nsenter --net=...` instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "erdp_netns.h"

#define SELF_NETNS	"/proc/thread-self/ns/net"
#define CREATE_WAIT_MS	1000 /* how long another creator may take to mount its name */
#define CREATE_POLL_MS	10
#define NETNS_DIR_MODE	0755
#define NETNS_FILE_MODE 0 /* the bind mount covers it: iproute2 makes it 0 too */
#define NETNS_PATH_LEN	(sizeof(ERDP_NETNS_DIR) + NAME_MAX + 1)

static int name_path(const char *name, char *path, struct erdp_err *err)
{
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strlen(name) > NAME_MAX)
		return erdp_errf(err, EINVAL, "network namespace name '%s': not a file name",
				 name != NULL ? name : "(null)");
	snprintf(path, NETNS_PATH_LEN, "%s/%s", ERDP_NETNS_DIR, name);
	return 0;
}

static bool is_nsfs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == NSFS_MAGIC;
}

bool erdp_netns_exists(const char *name)
{
	char path[NETNS_PATH_LEN];

	return name_path(name, path, NULL) == 0 && is_nsfs(path);
}

/* /run/netns exists and propagates its mounts to every mount namespace (best effort). */
static int prepare_dir(struct erdp_err *err)
{
	if (mkdir(ERDP_NETNS_DIR, NETNS_DIR_MODE) != 0 && errno != EEXIST)
		return erdp_errf(err, errno, "cannot create %s: %s", ERDP_NETNS_DIR,
				 strerror(errno));
	if (mount("", ERDP_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	/* Not a mount point yet: make it one, then shared. */
	if (errno == EINVAL &&
	    mount(ERDP_NETNS_DIR, ERDP_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) == 0)
		mount("", ERDP_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int erdp_netns_enter(const char *name, struct erdp_err *err)
{
	char path[NETNS_PATH_LEN];
	int fd, saved, rc;

	rc = name_path(name, path, err);
	if (rc < 0)
		return rc;
	saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return erdp_errf(err, errno, "cannot open %s: %s", SELF_NETNS, strerror(errno));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = erdp_errf(err, errno, "network namespace '%s': cannot open %s: %s", name, path,
			       strerror(errno));
		close(saved);
		return rc;
	}
	rc = setns(fd, CLONE_NEWNET);
	if (rc != 0)
		rc = erdp_errf(err, errno, "cannot enter network namespace '%s': %s", name,
			       strerror(errno));
	close(fd);
	if (rc != 0) {
		close(saved);
		return rc;
	}
	return saved;
}

int erdp_netns_leave(int saved_fd)
{
	int rc = setns(saved_fd, CLONE_NEWNET) == 0 ? 0 : -errno;

	close(saved_fd);
	return rc;
}

/* A new namespace on this thread, bound on path, loopback up; the thread goes back. */
static int create(const char *name, const char *path, struct erdp_err *err)
{
	int saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC), rc = 0;

	if (saved < 0)
		return erdp_errf(err, errno, "cannot open %s: %s", SELF_NETNS, strerror(errno));
	if (unshare(CLONE_NEWNET) != 0) {
		rc = erdp_errf(err, errno, "cannot create network namespace '%s': %s", name,
			       strerror(errno));
		close(saved);
		return rc;
	}
	if (mount(SELF_NETNS, path, "none", MS_BIND, NULL) != 0)
		rc = erdp_errf(err, errno, "network namespace '%s': cannot bind it on %s: %s", name,
			       path, strerror(errno));
	else
		rc = erdp_netif_set("lo", true, false, err);
	if (erdp_netns_leave(saved) != 0 && rc == 0)
		rc = erdp_errf(err, errno, "cannot return from network namespace '%s': %s", name,
			       strerror(errno));
	return rc;
}

/* Loopback up in an existing namespace (zebra's FPM client talks to 127.0.0.1 there). */
static int loopback_up(const char *name, struct erdp_err *err)
{
	int saved = erdp_netns_enter(name, err), rc;

	if (saved < 0)
		return saved;
	rc = erdp_netif_set("lo", true, false, err);
	erdp_netns_leave(saved);
	return rc;
}

int erdp_netns_ensure(const char *name, struct erdp_err *err)
{
	char path[NETNS_PATH_LEN];
	int fd, rc;

	rc = name_path(name, path, err);
	if (rc < 0)
		return rc;
	if (is_nsfs(path))
		return loopback_up(name, err);
	rc = prepare_dir(err);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, NETNS_FILE_MODE);
	if (fd >= 0) {
		close(fd);
		rc = create(name, path, err);
		if (rc < 0)
			unlink(path);
		return rc;
	}
	if (errno != EEXIST)
		return erdp_errf(err, errno, "network namespace '%s': cannot create %s: %s", name,
				 path, strerror(errno));
	/* Someone else is creating it: wait for its mount; a creator that died leaves the file. */
	for (int waited = 0; waited < CREATE_WAIT_MS; waited += CREATE_POLL_MS) {
		if (is_nsfs(path))
			return loopback_up(name, err);
		sleep_ms(CREATE_POLL_MS);
	}
	return create(name, path, err);
}

int erdp_netns_delete(const char *name)
{
	char path[NETNS_PATH_LEN];
	int rc = name_path(name, path, NULL);

	if (rc < 0)
		return rc;
	if (access(path, F_OK) != 0)
		return -errno;
	/* Lazy: a process that is inside keeps the namespace; the name goes at once. */
	if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL)
		return -errno;
	return unlink(path) == 0 ? 0 : -errno;
}

int erdp_netns_sysctl(const char *key, const char *value, struct erdp_err *err)
{
	char path[PATH_MAX];
	bool dots = strchr(key, '/') == NULL;
	size_t n = strlen(value);
	int fd, len;
	ssize_t w;

	len = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (len < 0 || (size_t)len >= sizeof(path))
		return erdp_errf(err, ENAMETOOLONG, "sysctl '%s': name too long", key);
	for (char *p = path + strlen("/proc/sys/"); dots && *p != '\0'; p++)
		if (*p == '.')
			*p = '/';
	/* /proc/sys/net shows the namespace of the thread that opens it. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return erdp_errf(err, errno, "sysctl %s: cannot open %s: %s", key, path,
				 strerror(errno));
	w = write(fd, value, n);
	if (w != (ssize_t)n) {
		int e = w < 0 ? errno : EIO;

		close(fd);
		return erdp_errf(err, e, "sysctl %s = %s: %s", key, value, strerror(e));
	}
	close(fd);
	return 0;
}
