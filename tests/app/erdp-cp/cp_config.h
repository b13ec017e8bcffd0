/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small config for the unit tests of erdp-cp's core and channel: VRF "a"
 * (gateway gw-a, peering c1/private with link subnets 192.168.1.0/30 and
 * .4/30, 2001:db8:1::/126 and ::4/126, config routes 10.40.0.0/16 to the
 * peering and the gateway prefix 10.140.0.0/16) and VRF "b" (gw-b, c2).
 */
#ifndef ERDP_TEST_CP_CONFIG_H
#define ERDP_TEST_CP_CONFIG_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "erdp_config.h"

enum { TVRF_A = 0, TVRF_B = 1, TGW_A = 0, TGW_B = 1, TPEER_C1 = 0, TPEER_C2 = 1 };

static const char cp_test_config[] =
	"eal = { lcores = \"0-1\"; file_prefix = \"unused\"; };\n"
	"port_pair = { encapsulation = \"dot1q\"; speed = \"10G\"; };\n"
	"ports = (\n"
	"  { name = \"er0\"; device = \"net_null0\"; role = \"primary\"; },\n"
	"  { name = \"er1\"; device = \"net_null1\"; role = \"secondary\"; },\n"
	"  { name = \"gw0\"; device = \"net_null2\"; role = \"gateway\"; }\n"
	");\n"
	"vrfs = (\n"
	"  { name = \"a\"; ipv4_routes = 64; ipv6_routes = 16;\n"
	"    routes = ( { prefix = \"10.40.0.0/16\"; peering = \"c1/private\"; } ); },\n"
	"  { name = \"b\"; ipv4_routes = 64; ipv6_routes = 16; }\n"
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
	"    instances = ( { port = \"gw0\"; mac = \"02:00:00:00:60:01\"; vlan = 60; },\n"
	"                  { port = \"gw0\"; mac = \"02:00:00:00:60:02\"; vlan = 60; } ); }\n"
	");\n";

/* The config above, loaded (NULL after printing why). */
static struct erdp_config *cp_test_config_load(void)
{
	char path[] = "/tmp/erdp-t-cp-config-XXXXXX";
	struct erdp_err err = {0};
	struct erdp_config *cfg = NULL;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL || fputs(cp_test_config, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		return NULL;
	}
	if (erdp_config_load(path, &cfg, &err) != 0)
		fprintf(stderr, "config: %s\n", err.msg);
	unlink(path);
	return cfg;
}

#endif
