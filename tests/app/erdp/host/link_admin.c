/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Set a peering link's admin state in a running erdp over its control
 * channel, as erdp-cp does for `erdpctl link CIRCUIT/TYPE LINK up|down`,
 * without erdp-cp (which, with bgp.enabled, would run FRR in the very
 * namespaces test_host.py talks to).
 *
 * usage: link_admin INSTANCE PEERING_LINK up|down
 * Exit 0 when erdp acknowledged the change, 1 otherwise (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "erdp_ctl.h"

#define WAIT_S	20
#define SESSION 0x1a5e
#define POLL_US 1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct erdp_err err = {0};
	struct erdp_ctl *ctl;
	struct erdp_msg m;
	struct erdp_ack a;
	double until = now_s() + WAIT_S;

	if (argc != 4 || (strcmp(argv[3], "up") != 0 && strcmp(argv[3], "down") != 0)) {
		fprintf(stderr, "usage: link_admin INSTANCE PEERING_LINK up|down\n");
		return 2;
	}
	ctl = erdp_ctl_open(argv[1], &err);
	if (ctl == NULL) {
		fprintf(stderr, "link_admin: %s\n", err.msg);
		return 1;
	}
	erdp_ctl_cp_hello(ctl, SESSION);
	memset(&m, 0, sizeof(m));
	m.seq = 1;
	m.session = SESSION;
	erdp_msg_link(&m, ERDP_LINK_TARGET_PEERING_LINK, (uint16_t)atoi(argv[2]),
		      strcmp(argv[3], "up") == 0);
	while (erdp_ctl_send(ctl, &m, 1) != 1 && now_s() < until)
		usleep(POLL_US);
	while (now_s() < until) {
		if (erdp_ctl_ack_recv(ctl, &a, 1) == 0) {
			usleep(POLL_US);
			continue;
		}
		if (a.session != SESSION || a.seq != m.seq)
			continue;
		erdp_ctl_close(ctl);
		if (a.status == ERDP_ACK_OK)
			return 0;
		fprintf(stderr, "link_admin: %s (%s)\n", erdp_ack_status_str(a.status), a.detail);
		return 1;
	}
	erdp_ctl_close(ctl);
	fprintf(stderr, "link_admin: no acknowledgement from erdp in %d s\n", WAIT_S);
	return 1;
}
