/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane applying control messages, end to end: start erdp on
 * net_pcap ports (no hugepages), open its control segment as erdp-cp
 * would, send malformed and valid messages, and check each ack's status,
 * the stateful rules (VRFs, next hops, connected routes, capacity,
 * gateways in use, sync sweep) and the /erdp/ctl telemetry counters; a
 * sweep of 60,000 routes done in slices while the heartbeat keeps beating;
 * the route digests and listings that erdpctl verify reads.
 *
 * Usage: test_ctl_apply ERDP_BINARY
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "erdp_ctl.h"
#include "erdp_ctl_digest.h"
#include "unit_test.h"

/* Indices in the config below. */
enum { PORT_ER0 = 0, PORT_ER1 = 1, PORT_GW0 = 2, PORT_GW1 = 3 };
enum { VRF_A = 0, VRF_B = 1, VRF_BIG = 2 };
enum { GW_A = 0, GW_B = 1 };
enum { PEER_C1 = 0, PEER_C2 = 1 };

static const char config_fmt[] =
	"eal = { lcores = \"0-1\"; file_prefix = \"unused\"; };\n"
	"dataplane = { stats_interval_ms = 0; };\n"
	"port_pair = { encapsulation = \"dot1q\"; speed = \"10G\"; };\n"
	"ports = (\n"
	"  { name = \"er0\"; device = \"net_pcap0,rx_pcap=%1$s/in.pcap,tx_pcap=%1$s/0.pcap\";"
	" role = \"primary\"; },\n"
	"  { name = \"er1\"; device = \"net_pcap1,rx_pcap=%1$s/in.pcap,tx_pcap=%1$s/1.pcap\";"
	" role = \"secondary\"; },\n"
	"  { name = \"gw0\"; device = \"net_pcap2,rx_pcap=%1$s/in.pcap,tx_pcap=%1$s/2.pcap\";"
	" role = \"gateway\"; },\n"
	"  { name = \"gw1\"; device = \"net_pcap3,rx_pcap=%1$s/in.pcap,tx_pcap=%1$s/3.pcap\";"
	" role = \"gateway\"; }\n"
	");\n"
	"vrfs = (\n"
	"  { name = \"a\"; ipv4_routes = 6; ipv6_routes = 4;\n"
	"    routes = ( { prefix = \"10.40.0.0/16\"; peering = \"c1/private\"; } ); },\n"
	"  { name = \"b\"; ipv4_routes = 64; ipv6_routes = 64; },\n"
	"  { name = \"big\"; ipv4_routes = 60000; ipv6_routes = 16; }\n"
	");\n"
	"circuits = (\n"
	"  { name = \"c1\"; bandwidth = \"1G\"; peerings = ( { type = \"private\"; vlan = 100;"
	" vrf = \"a\"; ipv4 = \"192.168.1.0/29\"; ipv6 = \"2001:db8:1::/125\"; peer_asn = 65010; }"
	" ); },\n"
	"  { name = \"c2\"; bandwidth = \"1G\"; peerings = ( { type = \"private\"; vlan = 200;"
	" vrf = \"b\"; ipv4 = \"192.168.2.0/29\"; peer_asn = 65020; } ); }\n"
	");\n"
	"gateways = (\n"
	"  { name = \"gw-a\"; vrf = \"a\"; prefixes = [ \"10.140.0.0/16\" ];\n"
	"    instances = ( { port = \"gw0\"; mac = \"02:00:00:00:50:01\"; vlan = 50; },\n"
	"                  { port = \"gw0\"; mac = \"02:00:00:00:50:02\"; vlan = 50; } ); },\n"
	"  { name = \"gw-b\"; vrf = \"b\"; prefixes = [ \"10.150.0.0/16\" ];\n"
	"    instances = ( { port = \"gw1\"; mac = \"02:00:00:00:60:01\"; vlan = 60; },\n"
	"                  { port = \"gw1\"; mac = \"02:00:00:00:60:02\"; vlan = 60; } ); }\n"
	");\n";

static char dir[64], prefix[64];
static struct erdp_ctl *ctl;
static uint64_t session = 0x5e55;
static uint32_t next_seq = 1;
static uint64_t n_single; /* messages sent alone: a batch each */
static uint64_t n_ok, n_rejected, n_status[ERDP_ACK_STATUS_MAX];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fwrite(data, 1, len, f);
	return fclose(f);
}

static pid_t start_erdp(const char *exe)
{
	static const uint32_t pcap_hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	char path[128], log[128], *text;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/in.pcap", dir);
	write_file(path, pcap_hdr, sizeof(pcap_hdr)); /* no frames: ports stay quiet */
	if (asprintf(&text, config_fmt, dir) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/erdp.conf", dir);
	write_file(path, text, strlen(text));
	free(text);
	snprintf(log, sizeof(log), "%s/erdp.log", dir);
	pid = fork();
	if (pid == 0) {
		FILE *out = freopen(log, "w", stdout);

		if (out == NULL || dup2(fileno(stdout), 2) < 0)
			_exit(126);
		execl(exe, exe, "-c", path, "--duration", "120", "--quiet", "--", "--no-huge", "-m",
		      "512", "--log-level=lib.*:error", "--file-prefix", prefix, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Open the segment as erdp-cp does: retry until erdp has created it. */
static struct erdp_ctl *open_segment(pid_t erdp_pid)
{
	struct erdp_err err = {0};
	double until = now_s() + 60;

	while (now_s() < until) {
		struct erdp_ctl *c = erdp_ctl_open(prefix, &err);

		if (c != NULL && erdp_ctl_dp_boot_id(c) != 0)
			return c;
		erdp_ctl_close(c);
		if (waitpid(erdp_pid, NULL, WNOHANG) == erdp_pid) {
			fprintf(stderr, "erdp exited before creating its segment\n");
			return NULL;
		}
		usleep(20000);
	}
	fprintf(stderr, "no segment after 60 s: %s\n", err.msg);
	return NULL;
}

/* Acks until (and with) the one for `seq`; returns how many, 0 on timeout. */
static unsigned int acks_until(uint32_t seq, struct erdp_ack *a, unsigned int max)
{
	double until = now_s() + 20;
	unsigned int n = 0;

	while (now_s() < until && n < max) {
		if (erdp_ctl_ack_recv(ctl, &a[n], 1) == 0) {
			usleep(100);
			continue;
		}
		if (a[n].session != session)
			continue;
		if (a[n++].seq == seq)
			return n;
	}
	fprintf(stderr, "no ack for seq %u\n", seq);
	return 0;
}

static void count(uint8_t st)
{
	n_status[st]++;
	if (st == ERDP_ACK_OK)
		n_ok++;
	else
		n_rejected++;
}

/* Send one message alone; it is its own batch, so it gets exactly one ack. */
#define EXPECT(m, want) expect_at(__LINE__, (m), (want))
static struct erdp_ack expect_at(int line, struct erdp_msg *m, enum erdp_ack_status want)
{
	struct erdp_ack a[4] = {0};
	unsigned int n;

	m->seq = next_seq++;
	m->session = session;
	n_single++;
	while (erdp_ctl_send(ctl, m, 1) != 1)
		usleep(100);
	n = acks_until(m->seq, a, 4);
	CHECK_MSG(n == 1, "line %d: %u acks", line, n);
	if (n == 0)
		return a[0];
	CHECK_MSG(a[n - 1].status == want, "line %d: %s: status %s (%s), want %s", line,
		  erdp_msg_type_str(m->type), erdp_ack_status_str(a[n - 1].status), a[n - 1].detail,
		  erdp_ack_status_str(want));
	CHECK_MSG(a[n - 1].type == m->type, "line %d: ack type %u", line, a[n - 1].type);
	if (want != ERDP_ACK_OK)
		CHECK_MSG(a[n - 1].detail[0] != '\0', "line %d: empty detail", line);
	count(want);
	CHECK_MSG(a[n - 1].applied == n_ok, "line %d: applied %llu, want %llu", line,
		  (unsigned long long)a[n - 1].applied, (unsigned long long)n_ok);
	return a[n - 1];
}

static struct erdp_msg *route4(bool add, uint16_t vrf, uint32_t addr, uint8_t len, uint32_t nh)
{
	static struct erdp_msg m;
	uint8_t a[4] = {addr >> 24, addr >> 16, addr >> 8, addr};

	erdp_msg_route(&m, add, vrf, 4, a, len, nh);
	return &m;
}

static struct erdp_msg *route6(bool add, uint16_t vrf, uint16_t first, uint8_t len, uint32_t nh)
{
	static struct erdp_msg m;
	uint8_t a[16] = {first >> 8, first & 0xff};

	erdp_msg_route(&m, add, vrf, 6, a, len, nh);
	return &m;
}

static struct erdp_msg *gw_set(uint16_t g, uint16_t vrf, uint8_t port, uint16_t vlan)
{
	static struct erdp_msg m;
	struct erdp_msg_gw_instance_desc in[2] = {
		{.port = port, .up = 1, .vlan = vlan, .mac = {2, 0, 0, 0, 0x77, 1}},
		{.port = port, .up = 1, .vlan = vlan, .mac = {2, 0, 0, 0, 0x77, 2}},
	};

	erdp_msg_gw_set(&m, g, vrf, 2, in);
	return &m;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void test_malformed(void)
{
	struct erdp_msg m;

	erdp_msg_nop(&m);
	EXPECT(&m, ERDP_ACK_OK);
	m.version = 3;
	EXPECT(&m, ERDP_ACK_BAD_VERSION);
	erdp_msg_nop(&m);
	m.type = 99;
	EXPECT(&m, ERDP_ACK_BAD_TYPE);
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16, 0), ERDP_ACK_OK);
	m = *route4(true, VRF_A, IP4(10, 1, 0, 0), 16, 0);
	m.len = 12;
	EXPECT(&m, ERDP_ACK_BAD_LENGTH);
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 1), 16, 0), ERDP_ACK_BAD_VALUE);
	m = *route4(true, VRF_A, IP4(10, 1, 0, 0), 16, 0);
	m.u.route.family = 5;
	EXPECT(&m, ERDP_ACK_BAD_VALUE);
}

static void test_routes(void)
{
	EXPECT(route4(true, 9, IP4(10, 2, 0, 0), 16, 0), ERDP_ACK_UNKNOWN_VRF);
	EXPECT(route4(false, 9, IP4(10, 2, 0, 0), 16, 0), ERDP_ACK_UNKNOWN_VRF);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_GATEWAY(500)),
	       ERDP_ACK_UNKNOWN_NH);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_GATEWAY(0xfffffff)),
	       ERDP_ACK_UNKNOWN_NH);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_PEERING(7)),
	       ERDP_ACK_UNKNOWN_NH);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_PEERING_LINK(2, 0)),
	       ERDP_ACK_UNKNOWN_NH);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, 0x3fffffff), ERDP_ACK_UNKNOWN_NH);
	/* next hops of another VRF */
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_GATEWAY(GW_B)),
	       ERDP_ACK_BAD_VALUE);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, ERDP_NH_REF_PEERING(PEER_C2)),
	       ERDP_ACK_BAD_VALUE);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16,
		      ERDP_NH_REF_PEERING_LINK(PEER_C2, ERDP_LINK_SECONDARY)),
	       ERDP_ACK_BAD_VALUE);

	/* connected routes are erdp's own */
	EXPECT(route4(true, VRF_A, IP4(192, 168, 1, 0), 30, 0), ERDP_ACK_BAD_VALUE);
	EXPECT(route4(true, VRF_A, IP4(192, 168, 1, 6), 32, 0), ERDP_ACK_BAD_VALUE);
	EXPECT(route4(false, VRF_A, IP4(192, 168, 1, 2), 32, 0), ERDP_ACK_BAD_VALUE);
	EXPECT(route4(false, VRF_B, IP4(192, 168, 2, 4), 30, 0), ERDP_ACK_BAD_VALUE);
	{
		struct erdp_msg m;
		uint8_t msee6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};

		erdp_msg_route(&m, false, VRF_A, 6, msee6, 128, 0);
		EXPECT(&m, ERDP_ACK_BAD_VALUE);
	}
	/* ...but the same prefix in another VRF is an ordinary route */
	EXPECT(route4(true, VRF_B, IP4(192, 168, 1, 0), 30, 0), ERDP_ACK_OK);

	/* add, replace, delete */
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16, ERDP_NH_REF_GATEWAY(GW_A)), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16, ERDP_NH_REF_PEERING(PEER_C1)),
	       ERDP_ACK_OK);
	/* one link only (BGP's choice); which link a frame then takes: test_datapath */
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16,
		      ERDP_NH_REF_PEERING_LINK(PEER_C1, ERDP_LINK_SECONDARY)),
	       ERDP_ACK_OK);
	EXPECT(route6(true, VRF_A, 0xfd00, 16,
		      ERDP_NH_REF_PEERING_LINK(PEER_C1, ERDP_LINK_PRIMARY)),
	       ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16, ERDP_NH_REF_PEERING(PEER_C1)),
	       ERDP_ACK_OK);
	EXPECT(route6(true, VRF_A, 0xfd00, 16, ERDP_NH_REF_GATEWAY(GW_A)), ERDP_ACK_OK);
	EXPECT(route4(false, VRF_A, IP4(10, 99, 0, 0), 16, 0), ERDP_ACK_NOT_FOUND);
	EXPECT(route4(false, VRF_A, IP4(10, 1, 0, 0), 24, 0), ERDP_ACK_NOT_FOUND);

	/*
	 * Capacity of VRF a: 6 IPv4 routes of its own (config: 10.40/16 and
	 * the gateway prefix 10.140/16; now 10.1/16) on top of the connected ones.
	 */
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 3, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 4, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 5, 0, 0), 16, 0), ERDP_ACK_NO_SPACE);
	EXPECT(route4(true, VRF_A, IP4(10, 4, 0, 0), 16, ERDP_NH_REF_GATEWAY(GW_A)),
	       ERDP_ACK_OK); /* a replace needs no room */
	EXPECT(route4(false, VRF_A, IP4(10, 4, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(false, VRF_A, IP4(10, 4, 0, 0), 16, 0), ERDP_ACK_NOT_FOUND);
	EXPECT(route4(true, VRF_A, IP4(10, 5, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(false, VRF_A, IP4(10, 5, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(route4(false, VRF_A, IP4(10, 3, 0, 0), 16, 0), ERDP_ACK_OK);
}

static void test_gateways(void)
{
	struct erdp_msg m;

	EXPECT(gw_set(60000, VRF_A, PORT_GW0, 50), ERDP_ACK_BAD_VALUE);
	EXPECT(gw_set(5, 7, PORT_GW0, 50), ERDP_ACK_UNKNOWN_VRF);
	EXPECT(gw_set(5, VRF_A, 9, 50), ERDP_ACK_UNKNOWN_NH);
	EXPECT(gw_set(5, VRF_A, PORT_ER0, 50), ERDP_ACK_BAD_VALUE);
	/* gw1 VLAN 60 is gw-b's, in VRF b */
	EXPECT(gw_set(5, VRF_A, PORT_GW1, 60), ERDP_ACK_BAD_VALUE);
	/* sharing gw-a's pair in the same VRF is fine */
	EXPECT(gw_set(5, VRF_A, PORT_GW0, 50), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 3, 0, 0), 16, ERDP_NH_REF_GATEWAY(5)), ERDP_ACK_OK);
	erdp_msg_gw_del(&m, 5);
	EXPECT(&m, ERDP_ACK_IN_USE);
	/* moving it to VRF b would strand its route */
	EXPECT(gw_set(5, VRF_B, PORT_GW1, 61), ERDP_ACK_IN_USE);
	/* replace with other instances, same VRF */
	EXPECT(gw_set(5, VRF_A, PORT_GW1, 70), ERDP_ACK_OK);
	/* now (gw1, 70) is VRF a's: a gateway of VRF b cannot have it */
	EXPECT(gw_set(6, VRF_B, PORT_GW1, 70), ERDP_ACK_BAD_VALUE);
	EXPECT(route4(false, VRF_A, IP4(10, 3, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(&m, ERDP_ACK_OK); /* GW_DEL 5 */
	EXPECT(&m, ERDP_ACK_NOT_FOUND);
	/* (gw1, 70) is free again */
	EXPECT(gw_set(6, VRF_B, PORT_GW1, 70), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 3, 0, 0), 16, ERDP_NH_REF_GATEWAY(5)),
	       ERDP_ACK_UNKNOWN_NH);
	erdp_msg_gw_del(&m, 6);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_gw_del(&m, GW_A); /* config routes use it */
	EXPECT(&m, ERDP_ACK_IN_USE);

	erdp_msg_gw_instance(&m, GW_A, 1, false);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_gw_instance(&m, GW_A, 1, true);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_gw_instance(&m, GW_A, 2, true);
	EXPECT(&m, ERDP_ACK_UNKNOWN_NH);
	erdp_msg_gw_instance(&m, 9, 0, true);
	EXPECT(&m, ERDP_ACK_UNKNOWN_NH);

	erdp_msg_link(&m, ERDP_LINK_TARGET_PEERING_LINK, 1, false);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PEERING_LINK, 1, true);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PEERING_LINK, 4, true);
	EXPECT(&m, ERDP_ACK_UNKNOWN_NH);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, PORT_GW0, false);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, PORT_ER1, false);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, PORT_ER1, true);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, PORT_GW0, true);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_link(&m, ERDP_LINK_TARGET_PORT, 4, true);
	EXPECT(&m, ERDP_ACK_UNKNOWN_NH);
}

static void test_sync(void)
{
	struct erdp_msg m;

	erdp_msg_sync(&m, false, 1);
	EXPECT(&m, ERDP_ACK_BAD_VALUE); /* no sync running */
	erdp_msg_sync(&m, true, 1);
	EXPECT(&m, ERDP_ACK_OK);
	/* replay: 10.1/16 (was a peering route) and 10.2/16; not 10.40/16 (config), fd00::/16 */
	EXPECT(route4(true, VRF_A, IP4(10, 1, 0, 0), 16, ERDP_NH_REF_GATEWAY(GW_A)), ERDP_ACK_OK);
	EXPECT(route4(true, VRF_A, IP4(10, 2, 0, 0), 16, 0), ERDP_ACK_OK);
	erdp_msg_sync(&m, false, 2);
	EXPECT(&m, ERDP_ACK_BAD_VALUE); /* not the running sync */
	erdp_msg_sync(&m, false, 1);
	EXPECT(&m, ERDP_ACK_OK);
	EXPECT(&m, ERDP_ACK_BAD_VALUE); /* over */

	EXPECT(route4(false, VRF_A, IP4(10, 40, 0, 0), 16, 0), ERDP_ACK_NOT_FOUND);
	EXPECT(route4(false, VRF_A, IP4(10, 140, 0, 0), 16, 0), ERDP_ACK_NOT_FOUND);
	EXPECT(route4(false, VRF_B, IP4(192, 168, 1, 0), 30, 0), ERDP_ACK_NOT_FOUND);
	EXPECT(route6(false, VRF_A, 0xfd00, 16, 0), ERDP_ACK_NOT_FOUND);
	/* connected routes survive a sync */
	EXPECT(route4(false, VRF_A, IP4(192, 168, 1, 2), 32, 0), ERDP_ACK_BAD_VALUE);
	/* gw-a's config route went with the sweep; 10.1/16 still uses it */
	erdp_msg_gw_del(&m, GW_A);
	EXPECT(&m, ERDP_ACK_IN_USE);
	EXPECT(route4(false, VRF_A, IP4(10, 1, 0, 0), 16, 0), ERDP_ACK_OK);
	EXPECT(&m, ERDP_ACK_OK);
	EXPECT(route4(false, VRF_A, IP4(10, 2, 0, 0), 16, 0), ERDP_ACK_OK);

	/* a restarted erdp-cp may reuse the token: the sweep still works */
	erdp_msg_sync(&m, true, 1);
	EXPECT(&m, ERDP_ACK_OK);
	EXPECT(route4(true, VRF_B, IP4(10, 9, 0, 0), 16, 0), ERDP_ACK_OK);
	erdp_msg_sync(&m, false, 1);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_sync(&m, true, 1);
	EXPECT(&m, ERDP_ACK_OK);
	erdp_msg_sync(&m, false, 1);
	EXPECT(&m, ERDP_ACK_OK);
	EXPECT(route4(false, VRF_B, IP4(10, 9, 0, 0), 16, 0), ERDP_ACK_NOT_FOUND);
}

/*
 * Many messages in one go: each rejection gets its own ack, in order, and
 * the batch ends with an OK ack whose `applied` counts everything before.
 * In VRF b: even i adds 10.60.i/24, odd i deletes what i - 1 added, except
 * i % 10 == 3 (an add in an unknown VRF) and i % 10 == 5 (a delete of a
 * route that never existed).
 */
static void test_batch(void)
{
	enum { N = 200 };
	static struct erdp_msg m[N];
	static struct erdp_ack a[N + 1];
	unsigned int sent = 0, n, n_rej = 0;
	uint32_t first = next_seq;
	bool order = true;

	for (int i = 0; i < N; i++) {
		if (i % 10 == 3)
			m[i] = *route4(true, 9, IP4(10, 60, i, 0), 24, 0);
		else if (i % 10 == 5)
			m[i] = *route4(false, VRF_B, IP4(10, 61, i, 0), 24, 0);
		else if (i % 2 == 0)
			m[i] = *route4(true, VRF_B, IP4(10, 60, i, 0), 24, 0);
		else
			m[i] = *route4(false, VRF_B, IP4(10, 60, i - 1, 0), 24, 0);
		m[i].seq = next_seq++;
		m[i].session = session;
	}
	while (sent < N)
		sent += erdp_ctl_send(ctl, m + sent, N - sent);
	n = acks_until(m[N - 1].seq, a, N + 1);
	CHECK(n > 0);
	if (n == 0)
		return;
	for (int i = 0; i < N; i++)
		count(i % 10 == 3   ? ERDP_ACK_UNKNOWN_VRF
		      : i % 10 == 5 ? ERDP_ACK_NOT_FOUND
				    : ERDP_ACK_OK);
	for (unsigned int i = 0; i + 1 < n; i++) {
		uint32_t k = a[i].seq - first;

		order &= i == 0 || a[i].seq > a[i - 1].seq;
		if (a[i].status == ERDP_ACK_OK)
			continue; /* the end of a slice: cumulative, allowed anywhere */
		n_rej++;
		CHECK_MSG(a[i].status == (k % 10 == 3 ? ERDP_ACK_UNKNOWN_VRF : ERDP_ACK_NOT_FOUND),
			  "seq +%u: %s (%s)", k, erdp_ack_status_str(a[i].status), a[i].detail);
	}
	CHECK(order);
	CHECK_EQ(n_rej, 2 * (N / 10));
	CHECK_EQ(a[n - 1].status, ERDP_ACK_OK);
	CHECK_EQ(a[n - 1].applied, n_ok);
}

/*
 * An erdp-cp that stops reading acks: the data plane fills the ack ring,
 * then stops taking requests (they wait in the request ring) instead of
 * dropping acks. Once acks are read again, every message has its ack.
 */
static void test_ack_backpressure(void)
{
	enum { EXTRA = 3000, N = ERDP_CTL_ACK_SLOTS + EXTRA };
	static struct erdp_msg m[N];
	static struct erdp_ack a[N];
	unsigned int sent = 0, got = 0;
	double until;
	bool order = true;

	for (int i = 0; i < N; i++) {
		erdp_msg_nop(&m[i]);
		m[i].version = 0; /* rejected: one ack each */
		m[i].seq = next_seq++;
		m[i].session = session;
		count(ERDP_ACK_BAD_VERSION);
	}
	until = now_s() + 20;
	while (sent < N && now_s() < until)
		sent += erdp_ctl_send(ctl, m + sent, N - sent);
	CHECK_EQ(sent, N);
	until = now_s() + 20;
	while (erdp_ctl_ack_free(ctl) != 0 && now_s() < until)
		usleep(1000);
	usleep(50000); /* give it time to (wrongly) take more */
	CHECK_EQ(erdp_ctl_ack_free(ctl), 0);
	CHECK_EQ(erdp_ctl_req_free(ctl), ERDP_CTL_REQ_SLOTS - EXTRA);
	until = now_s() + 20;
	while (got < N && now_s() < until) {
		unsigned int k = erdp_ctl_ack_recv(ctl, a + got, N - got);

		got += k;
		if (k == 0)
			usleep(100);
	}
	CHECK_EQ(got, N);
	for (unsigned int i = 0; i < got; i++)
		order &= a[i].seq == m[i].seq && a[i].status == ERDP_ACK_BAD_VERSION;
	CHECK(order);
	CHECK_EQ(erdp_ctl_req_free(ctl), ERDP_CTL_REQ_SLOTS);
}

/* ---- telemetry ---- */

static int telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	if (base == NULL)
		base = "/tmp";
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk/%s/dpdk_telemetry.v2", base, prefix);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "telemetry %s: %s\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, out, len - 1); /* greeting */
	if (n > 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
		n = read(fd, out, len - 1);
	else
		n = -1;
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static long long json_num(const char *json, const char *key)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p != NULL ? atoll(p + strlen(pat)) : -1;
}

static void test_telemetry(void)
{
	char out[8192];

	CHECK(telemetry("/erdp/ctl", out, sizeof(out)) == 0);
	CHECK_MSG(json_num(out, "applied") == (long long)n_ok, "%s (want applied %llu)", out,
		  (unsigned long long)n_ok);
	CHECK_MSG(json_num(out, "rejected") == (long long)n_rejected, "%s (want rejected %llu)",
		  out, (unsigned long long)n_rejected);
	for (uint8_t st = ERDP_ACK_OK + 1; st < ERDP_ACK_STATUS_MAX; st++) {
		char key[64];

		snprintf(key, sizeof(key), "rejected_%s", erdp_ack_status_str(st));
		CHECK_MSG(json_num(out, key) == (long long)n_status[st], "%s: %lld, want %llu", key,
			  json_num(out, key), (unsigned long long)n_status[st]);
	}
	CHECK_EQ(n_status[ERDP_ACK_NO_SPACE], 1);
	CHECK_EQ(n_status[ERDP_ACK_INTERNAL], 0);
	CHECK_MSG(json_num(out, "batches") >= (long long)n_single + 2, "batches: want >= %llu",
		  (unsigned long long)n_single + 2);
	CHECK(json_num(out, "cp_boot_id") == (long long)session);
	CHECK(json_num(out, "dp_heartbeat") > 0);
	CHECK(json_num(out, "swept") == 6);
	CHECK(json_num(out, "syncing") == 0);
	printf("/erdp/ctl: %s\n", out);
}

/* Send n messages and collect acks until the last one's; false on timeout. */
static bool send_all_wait(struct erdp_msg *m, unsigned int n)
{
	struct erdp_ack a;
	unsigned int sent = 0;
	double until = now_s() + 60;

	for (unsigned int i = 0; i < n; i++) {
		m[i].seq = next_seq++;
		m[i].session = session;
	}
	while (now_s() < until) {
		if (sent < n)
			sent += erdp_ctl_send(ctl, m + sent, n - sent);
		while (erdp_ctl_ack_recv(ctl, &a, 1) == 1) {
			if (a.session != session)
				continue;
			if (a.status == ERDP_ACK_OK && a.seq == m[n - 1].seq) {
				for (unsigned int i = 0; i < n; i++)
					count(ERDP_ACK_OK);
				return true;
			}
			if (a.status != ERDP_ACK_OK) {
				fprintf(stderr, "seq %u rejected: %s\n", a.seq, a.detail);
				return false;
			}
		}
		usleep(100);
	}
	return false;
}

/*
 * SYNC_END with nothing replayed sweeps every route; 60,000 of them go in
 * slices of at most ERDP_CTRL_SWEEP_SLICE, and the heartbeat keeps moving
 * until SYNC_END's ack comes (a sweep in one piece would stop it).
 */
static void test_sweep_sliced(void)
{
	enum { N = 60000 };
	static struct erdp_msg m[N];
	struct erdp_msg s;
	struct erdp_ack a[4];
	char out[8192];
	long long slices0, swept0;
	uint64_t hb, beats = 0;
	double until;

	CHECK(telemetry("/erdp/ctl", out, sizeof(out)) == 0);
	slices0 = json_num(out, "sweep_slices");
	swept0 = json_num(out, "swept");
	for (unsigned int i = 0; i < N; i++)
		m[i] = *route4(true, VRF_BIG, IP4(20, i >> 8, i & 0xff, 0), 24,
			       ERDP_NH_REF_BLACKHOLE);
	CHECK(send_all_wait(m, N));
	erdp_msg_sync(&s, true, 77);
	EXPECT(&s, ERDP_ACK_OK);
	erdp_msg_sync(&s, false, 77);
	s.seq = next_seq++;
	s.session = session;
	while (erdp_ctl_send(ctl, &s, 1) != 1)
		usleep(100);
	hb = erdp_ctl_dp_heartbeat(ctl);
	until = now_s() + 60;
	while (now_s() < until && erdp_ctl_ack_recv(ctl, a, 1) == 0) {
		if (erdp_ctl_dp_heartbeat(ctl) != hb) {
			hb = erdp_ctl_dp_heartbeat(ctl);
			beats++;
		}
		usleep(200);
	}
	CHECK_EQ(a[0].seq, s.seq);
	CHECK_EQ(a[0].status, ERDP_ACK_OK);
	count(ERDP_ACK_OK);
	CHECK_MSG(beats >= 1, "the heartbeat moved %llu times during the sweep",
		  (unsigned long long)beats);
	CHECK(telemetry("/erdp/ctl", out, sizeof(out)) == 0);
	CHECK_MSG(json_num(out, "sweep_slices") - slices0 >= N / ERDP_CTRL_SWEEP_SLICE,
		  "%lld sweep slices for %d routes", json_num(out, "sweep_slices") - slices0, N);
	CHECK_MSG(json_num(out, "swept") - swept0 >= N, "swept %lld",
		  json_num(out, "swept") - swept0);
	CHECK_EQ(json_num(out, "routes"), 0);
	CHECK_EQ(json_num(out, "syncing"), 0);
}

/* The digest of a VRF is the sum of its routes' terms; the listing holds them all. */
static void test_dump(void)
{
	static const char *const want[] = {"10.70.0.0/16 gateway#1", "10.71.0.0/16 blackhole",
					   "10.72.0.0/16 peering#1"};
	uint32_t refs[3] = {ERDP_NH_REF_GATEWAY(GW_B), ERDP_NH_REF_BLACKHOLE,
			    ERDP_NH_REF_PEERING(PEER_C2)};
	uint64_t sum = 0;
	char out[16384], hex[40], *p;
	struct erdp_msg m;

	for (int i = 0; i < 3; i++) {
		uint8_t a[16] = {10, (uint8_t)(70 + i)};

		EXPECT(route4(true, VRF_B, IP4(10, 70 + i, 0, 0), 16, refs[i]), ERDP_ACK_OK);
		sum += erdp_route_digest(VRF_B, 4, 16, a, refs[i]);
	}
	erdp_msg_route(&m, true, VRF_B, 6, (uint8_t[16]){0xfd, 0x70}, 16, ERDP_NH_REF_BLACKHOLE);
	EXPECT(&m, ERDP_ACK_OK);
	CHECK(telemetry("/erdp/routes/digest", out, sizeof(out)) == 0);
	p = strstr(out, "\"1\":{"); /* VRF b */
	CHECK_MSG(p != NULL, "%s", out);
	if (p == NULL)
		return;
	snprintf(hex, sizeof(hex), "\"ipv4_digest\":\"%016llx\"", (unsigned long long)sum);
	CHECK_MSG(strstr(p, hex) != NULL, "want %s in %s", hex, p);
	CHECK_EQ(json_num(p, "ipv4_routes"), 3);
	CHECK_EQ(json_num(p, "ipv4_fib"), 3);
	CHECK_EQ(json_num(p, "ipv6_routes"), 1);
	CHECK(telemetry("/erdp/routes,b,4", out, sizeof(out)) == 0);
	for (int i = 0; i < 3; i++)
		CHECK_MSG(strstr(out, want[i]) != NULL, "want '%s' in %s", want[i], out);
	CHECK_MSG(strstr(out, "fib!") == NULL && strstr(out, "\"next\"") == NULL, "%s", out);
	CHECK(telemetry("/erdp/routes,nosuchvrf,4", out, sizeof(out)) == 0);
	CHECK_MSG(strstr(out, "error") != NULL, "%s", out);
}

int main(int argc, char **argv)
{
	char seg[128];
	int status = -1;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ERDP_BINARY\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "/tmp/erdp-t-ctl-apply-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(prefix, sizeof(prefix), "erdp-t-apply-%d", (int)getpid());
	snprintf(seg, sizeof(seg), "/dev/shm/erdp-%s.ctl", prefix);
	pid = start_erdp(argv[1]);
	CHECK(pid > 0);
	ctl = pid > 0 ? open_segment(pid) : NULL;
	CHECK(ctl != NULL);
	if (ctl != NULL) {
		uint64_t beat = erdp_ctl_dp_heartbeat(ctl);

		erdp_ctl_cp_hello(ctl, session);
		usleep(50000);
		CHECK_MSG(erdp_ctl_dp_heartbeat(ctl) > beat, "heartbeat does not move");
		test_malformed();
		test_routes();
		test_gateways();
		test_sync();
		test_batch();
		test_ack_backpressure();
		usleep(20000); /* telemetry copies refresh every heartbeat */
		test_telemetry();
		test_sweep_sliced();
		test_dump();
		erdp_ctl_close(ctl);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "erdp status 0x%x",
			  status);
	}
	CHECK_MSG(access(seg, F_OK) != 0, "%s left behind", seg);
	if (ut_failed != 0) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "cat %s/erdp.log >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "no erdp log\n");
	}
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	TEST_MAIN_END();
}
