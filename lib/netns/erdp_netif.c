/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface addresses and flags over rtnetlink (libmnl), in the calling
 * thread's network namespace: the netlink socket is opened per call, after
 * the caller entered the namespace it means. One request, one ack.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "erdp_netns.h"

/* Send the request in buf and wait for its ack: 0 or -errno (the kernel's answer). */
static int nl_request(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	unsigned int portid;
	ssize_t n;
	int rc = 0;

	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		rc = -errno;
	else if (mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL) < 0)
		rc = -errno; /* the ack's error code */
out:
	mnl_socket_close(nl);
	return rc;
}

static int ifindex(const char *ifname, struct erdp_err *err)
{
	unsigned int idx = if_nametoindex(ifname);

	if (idx == 0)
		return erdp_errf(err, errno, "interface '%s': %s", ifname, strerror(errno));
	return (int)idx;
}

int erdp_netif_addr_add(const char *ifname, int family, const uint8_t *addr, uint8_t len,
			struct erdp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET6_ADDRSTRLEN];
	size_t alen = family == AF_INET6 ? 16 : 4;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int idx, rc;

	if ((family != AF_INET && family != AF_INET6) || len > alen * 8)
		return erdp_errf(err, EINVAL, "interface '%s': bad address family %d or length %u",
				 ifname, family, len);
	idx = ifindex(ifname, err);
	if (idx < 0)
		return idx;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)idx;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	if (family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	rc = nl_request(nlh);
	if (rc == -EEXIST)
		return 0;
	if (rc < 0) {
		inet_ntop(family, addr, text, sizeof(text));
		return erdp_errf(err, -rc, "interface '%s': cannot add address %s/%u: %s", ifname,
				 text, len, strerror(-rc));
	}
	return 0;
}

int erdp_netif_set(const char *ifname, bool up, bool noarp, struct erdp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int idx = ifindex(ifname, err), rc;

	if (idx < 0)
		return idx;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	ifi->ifi_change = IFF_UP | IFF_NOARP; /* only these two flags change */
	ifi->ifi_flags = (up ? IFF_UP : 0) | (noarp ? IFF_NOARP : 0);
	rc = nl_request(nlh);
	if (rc < 0)
		return erdp_errf(err, -rc, "interface '%s': cannot set %s%s: %s", ifname,
				 up ? "up" : "down", noarp ? ", arp off" : "", strerror(-rc));
	return 0;
}
