/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/netns: create a named namespace, find it again (idempotent ensure,
 * also from several processes at once), enter and leave it, add addresses
 * and set flags in it, write a sysctl there, delete it. Needs root; exits
 * 77 (meson's SKIP) when namespaces cannot be created here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "erdp_netns.h"
#include "unit_test.h"

#define SKIP	   77
#define N_RACERS   4
#define TTL_SYSCTL "/proc/sys/net/ipv4/ip_default_ttl"
#define TTL_INSIDE "99"

static char ns1[64], ns2[64];

static ino_t my_netns(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) == 0 ? st.st_ino : 0;
}

static short if_flags(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	short flags = -1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		flags = ifr.ifr_flags;
	if (s >= 0)
		close(s);
	return flags;
}

/* Is addr (text) on ifname in the current namespace? */
static bool has_addr(const char *ifname, int family, const char *addr)
{
	struct ifaddrs *all, *a;
	uint8_t want[16];
	bool found = false;

	inet_pton(family, addr, want);
	if (getifaddrs(&all) != 0)
		return false;
	for (a = all; a != NULL && !found; a = a->ifa_next) {
		if (a->ifa_addr == NULL || a->ifa_addr->sa_family != family ||
		    strcmp(a->ifa_name, ifname) != 0)
			continue;
		if (family == AF_INET)
			found = memcmp(&((struct sockaddr_in *)a->ifa_addr)->sin_addr, want, 4) ==
				0;
		else
			found = memcmp(&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, want,
				       16) == 0;
	}
	freeifaddrs(all);
	return found;
}

static void read_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f != NULL) {
		if (fgets(buf, (int)n, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_bad_names(void)
{
	struct erdp_err err;

	CHECK_EQ(erdp_netns_ensure("a/b", &err), -EINVAL);
	CHECK_MSG(strstr(err.msg, "a/b") != NULL, "%s", err.msg);
	CHECK_EQ(erdp_netns_ensure("", &err), -EINVAL);
	CHECK_EQ(erdp_netns_ensure("..", &err), -EINVAL);
	CHECK_EQ(erdp_netns_enter("erdp_t_netns-does-not-exist", &err), -ENOENT);
	CHECK_MSG(strstr(err.msg, "erdp_t_netns-does-not-exist") != NULL, "%s", err.msg);
	CHECK(!erdp_netns_exists("erdp_t_netns-does-not-exist"));
	CHECK_EQ(erdp_netns_delete("erdp_t_netns-does-not-exist"), -ENOENT);
}

/* Inside ns1: loopback up, addresses (idempotent), flags, a sysctl of its own. */
static void test_inside(ino_t outside)
{
	static const uint8_t a4[4] = {192, 0, 2, 1};
	uint8_t a6[16];
	struct erdp_err err;
	char ttl[16];
	short fl;
	int saved = erdp_netns_enter(ns1, &err);

	CHECK_MSG(saved >= 0, "%s", err.msg);
	if (saved < 0)
		return;
	CHECK(my_netns() != outside);
	CHECK((if_flags("lo") & IFF_UP) != 0); /* ensure brought it up */
	inet_pton(AF_INET6, "2001:db8::1", a6);
	CHECK_EQ(erdp_netif_addr_add("lo", AF_INET, a4, 24, &err), 0);
	CHECK_EQ(erdp_netif_addr_add("lo", AF_INET, a4, 24, &err), 0); /* already there: fine */
	CHECK_EQ(erdp_netif_addr_add("lo", AF_INET6, a6, 64, &err), 0);
	CHECK_EQ(erdp_netif_addr_add("lo", AF_INET6, a6, 64, &err), 0);
	CHECK(has_addr("lo", AF_INET, "192.0.2.1"));
	CHECK(has_addr("lo", AF_INET6, "2001:db8::1"));
	CHECK_EQ(erdp_netif_addr_add("nosuchif0", AF_INET, a4, 24, &err), -ENODEV);
	CHECK_MSG(strstr(err.msg, "nosuchif0") != NULL, "%s", err.msg);
	CHECK_EQ(erdp_netif_addr_add("lo", AF_INET, a4, 33, &err), -EINVAL);
	/* flags: NOARP on and off again, up stays */
	CHECK_EQ(erdp_netif_set("lo", true, true, &err), 0);
	fl = if_flags("lo");
	CHECK((fl & IFF_NOARP) != 0 && (fl & IFF_UP) != 0);
	CHECK_EQ(erdp_netif_set("lo", true, false, &err), 0);
	CHECK((if_flags("lo") & IFF_NOARP) == 0);
	CHECK_EQ(erdp_netif_set("nosuchif0", true, false, &err), -ENODEV);
	/* a sysctl of this namespace only */
	CHECK_EQ(erdp_netns_sysctl("net.ipv4.ip_default_ttl", TTL_INSIDE, &err), 0);
	read_file(TTL_SYSCTL, ttl, sizeof(ttl));
	CHECK(strcmp(ttl, TTL_INSIDE) == 0);
	CHECK_EQ(erdp_netns_sysctl("net/ipv6/conf/lo/accept_ra", "0", &err), 0);
	CHECK(erdp_netns_sysctl("net.ipv4.no_such_key", "1", &err) == -ENOENT);
	CHECK_EQ(erdp_netns_leave(saved), 0);
	CHECK(my_netns() == outside);
	CHECK(!has_addr("lo", AF_INET, "192.0.2.1"));
	read_file(TTL_SYSCTL, ttl, sizeof(ttl));
	CHECK(strcmp(ttl, TTL_INSIDE) != 0);
}

/* Several processes ensure the same new name at once: one namespace for all. */
static void test_race(void)
{
	int fds[2];
	pid_t pid[N_RACERS];
	ino_t ino[N_RACERS];

	if (pipe(fds) != 0) {
		CHECK(false);
		return;
	}
	for (int i = 0; i < N_RACERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			struct erdp_err err;
			ino_t mine = 0;
			int saved;

			if (erdp_netns_ensure(ns2, &err) == 0 &&
			    (saved = erdp_netns_enter(ns2, &err)) >= 0) {
				mine = my_netns();
				erdp_netns_leave(saved);
			} else {
				fprintf(stderr, "racer %d: %s\n", i, err.msg);
			}
			_exit(write(fds[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
		}
	}
	for (int i = 0; i < N_RACERS; i++) {
		int st;

		CHECK(read(fds[0], &ino[i], sizeof(ino[i])) == sizeof(ino[i]));
		CHECK(waitpid(pid[i], &st, 0) == pid[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < N_RACERS; i++)
		CHECK_MSG(ino[i] != 0 && ino[i] == ino[0],
			  "racer %d saw namespace %lu, racer 0 %lu", i, (unsigned long)ino[i],
			  (unsigned long)ino[0]);
	CHECK(erdp_netns_exists(ns2));
}

int main(void)
{
	struct erdp_err err;
	ino_t outside = my_netns(), first;
	int saved, rc;

	if (geteuid() != 0) {
		printf("SKIP: network namespaces need root\n");
		return SKIP;
	}
	snprintf(ns1, sizeof(ns1), "erdp_t_netns-%d", (int)getpid());
	snprintf(ns2, sizeof(ns2), "erdp_t_netns-%d-race", (int)getpid());
	rc = erdp_netns_ensure(ns1, &err);
	if (rc == -EPERM || rc == -ENOSYS) {
		printf("SKIP: cannot create network namespaces here: %s\n", err.msg);
		return SKIP;
	}
	CHECK_MSG(rc == 0, "%s", err.msg);
	CHECK(erdp_netns_exists(ns1));
	CHECK(my_netns() == outside); /* creating it did not leave us inside */
	saved = erdp_netns_enter(ns1, &err);
	first = my_netns();
	if (saved >= 0)
		erdp_netns_leave(saved);
	CHECK_EQ(erdp_netns_ensure(ns1, &err), 0); /* again: the same one */
	saved = erdp_netns_enter(ns1, &err);
	CHECK(saved >= 0 && my_netns() == first);
	if (saved >= 0)
		erdp_netns_leave(saved);

	test_bad_names();
	test_inside(outside);
	test_race();

	CHECK_EQ(erdp_netns_delete(ns1), 0);
	CHECK(!erdp_netns_exists(ns1));
	CHECK_EQ(erdp_netns_delete(ns1), -ENOENT);
	CHECK_EQ(erdp_netns_delete(ns2), 0);
	CHECK(!erdp_netns_exists(ns2));
	TEST_MAIN_END();
}
