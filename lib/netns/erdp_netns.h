/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named network namespaces and the interfaces in them, for erdp (taps per
 * peering link) and erdp-cp (FRR per peering).
 *
 * A named namespace is what `ip netns` makes and uses: a bind mount of the
 * namespace's nsfs file on /run/netns/NAME, so `ip netns exec NAME ...`,
 * erdp and erdp-cp all find the same one, and it outlives the process that
 * created it. Deleting the name drops that reference; the namespace goes
 * away with its last user (a tap's open queue, a process in it).
 *
 * Threads: entering (setns) changes the namespace of the calling thread
 * only, which is what a DPDK main lcore or an erdp-cp thread wants: the
 * other threads stay where they are. Sockets and devices opened while
 * inside stay bound to that namespace after leaving. The erdp_netif_*
 * calls act in the calling thread's current namespace: enter first.
 *
 * Errors: functions return 0 (or an fd) on success and -errno on failure;
 * those taking an erdp_err fill it with an operator-grade message naming
 * the namespace or interface. Needs root (CAP_SYS_ADMIN to create, enter
 * and delete namespaces; CAP_NET_ADMIN for addresses and flags).
 */
#ifndef ERDP_NETNS_H
#define ERDP_NETNS_H

#include <stdbool.h>
#include <stdint.h>

#include "erdp_err.h"

#define ERDP_NETNS_DIR "/run/netns"

/*
 * Create the named namespace if it is missing (as `ip netns add` does) and
 * bring its loopback up. Idempotent; safe when another process creates the
 * same name at the same time (both end with the one namespace).
 */
int erdp_netns_ensure(const char *name, struct erdp_err *err);
/* True when /run/netns/NAME is a namespace. */
bool erdp_netns_exists(const char *name);
/* Enter NAME on this thread. >= 0: an fd of the namespace left, for erdp_netns_leave. */
int erdp_netns_enter(const char *name, struct erdp_err *err);
/* Go back to the namespace saved by erdp_netns_enter and close the fd. 0 or -errno. */
int erdp_netns_leave(int saved_fd);
/* Remove the name (as `ip netns del`). 0, -ENOENT when there is none, or -errno. */
int erdp_netns_delete(const char *name);

/*
 * Interfaces of the current namespace (netlink, libmnl).
 * family AF_INET or AF_INET6, addr in network order, len the prefix
 * length. Adding an address that is already there is success. IPv6
 * addresses skip duplicate address detection (the MSEE owns its link).
 */
int erdp_netif_addr_add(const char *ifname, int family, const uint8_t *addr, uint8_t len,
			struct erdp_err *err);
/* Set the interface up or down and ARP/ND on or off (IFF_NOARP); other flags stay. */
int erdp_netif_set(const char *ifname, bool up, bool noarp, struct erdp_err *err);
/*
 * Write a sysctl of the current namespace, key as under /proc/sys with
 * dots or slashes ("net.ipv6.conf.primary.accept_ra"). 0 or -errno.
 */
int erdp_netns_sysctl(const char *key, const char *value, struct erdp_err *err);

#endif
