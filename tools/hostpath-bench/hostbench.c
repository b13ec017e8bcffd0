/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostbench: traffic for measuring erdp's exception path (hostpath-bench.py).
 *
 *   hostbench wire-send IFACE SECONDS FRAME_HEX
 *       send one Ethernet frame (hex) on IFACE as fast as the socket takes it
 *   hostbench wire-count IFACE SECONDS DST_MAC
 *       count frames arriving on IFACE for DST_MAC
 *   hostbench wire-rtt IFACE COUNT FRAME_HEX
 *       send the frame, wait for the frame that comes back (UDP ports swapped),
 *       COUNT times; round-trip percentiles
 *   hostbench udp-send ADDR PORT SECONDS      UDP datagrams as fast as possible
 *   hostbench udp-count PORT SECONDS          count datagrams on PORT
 *   hostbench udp-echo PORT SECONDS           send every datagram back
 *
 * Every mode prints one JSON line. The "wire" modes use a packet socket
 * (the customer's side of the veth, tags in the frame); the "udp" modes an
 * ordinary socket (in the peering's namespace, on erdp's tap).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>

#define BATCH	    64
#define FRAME_MAX   2048
#define RTT_MAX	    100000
#define RTT_WAIT_MS 1000
#define UDP_PAYLOAD 18 /* a 60-byte frame untagged */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hex_frame(const char *hex, uint8_t *f)
{
	size_t n = strlen(hex) / 2;

	if (n > FRAME_MAX || n < 14)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &f[i]) != 1)
			return -1;
	return (int)n;
}

/* recvmmsg's own timeout is only looked at after a datagram: wake up without one too. */
static void recv_timeout(int s)
{
	struct timeval tv = {0, 100000};

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int wire_socket(const char *ifname)
{
	struct sockaddr_ll sll;
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (s < 0)
		return -1;
	recv_timeout(s);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 || bind(s, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Send iov on s in batches for `seconds`; print how many went. */
static int send_loop(int s, struct iovec *iov, double seconds)
{
	struct mmsghdr msgs[BATCH];
	uint64_t sent = 0;
	double t0 = now_s();

	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (now_s() - t0 < seconds) {
		int n = sendmmsg(s, msgs, BATCH, 0);

		if (n > 0)
			sent += (uint64_t)n;
	}
	printf("{\"sent\": %lu, \"seconds\": %.3f}\n", (unsigned long)sent, now_s() - t0);
	return 0;
}

static int wire_send(const char *ifname, double seconds, const char *hex)
{
	static uint8_t f[FRAME_MAX];
	struct iovec iov;
	int len = hex_frame(hex, f), s = wire_socket(ifname);

	if (len < 0 || s < 0)
		return 1;
	iov.iov_base = f;
	iov.iov_len = (size_t)len;
	return send_loop(s, &iov, seconds);
}

static int wire_count(const char *ifname, double seconds, const char *mac_text)
{
	static uint8_t buf[BATCH][FRAME_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint8_t mac[6];
	uint64_t n_got = 0;
	double t0, first = 0, last = 0;
	int s = wire_socket(ifname);

	if (s < 0 || sscanf(mac_text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
			    &mac[3], &mac[4], &mac[5]) != 6)
		return 1;
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = FRAME_MAX;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		int n = recvmmsg(s, msgs, BATCH, MSG_WAITFORONE, NULL);

		for (int i = 0; i < n; i++) {
			if (memcmp(buf[i], mac, 6) != 0)
				continue;
			last = now_s();
			if (n_got++ == 0)
				first = last;
		}
	}
	printf("{\"count\": %lu, \"seconds\": %.3f}\n", (unsigned long)n_got,
	       n_got > 1 ? last - first : 0.0);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The reply to our frame: to our MAC, UDP ports swapped. The kernel hands a packet
 * socket received frames without their outer tag (it is in the skb's metadata),
 * so the reply's UDP header sits 4 bytes before ours, or where ours is.
 */
static bool is_reply(const uint8_t *r, int rlen, const uint8_t *f, int l4)
{
	if (rlen < 12 || memcmp(r, f + 6, 6) != 0)
		return false;
	for (int o = l4 - 4; o <= l4; o += 4)
		if (rlen >= o + 4 && memcmp(r + o, f + l4 + 2, 2) == 0 &&
		    memcmp(r + o + 2, f + l4, 2) == 0)
			return true;
	return false;
}

static int wire_rtt(const char *ifname, int count, const char *hex)
{
	static uint8_t f[FRAME_MAX], r[FRAME_MAX];
	static double rtt[RTT_MAX];
	int len = hex_frame(hex, f), s = wire_socket(ifname), l4, got = 0, lost = 0;

	if (len < 0 || s < 0 || count > RTT_MAX)
		return 1;
	l4 = len - UDP_PAYLOAD - 8; /* the frame ends with UDP + payload */
	for (int i = 0; i < count; i++) {
		struct pollfd pfd = {.fd = s, .events = POLLIN};
		double t0 = now_s();
		bool ok = false;

		if (send(s, f, (size_t)len, 0) != len)
			return 1;
		while (!ok && now_s() - t0 < RTT_WAIT_MS / 1000.0) {
			int n;

			if (poll(&pfd, 1, RTT_WAIT_MS) <= 0)
				break;
			n = (int)recv(s, r, sizeof(r), 0);
			ok = is_reply(r, n, f, l4);
		}
		if (ok)
			rtt[got++] = (now_s() - t0) * 1e6;
		else
			lost++;
	}
	qsort(rtt, (size_t)got, sizeof(rtt[0]), cmp_double);
	printf("{\"count\": %d, \"lost\": %d, \"min_us\": %.1f, \"p50_us\": %.1f, \"p90_us\": "
	       "%.1f, "
	       "\"p99_us\": %.1f}\n",
	       got, lost, got ? rtt[0] : 0.0, got ? rtt[got / 2] : 0.0,
	       got ? rtt[got * 9 / 10] : 0.0, got ? rtt[got * 99 / 100] : 0.0);
	return 0;
}

static int udp_socket(int family, int port)
{
	int s = socket(family, SOCK_DGRAM, 0), zero = 0, big = 1 << 22;
	struct sockaddr_in6 a;

	if (s < 0 || port == 0)
		return s;
	recv_timeout(s);
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((uint16_t)port);
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

static int udp_send(const char *addr, int port, double seconds)
{
	static uint8_t payload[UDP_PAYLOAD];
	struct sockaddr_in a;
	struct iovec iov = {payload, sizeof(payload)};
	int s = udp_socket(AF_INET, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if (s < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		return 1;
	return send_loop(s, &iov, seconds);
}

/* Count (echo = false) or send back (echo = true) what arrives on port, for `seconds`. */
static int udp_serve(int port, double seconds, bool echo)
{
	static uint8_t buf[BATCH][FRAME_MAX];
	struct sockaddr_in6 peer[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int s = udp_socket(AF_INET6, port);
	uint64_t n_got = 0;
	double t0, first = 0, last = 0;

	if (s < 0)
		return 1;
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = FRAME_MAX;
	}
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		int n;

		for (int i = 0; i < BATCH; i++) {
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &peer[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(peer[i]);
		}
		n = recvmmsg(s, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		last = now_s();
		if (n_got == 0)
			first = last;
		n_got += (uint64_t)n;
		for (int i = 0; echo && i < n; i++)
			iov[i].iov_len = msgs[i].msg_len;
		if (echo)
			sendmmsg(s, msgs, (unsigned int)n, 0);
		for (int i = 0; echo && i < n; i++)
			iov[i].iov_len = FRAME_MAX;
	}
	printf("{\"count\": %lu, \"seconds\": %.3f}\n", (unsigned long)n_got,
	       n_got > 1 ? last - first : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (strcmp(m, "wire-send") == 0 && argc == 5)
		return wire_send(argv[2], atof(argv[3]), argv[4]);
	if (strcmp(m, "wire-count") == 0 && argc == 5)
		return wire_count(argv[2], atof(argv[3]), argv[4]);
	if (strcmp(m, "wire-rtt") == 0 && argc == 5)
		return wire_rtt(argv[2], atoi(argv[3]), argv[4]);
	if (strcmp(m, "udp-send") == 0 && argc == 5)
		return udp_send(argv[2], atoi(argv[3]), atof(argv[4]));
	if (strcmp(m, "udp-count") == 0 && argc == 4)
		return udp_serve(atoi(argv[2]), atof(argv[3]), false);
	if (strcmp(m, "udp-echo") == 0 && argc == 4)
		return udp_serve(atoi(argv[2]), atof(argv[3]), true);
	fprintf(stderr, "usage: see the comment at the top of hostbench.c\n");
	return 2;
}
