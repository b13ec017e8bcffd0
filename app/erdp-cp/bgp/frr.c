/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR's daemons of one peering: written configuration, start, adoption,
 * supervision, stop.
 *
 * Start: zebra first (bfdd and bgpd talk to it), in the foreground (no -d)
 * so that erdp-cp is its parent, with the pathspace -N <namespace>: its
 * sockets and pid file are under /var/run/frr/<namespace>/, so instances
 * never collide; no TCP vty (-P 0). The child enters the namespace with
 * setns() before exec, starts its own session (a terminal's ^C or a
 * signal to erdp-cp's process group does not reach it) and drops to user
 * frr by itself. Once zebra's zserv socket exists, bfdd and bgpd follow.
 *
 * Watch: a pidfd per daemon (ours or adopted), polled with everything
 * else. When one exits, the other two are killed and all three start
 * again after a backoff (1 s, doubling to 30 s; back to 1 s after 60 s of
 * running): a bgpd without its zebra (or the reverse) is not a state worth
 * repairing piecemeal. SIGKILL, not SIGTERM, for the rest: zebra's orderly
 * shutdown would withdraw every route first, and erdp-cp keeps them
 * through the restart (bgp.h).
 *
 * Adopt: a restarted erdp-cp rewrites the configuration; if it is the same
 * bytes and the three pid files name running processes that are these
 * daemons of this pathspace (/proc/PID/cmdline), it watches them instead
 * of starting new ones: the customer's sessions stay up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bgp_priv.h"
#include "erdp_netns.h"

#define FRR_START_TIMEOUT_S 10.0 /* zebra's zserv socket must appear by then */
#define FRR_BACKOFF_MIN_S   1.0
#define FRR_BACKOFF_MAX_S   30.0
#define FRR_STABLE_S	    60.0 /* running this long resets the backoff */
#define FRR_RUN_DIR	    "/var/run/frr"
#define FRR_USER	    "frr"
#define FRR_LOG_LEVEL	    "informational"
#define FRR_MAX_ARGS	    24

static const char *const daemon_names[FRR_DAEMONS] = {"zebra", "bfdd", "bgpd"};

const char *frr_daemon_name(int d)
{
	return daemon_names[d];
}

/* mkdir -p of one level, owned by FRR's user (the daemons write there as that user). */
static int own_dir(const char *path, const struct passwd *pw, struct erdp_err *err)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return erdp_errf(err, errno, "%s: cannot create: %s", path, strerror(errno));
	if (chown(path, pw->pw_uid, pw->pw_gid) != 0)
		return erdp_errf(err, errno, "%s: cannot give it to user %s: %s", path, FRR_USER,
				 strerror(errno));
	return 0;
}

/*
 * The daemons run as FRR's user and read their files in dir: every
 * directory above it must let that user through (x for others, or for the
 * user's group).
 */
static int reachable(const char *dir, const struct passwd *pw, struct erdp_err *err)
{
	char p[ERDP_PATH_LEN + 80];
	struct stat st;

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strrchr(p, '/'); s != NULL && s != p; s = strrchr(p, '/')) {
		*s = '\0';
		if (stat(p, &st) != 0)
			continue;
		if ((st.st_mode & S_IXOTH) || (st.st_uid == pw->pw_uid && (st.st_mode & S_IXUSR)) ||
		    (st.st_gid == pw->pw_gid && (st.st_mode & S_IXGRP)))
			continue;
		return erdp_errf(
			err, EACCES,
			"bgp.state_dir: FRR's daemons (user %s) cannot reach %s: %s is mode "
			"%04o (they need x on every directory above it)",
			FRR_USER, dir, p, (unsigned int)(st.st_mode & 07777));
	}
	return 0;
}

static int mkdirs(const char *path, struct erdp_err *err)
{
	char p[ERDP_PATH_LEN + 80];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return erdp_errf(err, errno, "%s: cannot create: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return erdp_errf(err, errno, "%s: cannot create: %s", p, strerror(errno));
	return 0;
}

/* Write text to dir/name unless it already holds exactly that. 1: written, 0: same, <0. */
static int put_file(const char *dir, const char *name, const char *text, const struct passwd *pw,
		    struct erdp_err *err)
{
	char path[ERDP_PATH_LEN + 100], tmp[ERDP_PATH_LEN + 110];
	size_t len = strlen(text);
	char *old;
	FILE *f;
	bool same = false;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f != NULL) {
		old = malloc(len + 2);
		if (old != NULL)
			same = fread(old, 1, len + 1, f) == len && memcmp(old, text, len) == 0;
		free(old);
		fclose(f);
	}
	if (same)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		if (f != NULL)
			fclose(f);
		return erdp_errf(err, errno ? errno : EIO, "%s: cannot write: %s", tmp,
				 strerror(errno ? errno : EIO));
	}
	if (chown(tmp, pw->pw_uid, pw->pw_gid) != 0 || chmod(tmp, 0640) != 0 ||
	    rename(tmp, path) != 0)
		return erdp_errf(err, errno, "%s: cannot install: %s", path, strerror(errno));
	return 1;
}

int frr_prepare(struct cp *cp, struct bgp_peering *p, struct erdp_err *err)
{
	const struct passwd *pw = getpwnam(FRR_USER);
	char *text[FRR_DAEMONS] = {frrconf_zebra(&p->spec), frrconf_bfdd(&p->spec),
				   frrconf_bgpd(&p->spec)};
	char exe[ERDP_PATH_LEN + 16];
	int rc = 0;

	p->config_changed = false;
	if (pw == NULL)
		rc = erdp_errf(err, ENOENT,
			       "bgp: no user '%s' on this host: FRR is not installed "
			       "(tools/install-deps.sh installs Debian's frr)",
			       FRR_USER);
	for (int d = 0; rc == 0 && d < FRR_DAEMONS; d++) {
		snprintf(exe, sizeof(exe), "%s/%s", cp->bgp->frr_path, daemon_names[d]);
		if (access(exe, X_OK) != 0)
			rc = erdp_errf(
				err, errno,
				"%s: bgp.frr_path: cannot run %s: %s (FRR 8.4: Debian's frr)",
				cp->cfg->path, exe, strerror(errno));
	}
	if (rc == 0 && erdp_netns_ensure(p->ns, err) != 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = mkdirs(cp->cfg->bgp.state_dir, err);
	if (rc == 0)
		rc = own_dir(p->dir, pw, err);
	if (rc == 0)
		rc = reachable(p->dir, pw, err);
	if (rc == 0 && mkdir(FRR_RUN_DIR, 0755) != 0 && errno != EEXIST)
		rc = erdp_errf(err, errno, "%s: cannot create: %s", FRR_RUN_DIR, strerror(errno));
	if (rc == 0)
		rc = own_dir(p->run, pw, err);
	for (int d = 0; rc == 0 && d < FRR_DAEMONS; d++) {
		char name[16];
		int w;

		snprintf(name, sizeof(name), "%s.conf", daemon_names[d]);
		w = text[d] == NULL ? erdp_errf(err, ENOMEM, "bgp: out of memory")
				    : put_file(p->dir, name, text[d], pw, err);
		if (w < 0)
			rc = w;
		else if (w == 1)
			p->config_changed = true;
	}
	for (int d = 0; d < FRR_DAEMONS; d++)
		free(text[d]);
	return rc;
}

/* Is pid daemon d of pathspace ns (as its command line says)? */
static bool is_daemon(const struct cp *cp, pid_t pid, int d, const char *ns)
{
	char path[64], buf[4096], exe[ERDP_PATH_LEN + 16];
	ssize_t n;
	int fd;
	bool has_ns = false;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(exe, sizeof(exe), "%s/%s", cp->bgp->frr_path, daemon_names[d]);
	if (strcmp(buf, exe) != 0)
		return false;
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (strcmp(a, "-N") == 0 && a + strlen(a) + 1 < buf + n)
			has_ns |= strcmp(a + strlen(a) + 1, ns) == 0;
	return has_ns;
}

/* Running daemon d of pathspace ns per its pid file: a pidfd on it (>= 0) and *pid, or -1. */
static int find_running(const struct cp *cp, const char *ns, int d, pid_t *pid)
{
	char path[160], buf[32];
	FILE *f;
	int fd;
	long v = 0;

	snprintf(path, sizeof(path), "%s/%s/%s.pid", FRR_RUN_DIR, ns, daemon_names[d]);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		v = strtol(buf, NULL, 10);
	fclose(f);
	if (v <= 1)
		return -1;
	fd = pidfd_open((pid_t)v, 0);
	if (fd < 0)
		return -1;
	/* Checked after the pidfd is held: the pid cannot be reused under us now. */
	if (!is_daemon(cp, (pid_t)v, d, ns)) {
		close(fd);
		return -1;
	}
	*pid = (pid_t)v;
	return fd;
}

static void proc_clear(struct frr_proc *pr)
{
	if (pr->pidfd >= 0)
		close(pr->pidfd);
	pr->pidfd = -1;
	pr->pid = 0;
	pr->child = false;
}

/* Signal whatever runs under pathspace ns's pid files (an instance we do not adopt). */
static int signal_leftovers(const struct cp *cp, const char *ns, int sig, const char *why)
{
	int n = 0;

	for (int d = 0; d < FRR_DAEMONS; d++) {
		pid_t pid;
		int fd = find_running(cp, ns, d, &pid);

		if (fd < 0)
			continue;
		cp_log("BGP %s: stopping the %s (pid %d) %s", ns, daemon_names[d], (int)pid, why);
		pidfd_send_signal(fd, sig, NULL, 0);
		close(fd);
		n++;
	}
	return n;
}

void frr_stop_orphans(struct cp *cp)
{
	const char *prefix = cp->cfg->bgp.namespace_prefix;
	DIR *dir = opendir(cp->cfg->bgp.state_dir);
	struct dirent *e;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		bool ours = false;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    e->d_name[strlen(prefix)] != '-')
			continue;
		for (int i = 0; i < cp->bgp->n; i++)
			ours |= strcmp(cp->bgp->p[i].ns, e->d_name) == 0;
		if (!ours)
			signal_leftovers(cp, e->d_name, SIGTERM,
					 "of a peering that is no longer in the config");
	}
	closedir(dir);
}

static void start(struct cp *cp, struct bgp_peering *p, double now);

void frr_begin(struct cp *cp, struct bgp_peering *p, double now)
{
	int found = 0;

	for (int d = 0; d < FRR_DAEMONS; d++) {
		p->d[d].pidfd = find_running(cp, p->ns, d, &p->d[d].pid);
		p->d[d].child = false;
		found += p->d[d].pidfd >= 0;
	}
	if (found == FRR_DAEMONS && !p->config_changed) {
		p->frr = FRR_RUNNING;
		p->frr_since = now;
		p->adopted = true;
		cp_log("BGP %s: adopted the running FRR (zebra %d, bfdd %d, bgpd %d): its "
		       "configuration is unchanged",
		       p->ns, (int)p->d[FRR_ZEBRA].pid, (int)p->d[FRR_BFDD].pid,
		       (int)p->d[FRR_BGPD].pid);
		return;
	}
	if (found > 0)
		cp_log("BGP %s: restarting FRR: %s", p->ns,
		       p->config_changed ? "its configuration changed"
					 : "not all of zebra, bfdd and bgpd were running");
	/* Killed, and watched until gone: start() waits for them. */
	for (int d = 0; d < FRR_DAEMONS; d++)
		if (p->d[d].pidfd >= 0)
			pidfd_send_signal(p->d[d].pidfd, SIGKILL, NULL, 0);
		else
			p->d[d].pid = 0;
	start(cp, p, now);
}

/* Fork and exec daemon d inside p's namespace. */
static int spawn(struct cp *cp, struct bgp_peering *p, int d)
{
	char exe[ERDP_PATH_LEN + 16], conf[ERDP_PATH_LEN + 100], pid[160], log[ERDP_PATH_LEN + 110],
		out[ERDP_PATH_LEN + 100], nspath[128];
	const char *argv[FRR_MAX_ARGS];
	int n = 0, nsfd, outfd, nullfd;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	pid_t child;

	snprintf(exe, sizeof(exe), "%s/%s", cp->bgp->frr_path, daemon_names[d]);
	snprintf(conf, sizeof(conf), "%s/%s.conf", p->dir, daemon_names[d]);
	snprintf(pid, sizeof(pid), "%s/%s.pid", p->run, daemon_names[d]);
	snprintf(log, sizeof(log), "file:%s/%s.log", p->dir, daemon_names[d]);
	snprintf(out, sizeof(out), "%s/%s.out", p->dir, daemon_names[d]);
	snprintf(nspath, sizeof(nspath), "%s/%s", ERDP_NETNS_DIR, p->ns);
	argv[n++] = exe;
	argv[n++] = "-N";
	argv[n++] = p->ns;
	argv[n++] = "-P";
	argv[n++] = "0";
	argv[n++] = "-f";
	argv[n++] = conf;
	argv[n++] = "-i";
	argv[n++] = pid;
	argv[n++] = "--log";
	argv[n++] = log;
	argv[n++] = "--log-level";
	argv[n++] = FRR_LOG_LEVEL;
	if (d == FRR_ZEBRA) {
		argv[n++] = "-M";
		argv[n++] = "dplane_fpm_nl";
	}
	argv[n] = NULL;
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	outfd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nsfd < 0 || outfd < 0 || nullfd < 0) {
		snprintf(p->last_exit, sizeof(p->last_exit), "cannot start %s: %.100s: %s",
			 daemon_names[d],
			 nsfd < 0    ? nspath
			 : outfd < 0 ? out
				     : "/dev/null",
			 strerror(errno));
		goto fail;
	}
	sigemptyset(&none);
	child = fork();
	if (child == 0) {
		/* Only async-signal-safe calls from here: erdp-cp may have other threads. */
		static const char msg[] = "erdp-cp: cannot enter the peering's namespace\n";

		sigprocmask(SIG_SETMASK, &none, NULL);
		sigaction(SIGPIPE, &dfl, NULL); /* erdp-cp ignores it; exec keeps ignored signals */
		setsid();
		dup2(nullfd, 0);
		dup2(outfd, 1);
		dup2(outfd, 2);
		if (setns(nsfd, CLONE_NEWNET) != 0) {
			if (write(2, msg, sizeof(msg) - 1) < 0)
				_exit(126);
			_exit(126);
		}
		close_range(3, ~0U, 0);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	if (child < 0) {
		snprintf(p->last_exit, sizeof(p->last_exit), "cannot start %s: fork: %s",
			 daemon_names[d], strerror(errno));
		goto fail;
	}
	close(nsfd);
	close(outfd);
	close(nullfd);
	p->d[d].pid = child;
	p->d[d].child = true;
	p->d[d].pidfd = pidfd_open(child, 0);
	if (p->d[d].pidfd < 0)
		cp_log("BGP %s: pidfd_open(%s): %s; its exit will not be noticed", p->ns,
		       daemon_names[d], strerror(errno));
	return 0;
fail:
	if (nsfd >= 0)
		close(nsfd);
	if (outfd >= 0)
		close(outfd);
	if (nullfd >= 0)
		close(nullfd);
	cp_log("BGP %s: %s", p->ns, p->last_exit);
	return -1;
}

static void backoff(struct cp *cp, struct bgp_peering *p, double now, const char *why);

static void start(struct cp *cp, struct bgp_peering *p, double now)
{
	char zserv[160];

	for (int d = 0; d < FRR_DAEMONS; d++)
		if (p->d[d].pid != 0) {
			p->next_start = now + 0.1; /* the last one is still being reaped */
			p->frr = FRR_BACKOFF;
			return;
		}
	snprintf(zserv, sizeof(zserv), "%s/zserv.api", p->run);
	unlink(zserv); /* a dead zebra's; ours says it is up by creating it */
	p->adopted = false;
	bgp_sessions_lost(p);
	if (spawn(cp, p, FRR_ZEBRA) != 0) {
		backoff(cp, p, now, "zebra did not start");
		return;
	}
	p->frr = FRR_STARTING;
	p->frr_since = now;
}

static void signal_all(struct bgp_peering *p, int sig)
{
	for (int d = 0; d < FRR_DAEMONS; d++)
		if (p->d[d].pidfd >= 0)
			pidfd_send_signal(p->d[d].pidfd, sig, NULL, 0);
		else if (p->d[d].pid > 0)
			kill(p->d[d].pid, sig);
}

static void backoff(struct cp *cp, struct bgp_peering *p, double now, const char *why)
{
	(void)cp;
	signal_all(p, SIGKILL);
	vty_reset(p->vty_bgpd);
	vty_reset(p->vty_bfdd);
	bgp_sessions_lost(p);
	if (p->backoff < FRR_BACKOFF_MIN_S)
		p->backoff = FRR_BACKOFF_MIN_S;
	p->frr = FRR_BACKOFF;
	p->next_start = now + p->backoff;
	p->restarts++;
	cp_log("BGP %s: %s; FRR (zebra, bfdd, bgpd) starts again in %.0f s", p->ns, why,
	       p->backoff);
	p->backoff = p->backoff * 2 > FRR_BACKOFF_MAX_S ? FRR_BACKOFF_MAX_S : p->backoff * 2;
}

void frr_exited(struct cp *cp, struct bgp_peering *p, int d, double now)
{
	struct frr_proc *pr = &p->d[d];
	char why[160];
	int st = 0;

	if (pr->child && waitpid(pr->pid, &st, WNOHANG) > 0) {
		if (WIFSIGNALED(st))
			snprintf(why, sizeof(why), "%s (pid %d) was killed by signal %d",
				 daemon_names[d], (int)pr->pid, WTERMSIG(st));
		else
			snprintf(why, sizeof(why), "%s (pid %d) exited with status %d",
				 daemon_names[d], (int)pr->pid, WEXITSTATUS(st));
	} else {
		snprintf(why, sizeof(why), "%s (pid %d) is gone", daemon_names[d], (int)pr->pid);
	}
	proc_clear(pr);
	if (p->frr == FRR_RUNNING || p->frr == FRR_STARTING) {
		snprintf(p->last_exit, sizeof(p->last_exit), "%s", why);
		backoff(cp, p, now, why);
	}
}

void frr_tick(struct cp *cp, struct bgp_peering *p, double now)
{
	char zserv[160];

	switch (p->frr) {
	case FRR_STARTING:
		snprintf(zserv, sizeof(zserv), "%s/zserv.api", p->run);
		if (access(zserv, F_OK) == 0) {
			if (spawn(cp, p, FRR_BFDD) != 0 || spawn(cp, p, FRR_BGPD) != 0) {
				backoff(cp, p, now, "bfdd or bgpd did not start");
				return;
			}
			p->frr = FRR_RUNNING;
			p->frr_since = now;
			cp_log("BGP %s: FRR started (zebra %d, bfdd %d, bgpd %d)", p->ns,
			       (int)p->d[FRR_ZEBRA].pid, (int)p->d[FRR_BFDD].pid,
			       (int)p->d[FRR_BGPD].pid);
		} else if (now - p->frr_since > FRR_START_TIMEOUT_S) {
			backoff(cp, p, now, "zebra did not open its zserv socket within 10 s");
		}
		break;
	case FRR_BACKOFF:
		if (now >= p->next_start)
			start(cp, p, now);
		break;
	case FRR_RUNNING:
		if (now - p->frr_since > FRR_STABLE_S)
			p->backoff = FRR_BACKOFF_MIN_S;
		break;
	default:
		break;
	}
}

void frr_stop(struct bgp_peering *p)
{
	signal_all(p, SIGTERM);
	for (int i = 0; i < 20; i++) { /* 2 s for an orderly exit, then SIGKILL */
		bool alive = false;

		for (int d = 0; d < FRR_DAEMONS; d++)
			if (p->d[d].pid > 0 &&
			    (p->d[d].child ? waitpid(p->d[d].pid, NULL, WNOHANG) == 0
					   : kill(p->d[d].pid, 0) == 0))
				alive = true;
			else
				proc_clear(&p->d[d]);
		if (!alive)
			break;
		usleep(100000);
	}
	signal_all(p, SIGKILL);
	for (int d = 0; d < FRR_DAEMONS; d++) {
		if (p->d[d].child && p->d[d].pid > 0)
			waitpid(p->d[d].pid, NULL, 0);
		proc_clear(&p->d[d]);
	}
	p->frr = FRR_DOWN;
}

const char *frr_state_str(const struct bgp_peering *p, double now, char *buf, size_t n)
{
	switch (p->frr) {
	case FRR_STARTING:
		snprintf(buf, n, "starting");
		break;
	case FRR_RUNNING:
		snprintf(buf, n, "running");
		break;
	case FRR_BACKOFF:
		snprintf(buf, n, "restarting in %.0f s",
			 p->next_start > now ? p->next_start - now : 0);
		break;
	default:
		snprintf(buf, n, "stopped");
		break;
	}
	return buf;
}
