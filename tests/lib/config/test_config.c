/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config tests: the shipped configs load; every rule of the schema has
 * one bad config that must fail with "t.conf:LINE: PATH: ..." where LINE is
 * the line marked "#!" in the test text (a libconfig comment); defaults; a
 * generated 1,000-circuit config loads quickly; the helpers.
 *
 * Usage: test_config ERDP_CONF QINQ_LAB_CONF DOT1Q_CONF
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "erdp_config.h"
#include "unit_test.h"

/* ---- building blocks of test configs ---- */

#define QINQ	       "port_pair = { encapsulation = \"qinq\"; speed = \"10G\"; };\n"
#define DOT1Q	       "port_pair = { encapsulation = \"dot1q\"; speed = \"10G\"; };\n"
#define PORT_P	       "  { name = \"pri\"; device = \"net_null0\"; role = \"primary\"; }"
#define PORT_S	       "  { name = \"sec\"; device = \"net_null1\"; role = \"secondary\"; }"
#define PORT_G	       "  { name = \"gw0\"; device = \"net_null2\"; role = \"gateway\"; }"
#define PORT_G1	       "  { name = \"gw1\"; device = \"0000:03:00.0\"; role = \"gateway\"; }"
/* Three fixed ports plus a fourth one (ports[3]) that a case may vary. */
#define PORTS_WITH(p3) "ports = (\n" PORT_P ",\n" PORT_S ",\n" PORT_G ",\n" p3 "\n);\n"
#define PORTS	       PORTS_WITH(PORT_G1)
#define VRFS	       "vrfs = ( { name = \"a\"; }, { name = \"b\"; } );\n"
#define BASE	       QINQ PORTS VRFS

/* Fields of a qinq private peering, one per line, so that one can be marked. */
#define CTAG "    c_tag = 10;\n"
#define V4   "    ipv4 = \"10.0.0.0/29\";\n"
#define ASN  "    peer_asn = 65001;\n"
/* Circuit c1 (s_tag 100, 1G) with one private peering in VRF a made of `fields`. */
#define PEER_Q(fields)                                                                             \
	BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"                    \
	     "  peerings = ( { type = \"private\"; vrf = \"a\";\n" fields "  } ); } );\n"
/* A circuit whose fields (name aside) are given, with a private peering in VRF a. */
#define CIRC(name, fields, v4)                                                                     \
	"  { name = \"" name "\";\n" fields                                                        \
	"    peerings = ( { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = \"" v4             \
	"\"; peer_asn = 65001; } ); }"
#define QF(stag, bw) "    s_tag = " stag "; bandwidth = \"" bw "\";\n"
/* Dot1Q: circuit with one private peering of VLAN vlan. */
#define CIRC_D(name, vlan, v4)                                                                     \
	"  { name = \"" name "\"; bandwidth = \"1G\";\n"                                           \
	"    peerings = ( { type = \"private\"; vrf = \"a\"; ipv4 = \"" v4                         \
	"\"; peer_asn = 65001;\n      vlan = " vlan "; } ); }"
/* A valid circuit c1 in VRF a with peering "c1/private", for route and gateway tests. */
#define C1		"circuits = (\n" CIRC("c1", QF("100", "1G"), "10.0.0.0/29") "\n);\n"
#define INST(mac, vlan) "      { port = \"gw0\"; mac = \"" mac "\"; vlan = " vlan "; }"
#define GW(name, vrf, insts)                                                                       \
	"  { name = \"" name "\"; vrf = \"" vrf "\";\n    instances = (\n" insts "\n    ); }"
#define GW2(name, vrf, vlan)                                                                       \
	GW(name, vrf, INST("02:00:00:00:00:01", vlan) ",\n" INST("02:00:00:00:00:02", vlan))
/* Two untagged instances on port gw1 (MACs end in m1, m2); mark follows the first one. */
#define INST_GW1(mac_end)		      "      { port = \"gw1\"; mac = \"02:00:00:00:00:" mac_end "\"; }"
#define GW2_UNTAGGED(name, vrf, m1, m2, mark) GW(name, vrf, INST_GW1(m1) "," mark "\n" INST_GW1(m2))

/* bgp = { ... } with `fields` (one per line, so that one can be marked). */
#define BGP(fields) "bgp = {\n" fields "};\n"
/* A Microsoft peering of circuit c1 in VRF a, made of `fields`. */
#define PEER_MS(fields)                                                                            \
	BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"                    \
	     "  peerings = ( { type = \"microsoft\"; vrf = \"a\";\n" CTAG V4 ASN fields            \
	     "  } ); } );\n"

struct bad_case {
	const char *name;
	const char *text;
	const char *path;    /* expected path; NULL: a message without one (syntax) */
	const char *keyword; /* words of the rule or of the description */
};

static const struct bad_case bad_cases[] = {
	/* libconfig syntax, literals */
	{"syntax error", QINQ "ports = (\n  { name = \"p\";\n    mtu = = 5; } #!\n);\n", NULL,
	 "syntax"},
	{"integer beyond 64 bits", QINQ "eal = {\n memory_mb = 99999999999999999999; #!\n};\n",
	 NULL, "64 bits"},
	/* unknown keys */
	{"unknown top-level key", BASE "colour = \"blue\"; #!\n", "colour", "unknown setting"},
	{"unknown key lists the allowed ones", BASE "colour = \"blue\"; #!\n", "colour",
	 "allowed in the top level: eal, dataplane, port_pair"},
	{"unknown key in eal", BASE "eal = {\n  cores = 2; #!\n};\n", "eal.cores", "unknown"},
	{"unknown key in a port",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    speed = 10; } #!"),
	 "ports[3].speed", "allowed in ports[3]: name, device, role"},
	{"unknown key in a peering", PEER_Q(CTAG V4 ASN "    bgp_md5 = \"x\"; #!\n"),
	 "circuits[0].peerings[0].bgp_md5", "unknown setting"},
	/* wrong types */
	{"string for an integer",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\"; "
			 "mtu = \"1500\"; } #!"),
	 "ports[3].mtu", "expected an integer, got a string"},
	{"integer for a boolean", BASE "eal = {\n  huge = 1; #!\n};\n", "eal.huge",
	 "expected a boolean"},
	{"float for an integer", PEER_Q("    c_tag = 10.0; #!\n" V4 ASN),
	 "circuits[0].peerings[0].c_tag", "got a float"},
	{"group for a list", QINQ "ports = { name = \"x\"; }; #!\n", "ports", "expected a list"},
	/* libconfig 1.5 dates a scalar list element by the token after it: keep both on one
	   line. */
	{"string for a list element", QINQ "ports = (\n  \"pri\" ); #!\n", "ports[0]",
	 "expected a group"},
	{"string for a boolean",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "1G") "    rate_limit = \"yes\"; #!\n",
				    "10.0.0.0/29") "\n);\n",
	 "circuits[0].rate_limit", "expected a boolean"},
	/* missing required keys */
	{"missing port_pair", "#!\n" PORTS VRFS, "port_pair", "missing"},
	{"missing encapsulation", "port_pair = { speed = \"10G\"; }; #!\n" PORTS,
	 "port_pair.encapsulation", "required"},
	{"missing device", QINQ PORTS_WITH("  { name = \"gw1\"; role = \"gateway\"; } #!"),
	 "ports[3].device", "missing"},
	{"missing peer_asn",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"
	      "  peerings = ( { type = \"private\"; vrf = \"a\"; #!\n" CTAG V4 "  } ); } );\n",
	 "circuits[0].peerings[0].peer_asn", "missing"},
	{"missing bandwidth",
	 BASE "circuits = (\n  { name = \"c1\"; s_tag = 100; #!\n"
	      "    peerings = ( { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = "
	      "\"10.0.0.0/29\"; peer_asn = 65001; } ); }\n);\n",
	 "circuits[0].bandwidth", "missing"},
	/* eal, dataplane */
	{"bad lcores", BASE "eal = {\n  lcores = \"a-b\"; #!\n};\n", "eal.lcores", "lcore"},
	{"memory_mb above 32 bits", BASE "eal = {\n  memory_mb = 5000000000; #!\n};\n",
	 "eal.memory_mb", "5000000000 is out of range"},
	{"bad file_prefix", BASE "eal = {\n  file_prefix = \"my prefix\"; #!\n};\n",
	 "eal.file_prefix", "names are"},
	{"non-string EAL argument", BASE "eal = {\n  args = ( \"-v\",\n    7 ); #!\n};\n",
	 "eal.args[1]", "expected a string"},
	{"burst 0", BASE "dataplane = {\n  burst = 0; #!\n};\n", "dataplane.burst", "1..64"},
	{"burst 65", BASE "dataplane = {\n  burst = 65; #!\n};\n", "dataplane.burst", "1..64"},
	{"rx_desc not a power of 2", BASE "dataplane = {\n  rx_desc = 1000; #!\n};\n",
	 "dataplane.rx_desc", "power of 2"},
	{"tx_desc too large", BASE "dataplane = {\n  tx_desc = 32768; #!\n};\n",
	 "dataplane.tx_desc", "64..16384"},
	{"mbufs too few", BASE "dataplane = {\n  mbufs = 100; #!\n};\n", "dataplane.mbufs",
	 "out of range"},
	/* port_pair */
	{"unknown encapsulation",
	 "port_pair = { speed = \"10G\";\n  encapsulation = \"mpls\"; #!\n};\n" PORTS,
	 "port_pair.encapsulation", "\"qinq\" or \"dot1q\""},
	{"unknown speed",
	 "port_pair = { encapsulation = \"qinq\";\n  speed = \"25G\"; #!\n};\n" PORTS,
	 "port_pair.speed", "\"10G\" or \"100G\""},
	{"bad TPID",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"10G\";\n"
	 "  outer_tpids = [ 0x8100,\n    0x8847 ]; #!\n};\n" PORTS,
	 "port_pair.outer_tpids[1]", "TPIDs: 0x8100, 0x88a8 or 0x9100"},
	{"duplicate TPID",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"10G\";\n"
	 "  outer_tpids = ( 0x88a8,\n    0x88a8 ); #!\n};\n" PORTS,
	 "port_pair.outer_tpids[1]", "duplicate"},
	{"five TPIDs",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"10G\";\n"
	 "  outer_tpids = [ 0x8100, 0x88a8, 0x9100, 0x8100, 0x88a8 ]; #!\n};\n" PORTS,
	 "port_pair.outer_tpids", "1 to 4"},
	{"egress TPID not accepted",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"10G\";\n"
	 "  egress_tpid = 0x88a8; #!\n};\n" PORTS,
	 "port_pair.egress_tpid", "one of outer_tpids"},
	{"oversubscription 0",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"10G\";\n"
	 "  oversubscription = 0; #!\n};\n" PORTS,
	 "port_pair.oversubscription", "out of range"},
	/* ports */
	{"bad port name",
	 QINQ PORTS_WITH("  { name = \"gw 1\"; device = \"net_null3\"; role = \"gateway\"; } #!"),
	 "ports[3].name", "A-Z a-z 0-9"},
	{"port name too long",
	 QINQ PORTS_WITH("  { name = "
			 "\"x123456789012345678901234567890123456789012345678901234567890123\";"
			 " device = \"net_null3\"; role = \"gateway\"; } #!"),
	 "ports[3].name", "1 to 63"},
	{"duplicate port name",
	 QINQ PORTS_WITH("  { name = \"gw0\"; device = \"net_null3\"; role = \"gateway\"; } #!"),
	 "ports[3].name", "port names must be unique"},
	{"bad device",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"eth0\"; role = \"gateway\"; } #!"),
	 "ports[3].device", "net_<driver><id>"},
	{"bad PCI function",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"0000:03:00.8\"; role = \"gateway\"; } #!"),
	 "ports[3].device", "PCI address"},
	{"duplicate vdev",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null2,size=64\"; role = "
			 "\"gateway\"; } #!"),
	 "ports[3].device", "already used by port 'gw0'"},
	{"duplicate PCI address in two spellings",
	 QINQ "ports = (\n" PORT_P ",\n" PORT_S ",\n" PORT_G1 ",\n"
	      "  { name = \"gw2\"; device = \"03:00.0\"; role = \"gateway\"; } #!\n);\n",
	 "ports[3].device", "a device backs one port"},
	{"unknown role",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"backup\"; } #!"),
	 "ports[3].role", "\"primary\", \"secondary\" or \"gateway\""},
	{"two primary ports",
	 QINQ PORTS_WITH("  { name = \"p2\"; device = \"net_null3\";\n    role = "
			 "\"primary\"; } #!"),
	 "ports[3].role", "exactly one primary"},
	{"two secondary ports",
	 QINQ PORTS_WITH("  { name = \"s2\"; device = \"net_null3\";\n    role = "
			 "\"secondary\"; } #!"),
	 "ports[3].role", "at most one secondary"},
	{"no primary port", QINQ "ports = ( #!\n" PORT_S ",\n" PORT_G "\n);\n", "ports",
	 "exactly one primary"},
	{"no gateway port", QINQ "ports = ( #!\n" PORT_P ",\n" PORT_S "\n);\n", "ports",
	 "at least one port has role \"gateway\""},
	{"rx_queues 17",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    rx_queues = 17; } #!"),
	 "ports[3].rx_queues", "1..16"},
	{"two RX queues on memif",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_memif3,role=server\";\n"
			 "    role = \"gateway\"; rx_queues = 2; } #!"),
	 "ports[3].rx_queues", "rx_queues: 1 on net_memif ports"},
	{"mtu 575",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    mtu = 575; } #!"),
	 "ports[3].mtu", "576..9000"},
	{"mtu 9001",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    mtu = 9001; } #!"),
	 "ports[3].mtu", "576..9000"},
	{"multicast port MAC",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    mac = \"01:00:5e:00:00:01\"; } #!"),
	 "ports[3].mac", "unicast"},
	{"promiscuous not a boolean",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    promiscuous = \"yes\"; } #!"),
	 "ports[3].promiscuous", "a boolean (true or false)"},
	{"malformed port MAC",
	 QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = \"gateway\";\n"
			 "    mac = \"02:00:00:00:00\"; } #!"),
	 "ports[3].mac", "xx:xx:xx:xx:xx:xx"},
	/* vrfs */
	{"duplicate VRF name",
	 QINQ PORTS "vrfs = ( { name = \"a\"; },\n  { name = \"a\"; } ); #!\n", "vrfs[1].name",
	 "VRF names must be unique"},
	{"ipv4_routes 0", QINQ PORTS "vrfs = ( { name = \"a\";\n  ipv4_routes = 0; } ); #!\n",
	 "vrfs[0].ipv4_routes", "1..2000000"},
	{"ipv6_routes too many",
	 QINQ PORTS "vrfs = ( { name = \"a\";\n  ipv6_routes = 1000001; } ); #!\n",
	 "vrfs[0].ipv6_routes", "1..1000000"},
	/* circuits (qinq) */
	{"duplicate circuit name",
	 BASE
	 "circuits = (\n" CIRC("c1", QF("100", "1G"),
			       "10.0.0.0/29") ",\n"
					      "  { name = \"c1\"; #!\n" QF(
						      "101", "1G") "    peerings = ( { type = "
								   "\"private\"; c_tag = 10; vrf = "
								   "\"b\"; ipv4 = \"10.0.0.0/29\"; "
								   "peer_asn = 65001; } ); }\n);\n",
	 "circuits[1].name", "circuit names must be unique"},
	{"S-tag missing in qinq",
	 BASE "circuits = (\n  { name = \"c1\"; bandwidth = \"1G\"; #!\n"
	      "    peerings = ( { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = "
	      "\"10.0.0.0/29\"; peer_asn = 65001; } ); }\n);\n",
	 "circuits[0].s_tag", "missing"},
	{"S-tag 0",
	 BASE "circuits = (\n" CIRC("c1", "    s_tag = 0; #!\n    bandwidth = \"1G\";\n",
				    "10.0.0.0/29") "\n);\n",
	 "circuits[0].s_tag", "1..4094"},
	{"S-tag 4095",
	 BASE "circuits = (\n" CIRC("c1", "    s_tag = 4095; #!\n    bandwidth = \"1G\";\n",
				    "10.0.0.0/29") "\n);\n",
	 "circuits[0].s_tag", "VLAN IDs are 1..4094"},
	{"S-tag reused",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "1G"), "10.0.0.0/29") ",\n" CIRC(
		 "c2", "    s_tag = 100; #!\n    bandwidth = \"1G\";\n", "10.0.0.8/29") "\n);\n",
	 "circuits[1].s_tag", "S-tags must be unique within the port pair"},
	{"C-tag reused within a circuit",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\"; peerings = (\n"
	      "  { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = \"10.0.0.0/29\"; "
	      "peer_asn = 65001; },\n"
	      "  { type = \"microsoft\"; vrf = \"b\"; ipv4 = \"10.0.0.8/29\"; peer_asn = "
	      "65001;\n"
	      "    c_tag = 10; } ); } ); #!\n",
	 "circuits[0].peerings[1].c_tag", "C-tags must be unique within a circuit"},
	{"C-tag 0", PEER_Q("    c_tag = 0; #!\n" V4 ASN), "circuits[0].peerings[0].c_tag",
	 "1..4094"},
	{"C-tag 4095", PEER_Q("    c_tag = 4095; #!\n" V4 ASN), "circuits[0].peerings[0].c_tag",
	 "1..4094"},
	{"C-tag missing in qinq",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"
	      "  peerings = ( { type = \"private\"; vrf = \"a\"; #!\n" V4 ASN "  } ); } );\n",
	 "circuits[0].peerings[0].c_tag", "missing"},
	{"vlan in qinq", PEER_Q(CTAG V4 ASN "    vlan = 5; #!\n"), "circuits[0].peerings[0].vlan",
	 "qinq peerings take c_tag"},
	{"SKU not offered on 10G",
	 BASE "circuits = (\n" CIRC("c1", "    s_tag = 100;\n    bandwidth = \"40G\"; #!\n",
				    "10.0.0.0/29") "\n);\n",
	 "circuits[0].bandwidth", "SKUs offered on a 10G port pair: 1G, 2G, 5G, 10G"},
	{"SKU not offered on 100G",
	 "port_pair = { encapsulation = \"qinq\"; speed = \"100G\"; };\n" PORTS VRFS
	 "circuits = (\n" CIRC("c1", "    s_tag = 100;\n    bandwidth = \"1G\"; #!\n",
			       "10.0.0.0/29") "\n);\n",
	 "circuits[0].bandwidth", "5G, 10G, 40G, 100G"},
	{"bandwidth sum over 2x",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "10G"), "10.0.0.0/29") ",\n" CIRC(
		 "c2", QF("101", "10G"),
		 "10.0.0.8/29") ",\n" CIRC("c3", "    s_tag = 102;\n    bandwidth = \"1G\"; #!\n",
					   "10.0.0.16/29") "\n);\n",
	 "circuits[2].bandwidth", "add up to 21G, over the 20G limit"},
	{"no peering",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n  peerings "
	      "= ( ); } ); #!\n",
	 "circuits[0].peerings", "at least one peering"},
	{"unknown peering type",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\"; peerings = (\n"
	      "  { type = \"public\"; #!\n    c_tag = 10; vrf = \"a\"; ipv4 = \"10.0.0.0/29\"; "
	      "peer_asn = 65001; } ); } );\n",
	 "circuits[0].peerings[0].type", "\"private\" or \"microsoft\""},
	{"two private peerings",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\"; peerings = (\n"
	      "  { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = \"10.0.0.0/29\"; "
	      "peer_asn = 65001; },\n"
	      "  { type = \"private\"; #!\n    c_tag = 11; vrf = \"b\"; ipv4 = \"10.0.0.8/29\"; "
	      "peer_asn = 65001; } ); } );\n",
	 "circuits[0].peerings[1].type", "at most one private and one microsoft"},
	{"unknown VRF",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"
	      "  peerings = ( { type = \"private\";\n    vrf = \"nope\"; #!\n" CTAG V4 ASN
	      "  } ); } );\n",
	 "circuits[0].peerings[0].vrf", "no VRF named 'nope'"},
	/* circuits (dot1q) */
	{"S-tag in dot1q",
	 DOT1Q PORTS VRFS
	 "circuits = (\n  { name = \"c1\"; bandwidth = \"1G\";\n    s_tag = 100; #!\n"
	 "    peerings = ( { type = \"private\"; vlan = 10; vrf = \"a\"; ipv4 = "
	 "\"10.0.0.0/29\"; peer_asn = 65001; } ); }\n);\n",
	 "circuits[0].s_tag", "dot1q circuits have no S-tag"},
	{"C-tag in dot1q",
	 DOT1Q PORTS VRFS
	 "circuits = (\n" CIRC_D("c1", "10;\n      c_tag = 5", "10.0.0.0/29") " #!\n);\n",
	 "circuits[0].peerings[0].c_tag", "not allowed with encapsulation \"dot1q\""},
	{"VLAN missing in dot1q",
	 DOT1Q PORTS VRFS "circuits = ( { name = \"c1\"; bandwidth = \"1G\";\n"
			  "  peerings = ( { type = \"private\"; vrf = \"a\"; ipv4 = "
			  "\"10.0.0.0/29\"; peer_asn = 65001; } ); } ); #!\n",
	 "circuits[0].peerings[0].vlan", "missing"},
	{"VLAN 0", DOT1Q PORTS VRFS "circuits = (\n" CIRC_D("c1", "0", "10.0.0.0/29") " #!\n);\n",
	 "circuits[0].peerings[0].vlan", "VLAN IDs are 1..4094"},
	{"VLAN 4095",
	 DOT1Q PORTS VRFS "circuits = (\n" CIRC_D("c1", "4095", "10.0.0.0/29") " #!\n);\n",
	 "circuits[0].peerings[0].vlan", "VLAN IDs are 1..4094"},
	{"dot1q VLAN reused across circuits",
	 DOT1Q PORTS VRFS "circuits = (\n" CIRC_D("c1", "10", "10.0.0.0/29") ",\n" CIRC_D(
		 "c2", "10", "10.0.0.8/29") " #!\n);"
					    "\n",
	 "circuits[1].peerings[0].vlan", "dot1q VLANs must be unique across the port pair"},
	/* link subnets */
	{"IPv4 /28", PEER_Q(CTAG ASN "    ipv4 = \"10.0.0.0/28\"; #!\n"),
	 "circuits[0].peerings[0].ipv4", "is a /28, expected a /29"},
	{"IPv4 /30 alone", PEER_Q(CTAG ASN "    ipv4 = \"10.0.0.0/30\"; #!\n"),
	 "circuits[0].peerings[0].ipv4", "one /29 or a list of two /30"},
	{"IPv4 /31 in a list",
	 PEER_Q(CTAG ASN "    ipv4 = [ \"10.0.0.0/30\",\n      \"10.0.0.4/31\" ]; #!\n"),
	 "circuits[0].peerings[0].ipv4[1]", "expected a /30"},
	{"IPv4 list of three",
	 PEER_Q(CTAG ASN "    ipv4 = [ \"10.0.0.0/30\", \"10.0.0.4/30\", \"10.0.0.8/30\" ]; #!\n"),
	 "circuits[0].peerings[0].ipv4", "expected two subnets"},
	{"IPv4 host bits", PEER_Q(CTAG ASN "    ipv4 = \"10.0.0.4/29\"; #!\n"),
	 "circuits[0].peerings[0].ipv4", "host bits"},
	{"IPv4 garbage", PEER_Q(CTAG ASN "    ipv4 = \"10.0.0/29\"; #!\n"),
	 "circuits[0].peerings[0].ipv4", "not an IPv4 prefix"},
	{"IPv6 /124", PEER_Q(CTAG V4 ASN "    ipv6 = \"2001:db8::/124\"; #!\n"),
	 "circuits[0].peerings[0].ipv6", "is a /124, expected a /125"},
	{"IPv6 /127 in a list",
	 PEER_Q(CTAG V4 ASN "    ipv6 = ( \"2001:db8::/126\",\n \"2001:db8::4/127\" ); #!\n"),
	 "circuits[0].peerings[0].ipv6[1]", "expected a /126"},
	{"IPv6 host bits", PEER_Q(CTAG V4 ASN "    ipv6 = \"2001:db8::4/125\"; #!\n"),
	 "circuits[0].peerings[0].ipv6", "host bits"},
	{"IPv4 overlap in one VRF",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "1G"), "10.0.0.0/29") ",\n" CIRC(
		 "c2", QF("101", "1G"), "10.0.0.0/29") " #!\n);\n",
	 "circuits[1].peerings[0].ipv4", "overlaps 10.0.0.0/30 of peering 'c1/private' at line 12"},
	{"IPv4 overlap, list against /29",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "1G"),
				    "10.0.0.0/29") ",\n"
						   "  { name = \"c2\"; s_tag = 101; bandwidth = "
						   "\"1G\"; peerings = ( { type = \"private\";\n"
						   "    c_tag = 10; vrf = \"a\"; peer_asn = "
						   "65001; ipv4 = [ \"10.0.0.8/30\",\n"
						   "      \"10.0.0.4/30\" ]; } ); } #!\n);\n",
	 "circuits[1].peerings[0].ipv4[1]", "peering subnets must not overlap within a VRF"},
	{"IPv4 overlap inside a list",
	 PEER_Q(CTAG ASN "    ipv4 = [ \"10.0.0.0/30\",\n      \"10.0.0.0/30\" ]; #!\n"),
	 "circuits[0].peerings[0].ipv4[1]", "overlaps 10.0.0.0/30"},
	{"IPv6 overlap in one VRF",
	 BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\"; peerings = (\n"
	      "  { type = \"private\"; c_tag = 10; vrf = \"a\"; ipv4 = \"10.0.0.0/29\"; "
	      "peer_asn = 65001; ipv6 = \"2001:db8::/125\"; },\n"
	      "  { type = \"microsoft\"; c_tag = 11; vrf = \"a\"; ipv4 = \"10.0.0.8/29\"; "
	      "peer_asn = 65001;\n"
	      "    ipv6 = \"2001:db8::/125\"; } ); } ); #!\n",
	 "circuits[0].peerings[1].ipv6", "overlaps 2001:db8::/126 of peering 'c1/private'"},
	/* ASN */
	{"ASN 65515", PEER_Q(CTAG V4 "    peer_asn = 65515; #!\n"),
	 "circuits[0].peerings[0].peer_asn", "65515..65520 are reserved"},
	{"ASN 65520", PEER_Q(CTAG V4 "    peer_asn = 65520; #!\n"),
	 "circuits[0].peerings[0].peer_asn", "reserved"},
	{"ASN 12076", PEER_Q(CTAG V4 "    peer_asn = 12076; #!\n"),
	 "circuits[0].peerings[0].peer_asn", "Microsoft's ASN"},
	{"ASN 0", PEER_Q(CTAG V4 "    peer_asn = 0; #!\n"), "circuits[0].peerings[0].peer_asn",
	 "1..4294967295"},
	{"ASN 2^32", PEER_Q(CTAG V4 "    peer_asn = 4294967296; #!\n"),
	 "circuits[0].peerings[0].peer_asn", "4294967296 is out of range"},
	/* customer MACs */
	{"three customer MACs",
	 PEER_Q(CTAG V4 ASN "    customer_mac = [ \"02:00:00:00:00:01\", "
			    "\"02:00:00:00:00:02\", \"02:00:00:00:00:03\" ]; #!\n"),
	 "circuits[0].peerings[0].customer_mac", "[primary, secondary]"},
	{"multicast customer MAC",
	 PEER_Q(CTAG V4 ASN "    customer_mac = [ \"02:00:00:00:00:01\",\n      "
			    "\"03:00:00:00:00:02\" ]; #!\n"),
	 "circuits[0].peerings[0].customer_mac[1]", "unicast"},
	{"malformed customer MAC",
	 PEER_Q(CTAG V4 ASN "    customer_mac = [ \"02-00-00-00-00-01\" ]; #!\n"),
	 "circuits[0].peerings[0].customer_mac[0]", "invalid MAC"},
	/* gateways */
	{"one gateway instance",
	 BASE "gateways = (\n  { name = \"g1\"; vrf = \"a\";\n    instances = ( #!\n" INST(
		 "02:00:00:00:00:01", "10") "); }\n);\n",
	 "gateways[0].instances", "2 to 16 instances"},
	{"instance on an unknown port",
	 BASE "gateways = (\n" GW(
		 "g1", "a",
		 INST("02:00:00:00:00:01", "10") ",\n"
						 "      { port = \"gw9\"; mac = "
						 "\"02:00:00:00:00:02\"; } #!") "\n);\n",
	 "gateways[0].instances[1].port", "no port named 'gw9'"},
	{"instance on a non-gateway port",
	 BASE "gateways = (\n" GW(
		 "g1", "a",
		 INST("02:00:00:00:00:01", "10") ",\n"
						 "      { port = \"pri\"; mac = "
						 "\"02:00:00:00:00:02\"; } #!") "\n);\n",
	 "gateways[0].instances[1].port", "ports with role \"gateway\""},
	{"instance without MAC",
	 BASE "gateways = (\n" GW("g1", "a",
				  INST("02:00:00:00:00:01",
				       "10") ",\n"
					     "      { port = \"gw0\"; vlan = 10; } #!") "\n);\n",
	 "gateways[0].instances[1].mac", "missing"},
	{"multicast instance MAC",
	 BASE "gateways = (\n" GW(
		 "g1", "a",
		 INST("02:00:00:00:00:01", "10") ",\n"
						 "      { port = \"gw0\"; mac = "
						 "\"ff:ff:ff:ff:ff:ff\"; } #!") "\n);\n",
	 "gateways[0].instances[1].mac", "unicast"},
	{"instance VLAN 0",
	 BASE "gateways = (\n" GW("g1", "a",
				  INST("02:00:00:00:00:01", "10") ",\n" INST("02:00:00:00:00:02",
									     "0") " #!") "\n);\n",
	 "gateways[0].instances[1].vlan", "1..4094"},
	{"instance VLAN 4095",
	 BASE "gateways = (\n" GW("g1", "a",
				  INST("02:00:00:00:00:01",
				       "4095") ", #!\n" INST("02:00:00:00:00:02", "10")) "\n);\n",
	 "gateways[0].instances[0].vlan", "1..4094"},
	{"instance zone not a string",
	 BASE "gateways = (\n" GW(
		 "g1", "a",
		 INST("02:00:00:00:00:01",
		      "10") ",\n"
			    "      { port = \"gw0\"; mac = \"02:00:00:00:00:02\"; zone = "
			    "2; } #!") "\n);\n",
	 "gateways[0].instances[1].zone", "expected a string"},
	{"instance ip not an IPv4 address",
	 BASE
	 "gateways = (\n" GW("g1", "a",
			     INST("02:00:00:00:00:01",
				  "10") ",\n"
					"      { port = \"gw0\"; mac = \"02:00:00:00:00:02\"; ip = "
					"\"10.0.0.300\"; } #!") "\n);\n",
	 "gateways[0].instances[1].ip", "IPv4 address"},
	{"health interval out of range",
	 BASE "gateways = (\n  { name = \"g1\"; vrf = \"a\"; health_interval_ms = 5; #!\n"
	      "    instances = ( " INST("02:00:00:00:00:01", "10") ", " INST("02:00:00:00:00:02",
									     "10") " ); }\n);\n",
	 "gateways[0].health_interval_ms", "50..60000"},
	{"(port, VLAN) shared across VRFs",
	 BASE "gateways = (\n" GW2("g1", "a", "10") ",\n" GW(
		 "g2", "b",
		 INST("02:00:00:00:00:03", "11") ",\n" INST("02:00:00:00:00:04",
							    "10") " #!") "\n);\n",
	 "gateways[1].instances[1].vlan", "belongs to one VRF"},
	{"untagged port shared across VRFs",
	 BASE "gateways = (\n" GW2_UNTAGGED("g1", "a", "01", "02", "") ",\n" GW2_UNTAGGED(
		 "g2", "b", "03", "04", " #!") "\n);\n",
	 "gateways[1].instances[0].port", "port 'gw1' untagged already maps to VRF 'a'"},
	{"duplicate gateway name",
	 BASE "gateways = (\n" GW2("g1", "a",
				   "10") ",\n  { name = \"g1\"; #!\n  vrf = \"a\"; instances = "
					 "(\n" INST("02:00:00:00:00:03", "10") ",\n" INST(
						 "02:00:00:00:00:04", "10") "); }\n);\n",
	 "gateways[1].name", "gateway names must be unique"},
	{"gateway in an unknown VRF",
	 BASE "gateways = (\n  { name = \"g1\";\n    vrf = \"zz\"; #!\n    instances = (\n" INST(
		 "02:00:00:00:00:01", "10") ",\n" INST("02:00:00:00:00:02", "10") "); }\n);\n",
	 "gateways[0].vrf", "no VRF named 'zz'"},
	{"gateway prefix with host bits",
	 BASE "gateways = (\n  { name = \"g1\"; vrf = \"a\";\n    prefixes = [ "
	      "\"10.1.0.0/16\",\n"
	      "      \"10.2.3.0/16\" ]; #!\n    instances = (\n" INST(
		      "02:00:00:00:00:01", "10") ",\n" INST("02:00:00:00:00:02", "10") "); }\n);\n",
	 "gateways[0].prefixes[1]", "did you mean 10.2.0.0/16?"},
	/* bgp */
	{"bgp not a group", BASE "bgp = true; #!\n", "bgp", "expected a group"},
	{"unknown key in bgp", BASE BGP("  enabled = true;\n  holdtime = 90; #!\n"), "bgp.holdtime",
	 "allowed in bgp: enabled, namespace_prefix, keepalive"},
	{"bgp.enabled not a boolean", BASE BGP("  enabled = 1; #!\n"), "bgp.enabled",
	 "expected a boolean"},
	{"bad namespace_prefix", BASE BGP("  namespace_prefix = \"lab/1\"; #!\n"),
	 "bgp.namespace_prefix", "names are 1 to 63 characters"},
	{"keepalive 0", BASE BGP("  keepalive = 0; #!\n"), "bgp.keepalive", "1..21845"},
	{"keepalive 21846", BASE BGP("  keepalive = 21846; #!\n"), "bgp.keepalive", "1..21845"},
	{"hold_time 2", BASE BGP("  hold_time = 2; #!\n"), "bgp.hold_time", "3..65535"},
	{"hold_time under 3 keepalives", BASE BGP("  keepalive = 30;\n  hold_time = 89; #!\n"),
	 "bgp.hold_time",
	 "hold_time 89 is less than 3 x keepalive 30 (hold_time >= 3 x keepalive)"},
	{"keepalive over the default hold_time", BASE BGP("  keepalive = 61; #!\n"),
	 "bgp.keepalive", "hold_time 180 (default) is less than 3 x keepalive 61"},
	{"min_hold_time 2", BASE BGP("  min_hold_time = 2; #!\n"), "bgp.min_hold_time", "3..65535"},
	{"min_hold_time above hold_time",
	 BASE BGP("  keepalive = 30;\n  hold_time = 90;\n  min_hold_time = 91; #!\n"),
	 "bgp.min_hold_time", "min_hold_time <= hold_time"},
	{"hold_time below the default min_hold_time",
	 BASE BGP("  keepalive = 3;\n  hold_time = 9; #!\n"), "bgp.hold_time",
	 "min_hold_time 10 (default) is above hold_time 9"},
	{"bfd not a group", BASE BGP("  bfd = 300; #!\n"), "bgp.bfd", "expected a group"},
	{"unknown key in bfd", BASE BGP("  bfd = { interval_ms = 300;\n    echo = true; }; #!\n"),
	 "bgp.bfd.echo", "allowed in bgp.bfd: interval_ms, multiplier"},
	{"bfd interval 49 ms", BASE BGP("  bfd = { interval_ms = 49; }; #!\n"),
	 "bgp.bfd.interval_ms", "50..10000"},
	{"bfd interval 10001 ms", BASE BGP("  bfd = { interval_ms = 10001; }; #!\n"),
	 "bgp.bfd.interval_ms", "50..10000"},
	{"bfd multiplier 1", BASE BGP("  bfd = { multiplier = 1; }; #!\n"), "bgp.bfd.multiplier",
	 "2..255"},
	{"bfd multiplier 256", BASE BGP("  bfd = { multiplier = 256; }; #!\n"),
	 "bgp.bfd.multiplier", "2..255"},
	{"maintenance_prepend 0", BASE BGP("  maintenance_prepend = 0; #!\n"),
	 "bgp.maintenance_prepend", "1..10"},
	{"maintenance_prepend 11", BASE BGP("  maintenance_prepend = 11; #!\n"),
	 "bgp.maintenance_prepend", "1..10"},
	{"host_rate_pps 0", BASE BGP("  host_rate_pps = 0; #!\n"), "bgp.host_rate_pps",
	 "1..1000000"},
	{"host_rate_pps too high", BASE BGP("  host_rate_pps = 1000001; #!\n"), "bgp.host_rate_pps",
	 "1..1000000"},
	{"host_burst 0", BASE BGP("  host_burst = 0; #!\n"), "bgp.host_burst", "1..100000"},
	{"host_burst too high", BASE BGP("  host_burst = 100001; #!\n"), "bgp.host_burst",
	 "1..100000"},
	{"relative frr_path", BASE BGP("  frr_path = \"usr/lib/frr\"; #!\n"), "bgp.frr_path",
	 "an absolute path"},
	{"frr_path not a string", BASE BGP("  frr_path = 5; #!\n"), "bgp.frr_path",
	 "expected a string"},
	{"relative state_dir", BASE BGP("  state_dir = \"run/frr\"; #!\n"), "bgp.state_dir",
	 "an absolute path"},
	{"fpm_port 0", BASE BGP("  fpm_port = 0; #!\n"), "bgp.fpm_port", "1..65535"},
	{"fpm_port 65536", BASE BGP("  fpm_port = 65536; #!\n"), "bgp.fpm_port", "1..65535"},
	{"peering namespace too long",
	 BASE BGP(
		 "  enabled = true;\n  namespace_prefix = "
		 "\"p1234567890123456789012345678901234567890\";\n") "circuits = (\n  { name = "
								     "\"circuit-with-a-long-name\";"
								     " #!\n" QF("100",
										"1G") "    "
										      "peerings = "
										      "( { type = "
										      "\"private\";"
										      " c_tag = "
										      "10; vrf = "
										      "\"a\"; ipv4 "
										      "= "
										      "\"10.0.0.0/"
										      "29\"; "
										      "peer_asn = "
										      "65001; } ); "
										      "}\n);\n",
	 "circuits[0].name",
	 "namespace 'p1234567890123456789012345678901234567890-circuit-with-a-long-name-private' "
	 "of "
	 "peering 'circuit-with-a-long-name/private' is too long"},
	{"premium not a boolean",
	 BASE "circuits = (\n" CIRC("c1", QF("100", "1G") "    premium = \"yes\"; #!\n",
				    "10.0.0.0/29") "\n);\n",
	 "circuits[0].premium", "expected a boolean"},
	{"empty md5_key", PEER_Q(CTAG V4 ASN "    md5_key = \"\"; #!\n"),
	 "circuits[0].peerings[0].md5_key", "1 to 80 printable"},
	{"md5_key with a space", PEER_Q(CTAG V4 ASN "    md5_key = \"two words\"; #!\n"),
	 "circuits[0].peerings[0].md5_key", "character 4 is 0x20"},
	{"md5_key with a control character", PEER_Q(CTAG V4 ASN "    md5_key = \"a\\tb\"; #!\n"),
	 "circuits[0].peerings[0].md5_key", "no spaces or control characters"},
	{"md5_key of 81 characters",
	 PEER_Q(CTAG V4 ASN "    md5_key = \"123456789012345678901234567890123456789012345678901234"
			    "567890123456789012345678901\"; #!\n"),
	 "circuits[0].peerings[0].md5_key", "key of 81 characters"},
	{"md5_key not a string", PEER_Q(CTAG V4 ASN "    md5_key = 1234; #!\n"),
	 "circuits[0].peerings[0].md5_key", "expected a string"},
	{"advertise on a private peering",
	 PEER_Q(CTAG V4 ASN "    advertise = [ \"203.0.113.0/24\" ]; #!\n"),
	 "circuits[0].peerings[0].advertise", "advertise is for Microsoft peerings"},
	{"advertise not a list", PEER_MS("    advertise = \"203.0.113.0/24\"; #!\n"),
	 "circuits[0].peerings[0].advertise", "expected a list"},
	{"advertise: not a prefix",
	 PEER_MS("    advertise = [ \"203.0.113.0/24\",\n      \"203.0.113.0\" ]; #!\n"),
	 "circuits[0].peerings[0].advertise[1]", "IPv4 or IPv6 prefix"},
	{"advertise: host bits", PEER_MS("    advertise = [ \"2001:db8:5::1/48\" ]; #!\n"),
	 "circuits[0].peerings[0].advertise[0]", "did you mean 2001:db8:5::/48?"},
	{"advertise: twice the same prefix",
	 PEER_MS("    advertise = [ \"203.0.113.0/24\", \"2001:db8:5::/48\",\n"
		 "      \"203.0.113.0/24\" ]; #!\n"),
	 "circuits[0].peerings[0].advertise[2]", "the same prefix as advertise[0]"},
	{"community without colon", PEER_MS("    communities = [ \"12076\" ]; #!\n"),
	 "circuits[0].peerings[0].communities[0]", "\"A:B\" with A and B in 0..65535"},
	{"community above 16 bits",
	 PEER_MS("    communities = [ \"12076:51004\",\n      \"65536:1\" ]; #!\n"),
	 "circuits[0].peerings[0].communities[1]", "'65536:1' is not a community"},
	{"community value above 16 bits", PEER_MS("    communities = [ \"1:65536\" ]; #!\n"),
	 "circuits[0].peerings[0].communities[0]", "is not a community"},
	{"community with a sign", PEER_MS("    communities = [ \"12076:-1\" ]; #!\n"),
	 "circuits[0].peerings[0].communities[0]", "is not a community"},
	{"community with trailing text", PEER_MS("    communities = [ \"1:2x\" ]; #!\n"),
	 "circuits[0].peerings[0].communities[0]", "is not a community"},
	{"community not a string", PEER_MS("    communities = [ 12076 ]; #!\n"),
	 "circuits[0].peerings[0].communities[0]", "expected a string"},
	{"17 communities",
	 PEER_MS("    communities = [ \"1:1\", \"1:2\", \"1:3\", \"1:4\", \"1:5\", \"1:6\", "
		 "\"1:7\", \"1:8\", \"1:9\", \"1:10\", \"1:11\", \"1:12\", \"1:13\", \"1:14\", "
		 "\"1:15\", \"1:16\", \"1:17\" ]; #!\n"),
	 "circuits[0].peerings[0].communities", "at most 16 communities"},
	/* routes */
	{"route to a peering in another VRF",
	 QINQ PORTS
	 "vrfs = ( { name = \"a\"; }, { name = \"b\"; routes = (\n"
	 "  { prefix = \"10.9.0.0/16\";\n    peering = \"c1/private\"; } ); } ); #!\n" C1,
	 "vrfs[1].routes[0].peering", "must be in the route's VRF"},
	{"route to a gateway in another VRF",
	 QINQ PORTS "vrfs = ( { name = \"a\"; }, { name = \"b\"; routes = (\n"
		    "  { prefix = \"10.9.0.0/16\";\n    gateway = \"g1\"; } ); } ); #!\n"
		    "gateways = (\n" GW2("g1", "a", "10") "\n);\n",
	 "vrfs[1].routes[0].gateway", "gateway 'g1' is in VRF 'a', not in 'b'"},
	{"route to an unknown peering",
	 QINQ PORTS
	 "vrfs = ( { name = \"a\"; routes = (\n"
	 "  { prefix = \"10.9.0.0/16\";\n    peering = \"c9/private\"; } ); } ); #!\n" C1,
	 "vrfs[0].routes[0].peering", "no peering named 'c9/private'"},
	{"route with two targets",
	 QINQ PORTS "vrfs = ( { name = \"a\"; routes = (\n"
		    "  { prefix = \"10.9.0.0/16\"; peering = \"c1/private\";\n    "
		    "blackhole = true; } ); } ); #!\n" C1,
	 "vrfs[0].routes[0]", "exactly one of peering, gateway, blackhole = true"},
	{"route without target",
	 QINQ PORTS "vrfs = ( { name = \"a\"; routes = (\n"
		    "  { prefix = \"10.9.0.0/16\"; } ); } ); #!\n",
	 "vrfs[0].routes[0]", "no target"},
	{"route with blackhole = false only",
	 QINQ PORTS "vrfs = ( { name = \"a\"; routes = (\n"
		    "  { prefix = \"10.9.0.0/16\";\n    blackhole = false; } ); } ); #!\n",
	 "vrfs[0].routes[0]", "exactly one of"},
	{"route prefix with host bits",
	 QINQ PORTS "vrfs = ( { name = \"a\"; routes = (\n"
		    "  { prefix = \"fd00::1/64\"; #!\n    blackhole = true; } ); } );\n",
	 "vrfs[0].routes[0].prefix", "did you mean fd00::/64?"},
	{"route prefix not a prefix",
	 QINQ PORTS "vrfs = ( { name = \"a\"; routes = (\n"
		    "  { prefix = \"10.9.0.0\"; #!\n    blackhole = true; } ); } );\n",
	 "vrfs[0].routes[0].prefix", "IPv4 or IPv6 prefix"},
	{"duplicate route prefix",
	 QINQ PORTS
	 "vrfs = ( { name = \"a\"; routes = (\n"
	 "  { prefix = \"10.9.0.0/16\"; blackhole = true; },\n"
	 "  { prefix = \"10.9.0.0/16\"; #!\n    peering = \"c1/private\"; } ); } );\n" C1,
	 "vrfs[0].routes[1].prefix",
	 "already routed in VRF 'a' by vrfs[0].routes[0].prefix at line 9"},
	{"gateway prefix repeats a route",
	 QINQ PORTS
	 "vrfs = ( { name = \"a\"; routes = (\n"
	 "  { prefix = \"fd00:1::/48\"; blackhole = true; } ); } );\n"
	 "gateways = (\n  { name = \"g1\"; vrf = \"a\";\n    prefixes = [ "
	 "\"10.1.0.0/16\",\n"
	 "      \"fd00:1::/48\" ]; #!\n    instances = (\n" INST(
		 "02:00:00:00:00:01", "10") ",\n" INST("02:00:00:00:00:02", "10") "); }\n);\n",
	 "gateways[0].prefixes[1]", "a prefix appears once per VRF"},
	{"IPv4 capacity exceeded",
	 QINQ PORTS "vrfs = ( { name = \"a\"; ipv4_routes = 2; routes = (\n"
		    "  { prefix = \"10.9.0.0/16\"; blackhole = true; },\n"
		    "  { prefix = \"fd00::/16\"; blackhole = true; },\n"
		    "  { prefix = \"10.8.0.0/16\"; blackhole = true; } ); } );\n"
		    "gateways = (\n  { name = \"g1\"; vrf = \"a\";\n    prefixes = [ "
		    "\"10.1.0.0/16\" ]; #!\n"
		    "    instances = (\n" INST("02:00:00:00:00:01", "10") ",\n" INST(
			    "02:00:00:00:00:02", "10") "); }\n);\n",
	 "gateways[0].prefixes[0]", "would hold 3 IPv4 routes, its capacity ipv4_routes = 2"},
	{"IPv6 capacity exceeded",
	 QINQ PORTS "vrfs = ( { name = \"a\"; ipv6_routes = 1; routes = (\n"
		    "  { prefix = \"fd00::/16\"; blackhole = true; },\n"
		    "  { prefix = \"fd01::/16\"; #!\n    blackhole = true; } ); } );\n",
	 "vrfs[0].routes[1].prefix", "must fit its capacity"},
};

/* Line of the "#!" marker: 1-based. */
static int marked_line(const char *text)
{
	const char *m = strstr(text, "#!");
	int line = 1;

	for (const char *p = text; m != NULL && p < m; p++)
		line += *p == '\n';
	return m != NULL ? line : -1;
}

static void check_bad(const struct bad_case *bc)
{
	struct erdp_config *cfg = NULL;
	struct erdp_err err;
	char want[256];
	int rc = erdp_config_load_string(bc->text, "t.conf", &cfg, &err);

	CHECK_MSG(rc < 0 && cfg == NULL, "%s: loaded", bc->name);
	if (getenv("ERDP_TEST_VERBOSE") != NULL) /* to review the wording of every message */
		printf("%-40s %s\n", bc->name, err.msg);
	if (rc >= 0) {
		erdp_config_free(cfg);
		return;
	}
	if (bc->path != NULL)
		snprintf(want, sizeof(want), "t.conf:%d: %s: ", marked_line(bc->text), bc->path);
	else
		snprintf(want, sizeof(want), "t.conf:%d: ", marked_line(bc->text));
	CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "%s: want '%s...', got '%s'", bc->name,
		  want, err.msg);
	CHECK_MSG(strstr(err.msg, bc->keyword) != NULL, "%s: want '%s' in '%s'", bc->name,
		  bc->keyword, err.msg);
	CHECK_MSG(err.code == EINVAL, "%s: code %d", bc->name, err.code);
}

static void test_bad_configs(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(&bad_cases[i]);
}

/* ---- configs that must load ---- */

static struct erdp_config *load_ok(const char *name, const char *text)
{
	struct erdp_config *cfg = NULL;
	struct erdp_err err;
	int rc = erdp_config_load_string(text, name, &cfg, &err);

	CHECK_MSG(rc == 0 && cfg != NULL, "%s: %s", name, err.msg);
	return rc == 0 ? cfg : NULL;
}

static void test_allowed_repeats(void)
{
	struct erdp_config *cfg;

	/* C-tags repeat across circuits; subnets repeat across VRFs. */
	cfg = load_ok(
		"c-tag across circuits",
		BASE "circuits = (\n" CIRC(
			"c1", QF("100", "1G"),
			"10.0.0.0/29") ",\n"
				       "  { name = \"c2\"; s_tag = 101; bandwidth = \"1G\";\n"
				       "    peerings = ( { type = \"private\"; c_tag = 10; vrf = "
				       "\"b\"; "
				       "ipv4 = \"10.0.0.0/29\"; peer_asn = 65001; } ); }\n);\n");
	erdp_config_free(cfg);
	/* Gateways of one VRF may share a (port, VLAN). */
	cfg = load_ok("(port, vlan) in one VRF", BASE
		      "gateways = (\n" GW2("g1", "a", "10") ",\n" GW2("g2", "a", "10") "\n);\n");
	erdp_config_free(cfg);
	/* The same prefix in two VRFs. */
	cfg = load_ok("prefix in two VRFs", QINQ PORTS
		      "vrfs = ( { name = \"a\"; routes = ( { prefix = \"10.0.0.0/8\"; "
		      "blackhole = true; } ); },\n { name = \"b\"; routes = ( { prefix = "
		      "\"10.0.0.0/8\"; blackhole = true; } ); } );\n");
	erdp_config_free(cfg);
	/* A 4-byte ASN above 2^31 keeps its value (libconfig 1.5 would wrap it). */
	cfg = load_ok("4-byte ASN", PEER_Q(CTAG V4 "    peer_asn = 4200000000;\n"));
	CHECK(cfg != NULL && cfg->peerings[0].peer_asn == 4200000000u);
	erdp_config_free(cfg);
	cfg = load_ok("max ASN", PEER_Q(CTAG V4 "    peer_asn = 0xFFFFFFFF;\n"));
	CHECK(cfg != NULL && cfg->peerings[0].peer_asn == 4294967295u);
	erdp_config_free(cfg);
	/* A lab port that takes frames for any destination MAC. */
	cfg = load_ok("promiscuous port",
		      QINQ PORTS_WITH("  { name = \"gw1\"; device = \"net_null3\"; role = "
				      "\"gateway\"; promiscuous = true; }") VRFS);
	CHECK(cfg != NULL && cfg->ports[3].promiscuous && !cfg->ports[0].promiscuous);
	erdp_config_free(cfg);
}

/* Every field of a bgp group as expected. */
static void check_bgp(const struct erdp_bgp_conf *got, const struct erdp_bgp_conf *want)
{
	CHECK_EQ(got->enabled, want->enabled);
	CHECK_MSG(strcmp(got->namespace_prefix, want->namespace_prefix) == 0, "%s",
		  got->namespace_prefix);
	CHECK_EQ(got->keepalive, want->keepalive);
	CHECK_EQ(got->hold_time, want->hold_time);
	CHECK_EQ(got->min_hold_time, want->min_hold_time);
	CHECK_EQ(got->bfd_interval_ms, want->bfd_interval_ms);
	CHECK_EQ(got->bfd_multiplier, want->bfd_multiplier);
	CHECK_EQ(got->maintenance_prepend, want->maintenance_prepend);
	CHECK_EQ(got->host_rate_pps, want->host_rate_pps);
	CHECK_EQ(got->host_burst, want->host_burst);
	CHECK_MSG(strcmp(got->frr_path, want->frr_path) == 0, "%s", got->frr_path);
	CHECK_MSG(strcmp(got->state_dir, want->state_dir) == 0, "%s", got->state_dir);
	CHECK_EQ(got->fpm_port, want->fpm_port);
}

static void test_defaults(void)
{
	struct erdp_config *cfg = load_ok(
		"defaults",
		BASE "circuits = (\n" CIRC(
			"c1", QF("100", "1G"),
			"10.0.0.0/29") "\n);\n"
				       "gateways = (\n" GW(
					       "g1", "a",
					       "      { port = \"gw0\"; mac = "
					       "\"02:00:00:00:00:01\"; },\n"
					       "      { port = \"gw0\"; mac = "
					       "\"02:00:00:00:00:02\"; up = false; }") "\n);\n");

	if (cfg == NULL)
		return;
	CHECK(strcmp(cfg->eal.lcores, "0-1") == 0);
	CHECK_EQ(cfg->eal.memory_mb, 0);
	CHECK(strcmp(cfg->eal.file_prefix, "erdp") == 0);
	CHECK(cfg->eal.huge);
	CHECK_EQ(cfg->eal.n_args, 0);
	CHECK_EQ(cfg->dp.burst, 32);
	CHECK_EQ(cfg->dp.mbufs, 16383);
	CHECK_EQ(cfg->dp.rx_desc, 1024);
	CHECK_EQ(cfg->dp.tx_desc, 1024);
	CHECK_EQ(cfg->dp.stats_interval_ms, 1000);
	CHECK_EQ(cfg->pair.n_outer_tpids, 1);
	CHECK_EQ(cfg->pair.outer_tpids[0], 0x8100);
	CHECK_EQ(cfg->pair.egress_tpid, 0x8100);
	CHECK_EQ(cfg->pair.oversubscription, 2);
	CHECK_EQ(cfg->pair.primary_port, 0);
	CHECK_EQ(cfg->pair.secondary_port, 1);
	CHECK_EQ(cfg->ports[0].rx_queues, 1);
	CHECK_EQ(cfg->ports[0].mtu, 1500);
	CHECK(!cfg->ports[0].has_mac);
	CHECK(!cfg->ports[0].promiscuous);
	CHECK_EQ(cfg->vrfs[0].ipv4_routes, 4096);
	CHECK_EQ(cfg->vrfs[0].ipv6_routes, 1024);
	CHECK(!cfg->circuits[0].rate_limit);
	CHECK_EQ(cfg->circuits[0].peering[ERDP_PEERING_MICROSOFT], -1);
	CHECK(!cfg->peerings[0].has_v6);
	CHECK(!cfg->peerings[0].has_customer_mac[0] && !cfg->peerings[0].has_customer_mac[1]);
	CHECK_EQ(cfg->gateways[0].inst[0].vlan, 0);
	CHECK(cfg->gateways[0].inst[0].up);
	CHECK(!cfg->gateways[0].inst[1].up);
	CHECK(cfg->gateways[0].inst[0].zone[0] == '\0');
	CHECK(!cfg->circuits[0].premium);
	CHECK(cfg->peerings[0].md5_key[0] == '\0');
	CHECK_EQ(cfg->peerings[0].n_advertise, 0);
	CHECK(cfg->peerings[0].advertise == NULL);
	CHECK_EQ(cfg->peerings[0].n_communities, 0);
	/* bgp: off, Azure's timers, the instance's namespace prefix */
	check_bgp(&cfg->bgp, &(struct erdp_bgp_conf){.namespace_prefix = "erdp",
						     .keepalive = 60,
						     .hold_time = 180,
						     .min_hold_time = 10,
						     .bfd_interval_ms = 300,
						     .bfd_multiplier = 3,
						     .maintenance_prepend = 3,
						     .host_rate_pps = 2000,
						     .host_burst = 500,
						     .frr_path = "/usr/lib/frr",
						     .state_dir = "/run/erdp/frr",
						     .fpm_port = 2620});
	erdp_config_free(cfg);

	/* A bgp group that sets only `enabled` keeps every default (fpm_port was read as 0). */
	cfg = load_ok("bgp enabled, defaults", BASE C1 "bgp = { enabled = true; };\n");
	if (cfg != NULL) {
		CHECK(cfg->bgp.enabled);
		CHECK_EQ(cfg->bgp.fpm_port, 2620);
		CHECK_EQ(cfg->bgp.hold_time, 180);
		CHECK_EQ(cfg->bgp.host_rate_pps, 2000);
	}
	erdp_config_free(cfg);

	/* The namespace prefix follows eal.file_prefix unless given. */
	cfg = load_ok("namespace prefix from the file prefix",
		      "eal = { file_prefix = \"lab7\"; };\n" BASE C1);
	if (cfg != NULL) {
		char ns[64];

		CHECK(strcmp(cfg->bgp.namespace_prefix, "lab7") == 0);
		CHECK_EQ(erdp_peering_namespace(cfg, 0, ns, sizeof(ns)), 0);
		CHECK(strcmp(ns, "lab7-c1-private") == 0);
		CHECK_EQ(erdp_peering_namespace(cfg, 0, ns, 15), -ENAMETOOLONG);
	}
	erdp_config_free(cfg);

	/* egress_tpid defaults to the first accepted TPID, not to 0x8100. */
	cfg = load_ok("egress default",
		      "port_pair = { encapsulation = \"qinq\"; speed = \"10G\"; outer_tpids = "
		      "( 0x88a8, 0x8100 ); };\n" PORTS);
	CHECK(cfg != NULL && cfg->pair.egress_tpid == 0x88a8 && cfg->pair.n_outer_tpids == 2);
	erdp_config_free(cfg);
}

/* Every BGP key given: the values land in the model. */
static void test_bgp(void)
{
	struct erdp_config *cfg =
		load_ok("bgp", BASE BGP("  enabled = true;\n  namespace_prefix = \"lab\";\n  "
					"keepalive = 20;\n"
					"  hold_time = 60;\n  min_hold_time = 6;\n"
					"  bfd = { interval_ms = 50; multiplier = 255; };\n"
					"  maintenance_prepend = 10;\n  host_rate_pps = "
					"1000000;\n"
					"  host_burst = 1;\n  frr_path = \"/opt/frr/sbin\";\n"
					"  state_dir = \"/var/lib/erdp\";\n  fpm_port = "
					"65535;\n") "circuits = ( { name = \"c1\"; s_tag = 100; "
						    "bandwidth = \"1G\"; premium = true;\n"
						    "  peerings = (\n"
						    "    { type = \"private\"; c_tag = 10; vrf "
						    "= \"a\"; ipv4 = \"10.0.0.0/29\";\n"
						    "      peer_asn = 65001; md5_key = "
						    "\"s3cret!#\"; },\n"
						    "    { type = \"microsoft\"; c_tag = 11; "
						    "vrf = \"b\"; ipv4 = \"10.0.0.8/29\";\n"
						    "      peer_asn = 65001; advertise = [ "
						    "\"203.0.113.0/24\", \"2001:db8:5::/48\" "
						    "];\n"
						    "      communities = [ \"12076:51004\", "
						    "\"0:0\", \"65535:65535\" ]; } ); } );\n");

	if (cfg == NULL)
		return;
	check_bgp(&cfg->bgp, &(struct erdp_bgp_conf){.enabled = true,
						     .namespace_prefix = "lab",
						     .keepalive = 20,
						     .hold_time = 60,
						     .min_hold_time = 6,
						     .bfd_interval_ms = 50,
						     .bfd_multiplier = 255,
						     .maintenance_prepend = 10,
						     .host_rate_pps = 1000000,
						     .host_burst = 1,
						     .frr_path = "/opt/frr/sbin",
						     .state_dir = "/var/lib/erdp",
						     .fpm_port = 65535});
	CHECK(cfg->circuits[0].premium);
	CHECK(strcmp(cfg->peerings[0].md5_key, "s3cret!#") == 0);
	CHECK_EQ(cfg->peerings[0].n_advertise, 0);
	CHECK(cfg->peerings[1].md5_key[0] == '\0');
	CHECK_EQ(cfg->peerings[1].n_advertise, 2);
	if (cfg->peerings[1].n_advertise == 2) {
		const struct erdp_route_prefix *a = cfg->peerings[1].advertise;

		CHECK(!a[0].v6 && a[0].p4.addr == 0xcb007100 && a[0].p4.len == 24);
		CHECK(a[1].v6 && a[1].p6.len == 48 && a[1].p6.addr[5] == 5);
	}
	CHECK_EQ(cfg->peerings[1].n_communities, 3);
	CHECK_EQ(cfg->peerings[1].communities[0], (12076u << 16) | 51004u);
	CHECK_EQ(cfg->peerings[1].communities[1], 0);
	CHECK_EQ(cfg->peerings[1].communities[2], 0xffffffffu);
	erdp_config_free(cfg);

	/* Long names are fine while bgp is off: no namespace is made. */
	cfg = load_ok("long circuit name without bgp",
		      BASE "circuits = (\n" CIRC("c123456789012345678901234567890123456789012345"
						 "678901234567890",
						 QF("100", "1G"), "10.0.0.0/29") "\n);\n");
	erdp_config_free(cfg);
	/* hold_time = 3 x keepalive exactly, min_hold_time = hold_time */
	cfg = load_ok("timer edges", BASE BGP("  keepalive = 21845;\n  hold_time = 65535;\n"
					      "  min_hold_time = 65535;\n"));
	CHECK(cfg != NULL && cfg->bgp.hold_time == 65535 && cfg->bgp.min_hold_time == 65535);
	erdp_config_free(cfg);
}

/* 200 advertised prefixes load; 201 do not. */
static void test_advertise_limit(void)
{
	for (int n = ERDP_MAX_ADVERTISE; n <= ERDP_MAX_ADVERTISE + 1; n++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct erdp_config *cfg = NULL;
		struct erdp_err err;
		int rc;

		fprintf(f, BASE "circuits = ( { name = \"c1\"; s_tag = 100; bandwidth = \"1G\";\n"
				"  peerings = ( { type = \"microsoft\"; vrf = \"a\";\n" CTAG V4 ASN
				"    advertise = [ #!\n");
		for (int i = 0; i < n; i++)
			fprintf(f, "%s\"10.%d.%d.0/24\"", i ? ", " : "", i / 256, i % 256);
		fprintf(f, " ]; } ); } );\n");
		fclose(f);
		rc = erdp_config_load_string(buf, "t.conf", &cfg, &err);
		if (n == ERDP_MAX_ADVERTISE) {
			CHECK_MSG(rc == 0 && cfg->peerings[0].n_advertise == n, "%s", err.msg);
			if (rc == 0)
				CHECK_EQ(cfg->peerings[0].advertise[199].p4.addr, 0x0a00c700u);
		} else {
			char want[128];

			snprintf(want, sizeof(want),
				 "t.conf:%d: circuits[0].peerings[0].advertise: 201 prefixes given "
				 "(at most 200",
				 marked_line(buf));
			CHECK(rc < 0);
			CHECK_MSG(strstr(err.msg, want) != NULL, "%s", err.msg);
		}
		erdp_config_free(cfg);
		free(buf);
	}
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void check_demo(const struct erdp_config *cfg)
{
	int cp = erdp_config_peering_by_name(cfg, "contoso/private");
	int cm = erdp_config_peering_by_name(cfg, "contoso/microsoft");
	uint8_t a6[16], w6[16];

	CHECK_EQ(cfg->pair.encap, ERDP_ENCAP_QINQ);
	CHECK_EQ(cfg->pair.speed_gbps, 10);
	CHECK_EQ(cfg->pair.n_outer_tpids, 2);
	CHECK_EQ(cfg->pair.outer_tpids[1], 0x88a8);
	CHECK_EQ(cfg->n_ports, 3);
	CHECK_EQ(cfg->n_circuits, 3);
	CHECK_EQ(cfg->n_peerings, 4);
	CHECK_EQ(cfg->n_vrfs, 4);
	CHECK_EQ(cfg->n_gateways, 4);
	CHECK_EQ(cfg->n_routes, 6 + 5);
	CHECK_EQ(cfg->eal.memory_mb, 256);
	CHECK_EQ(cfg->eal.n_args, 1);
	CHECK_EQ(erdp_config_port_by_name(cfg, "gw0"), 2);
	CHECK_EQ(cfg->ports[2].role, ERDP_ROLE_GATEWAY);
	CHECK(cfg->ports[0].has_mac && cfg->ports[0].mac.b[5] == 0x01);
	CHECK(cp >= 0 && cm >= 0);
	if (cp < 0 || cm < 0)
		return;
	CHECK_EQ(cfg->peerings[cp].vlan, 200);
	CHECK_EQ(erdp_p4_customer(&cfg->peerings[cp].v4[0]), ip4("192.168.100.129"));
	CHECK_EQ(erdp_p4_msee(&cfg->peerings[cp].v4[0]), ip4("192.168.100.130"));
	CHECK_EQ(erdp_p4_customer(&cfg->peerings[cp].v4[1]), ip4("192.168.100.133"));
	CHECK_EQ(erdp_p4_msee(&cfg->peerings[cp].v4[1]), ip4("192.168.100.134"));
	CHECK(cfg->peerings[cp].has_v6 && cfg->peerings[cp].v6[1].len == 126);
	erdp_p6_msee(&cfg->peerings[cp].v6[1], a6);
	inet_pton(AF_INET6, "2001:db8:100::6", w6);
	CHECK(memcmp(a6, w6, 16) == 0);
	CHECK_EQ(cfg->peerings[cm].v4[1].addr, ip4("198.51.100.4"));
	CHECK(!cfg->bgp.enabled && cfg->bgp.host_rate_pps == 2000);
	CHECK(strcmp(cfg->peerings[cm].md5_key, "contoso-ms") == 0);
	CHECK(cfg->peerings[cm].n_advertise == 1 && cfg->peerings[cm].advertise[0].p4.len == 16);
	CHECK(cfg->peerings[cm].n_communities == 2 &&
	      cfg->peerings[cm].communities[1] == ((12076u << 16) | 5100u));
	CHECK(cfg->peerings[cm].has_customer_mac[1]);
	CHECK_EQ(cfg->circuits[cfg->peerings[cm].circuit].s_tag, 100);
	CHECK_EQ(cfg->gateways[erdp_config_gateway_by_name(cfg, "gw-fabrikam")].n_instances, 3);
	CHECK(cfg->circuits[2].rate_limit && cfg->circuits[2].bandwidth_mbps == 2000);
}

static void test_shipped(int argc, char **argv)
{
	CHECK_MSG(argc >= 4, "usage: test_config ERDP_CONF QINQ_LAB DOT1Q");
	for (int i = 1; i < argc; i++) {
		struct erdp_config *cfg = NULL;
		struct erdp_err err;
		int rc = erdp_config_load(argv[i], &cfg, &err);

		CHECK_MSG(rc == 0, "%s", err.msg);
		if (rc != 0)
			continue;
		if (i == 1)
			check_demo(cfg);
		if (i == 2)
			CHECK(cfg->pair.egress_tpid == 0x88a8 && cfg->pair.speed_gbps == 100);
		if (i == 3)
			CHECK(cfg->pair.encap == ERDP_ENCAP_DOT1Q && cfg->circuits[0].s_tag == 0);
		erdp_config_free(cfg);
	}
}

static void test_missing_file(void)
{
	struct erdp_config *cfg = (struct erdp_config *)&cfg;
	struct erdp_err err;
	int rc = erdp_config_load("/nonexistent/erdp.conf", &cfg, &err);

	CHECK(rc == -ENOENT && cfg == NULL);
	CHECK_MSG(strstr(err.msg, "/nonexistent/erdp.conf") != NULL &&
			  strstr(err.msg, "No such file") != NULL,
		  "%s", err.msg);
}

/* ---- scale: 1,000 circuits x 2 peerings ---- */

static char *scale_config(int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "port_pair = { encapsulation = \"qinq\"; speed = \"10G\"; "
		   "oversubscription = 100; };\n" PORTS "vrfs = (\n  { name = \"msft\"; }");
	for (int i = 0; i < n; i++)
		fprintf(f,
			",\n  { name = \"v%d\"; routes = ( { prefix = \"172.%d.%d.0/24\"; "
			"peering = \"c%d/private\"; } ); }",
			i, 16 + i / 256, i % 256, i);
	fprintf(f, "\n);\ncircuits = (\n");
	for (int i = 0; i < n; i++)
		fprintf(f,
			"%s  { name = \"c%d\"; s_tag = %d; bandwidth = \"1G\"; peerings = (\n"
			"    { type = \"private\"; c_tag = 10; vrf = \"v%d\"; ipv4 = "
			"\"10.%d.%d.0/29\"; "
			"peer_asn = 65001; },\n"
			"    { type = \"microsoft\"; c_tag = 20; vrf = \"msft\"; ipv4 = "
			"\"100.64.%d.%d/29\"; "
			"ipv6 = \"2001:db8:%x::/125\"; peer_asn = %d; } ); }",
			i > 0 ? ",\n" : "", i, i + 1, i, i / 256, i % 256, i / 32, (i % 32) * 8, i,
			64512 + i);
	fprintf(f, "\n);\ngateways = (\n");
	for (int i = 0; i < 100; i++)
		fprintf(f,
			"%s  { name = \"g%d\"; vrf = \"v%d\"; prefixes = [ \"192.168.%d.0/24\" ]; "
			"instances = ( { port = \"gw0\"; mac = \"02:00:00:00:00:01\"; vlan = %d; },"
			" { port = \"gw1\"; mac = \"02:00:00:00:00:02\"; vlan = %d; } ); }",
			i > 0 ? ",\n" : "", i, i, i, i + 1, i + 1);
	fprintf(f, "\n);\n");
	fclose(f);
	return buf;
}

static void test_scale(void)
{
	char *text = scale_config(1000);
	struct erdp_config *cfg = NULL;
	struct erdp_err err;
	struct timespec t0, t1;
	double ms;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = erdp_config_load_string(text, "scale.conf", &cfg, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("1000 circuits x 2 peerings: loaded in %.1f ms\n", ms);
	CHECK_MSG(rc == 0, "%s", err.msg);
	CHECK_MSG(ms < 5000, "took %.1f ms", ms); /* catches a quadratic blow-up */
	if (rc == 0) {
		CHECK_EQ(cfg->n_circuits, 1000);
		CHECK_EQ(cfg->n_peerings, 2000);
		CHECK_EQ(cfg->n_vrfs, 1001);
		CHECK_EQ(cfg->n_routes, 1100);
		CHECK_EQ(erdp_config_peering_by_name(cfg, "c999/microsoft"), 1999);
	}
	erdp_config_free(cfg);
	free(text);
}

/* Limits on list lengths, checked on generated configs. */
static void test_limits(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct erdp_config *cfg = NULL;
	struct erdp_err err;

	fprintf(f, QINQ "ports = ( #!\n" PORT_P ",\n" PORT_G);
	for (int i = 0; i < ERDP_MAX_PORTS - 1; i++)
		fprintf(f, ",\n  { name = \"x%d\"; device = \"net_null%d\"; role = \"gateway\"; }",
			i, 10 + i);
	fprintf(f, "\n);\n");
	fclose(f);
	CHECK(erdp_config_load_string(buf, "t.conf", &cfg, &err) < 0);
	CHECK_MSG(strstr(err.msg, "t.conf:2: ports: 17 ports given (at most 16 ports)") != NULL,
		  "%s", err.msg);
	free(buf);

	f = open_memstream(&buf, &len);
	fprintf(f, BASE "gateways = ( { name = \"g\"; vrf = \"a\"; instances = ( #!\n");
	for (int i = 0; i <= ERDP_MAX_GW_INSTANCES; i++)
		fprintf(f, "%s  { port = \"gw0\"; mac = \"02:00:00:00:00:%02x\"; }", i ? ",\n" : "",
			i + 1);
	fprintf(f, "\n); } );\n");
	fclose(f);
	CHECK(erdp_config_load_string(buf, "t.conf", &cfg, &err) < 0);
	CHECK_MSG(strstr(err.msg, "t.conf:9: gateways[0].instances: 17 instances given") != NULL,
		  "%s", err.msg);
	free(buf);
}

/* ---- helpers ---- */

static void test_helpers(void)
{
	struct erdp_prefix4 p4;
	struct erdp_prefix6 p6;
	struct erdp_mac m;
	uint8_t a[16];

	CHECK(erdp_parse_prefix4("10.1.0.0/16", &p4) == 0 && p4.addr == 0x0a010000 && p4.len == 16);
	CHECK(erdp_parse_prefix4("0.0.0.0/0", &p4) == 0 && p4.len == 0);
	CHECK(erdp_parse_prefix4("10.1.0.1/16", &p4) == -EINVAL);
	CHECK(erdp_parse_prefix4("10.1.0.0/33", &p4) == -EINVAL);
	CHECK(erdp_parse_prefix4("10.1.0.0", &p4) == -EINVAL);
	CHECK(erdp_parse_prefix4("10.1.0.0/", &p4) == -EINVAL);
	CHECK(erdp_parse_prefix4("10.1.0.0/1a", &p4) == -EINVAL);
	CHECK(erdp_parse_prefix6("fd00::/8", &p6) == 0 && p6.addr[0] == 0xfd && p6.len == 8);
	CHECK(erdp_parse_prefix6("fd00::1/127", &p6) == -EINVAL);
	CHECK(erdp_parse_prefix6("fd00::/129", &p6) == -EINVAL);
	CHECK(erdp_parse_prefix6("10.0.0.0/8", &p6) == -EINVAL);
	CHECK(erdp_parse_prefix6("2001:db8::fc/126", &p6) == 0);
	erdp_p6_customer(&p6, a);
	CHECK(a[15] == 0xfd && a[14] == 0);
	CHECK(erdp_parse_mac("02:Ab:cD:00:00:ff", &m) == 0 && m.b[1] == 0xab && m.b[5] == 0xff);
	CHECK(erdp_parse_mac("02:ab:cd:00:00", &m) == -EINVAL);
	CHECK(erdp_parse_mac("02:ab:cd:00:00:0g", &m) == -EINVAL);
	CHECK(erdp_parse_mac("02-ab-cd-00-00-01", &m) == -EINVAL);
	CHECK(strcmp(erdp_role_str(ERDP_ROLE_SECONDARY), "secondary") == 0);
	CHECK(strcmp(erdp_peering_type_str(ERDP_PEERING_MICROSOFT), "microsoft") == 0);
	CHECK(strcmp(erdp_encap_str(ERDP_ENCAP_DOT1Q), "dot1q") == 0);
	erdp_config_free(NULL);
}

static void test_lookups(void)
{
	struct erdp_config *cfg = load_ok("lookups", BASE C1);

	if (cfg == NULL)
		return;
	CHECK_EQ(erdp_config_port_by_name(cfg, "gw1"), 3);
	CHECK_EQ(erdp_config_port_by_name(cfg, "nope"), -1);
	CHECK_EQ(erdp_config_vrf_by_name(cfg, "b"), 1);
	CHECK_EQ(erdp_config_vrf_by_name(cfg, "c"), -1);
	CHECK_EQ(erdp_config_gateway_by_name(cfg, "g"), -1);
	CHECK_EQ(erdp_config_peering_by_name(cfg, "c1/private"), 0);
	CHECK_EQ(erdp_config_peering_by_name(cfg, "c1/microsoft"), -1);
	CHECK(strcmp(cfg->peerings[0].name, "c1/private") == 0);
	erdp_config_free(cfg);
}

int main(int argc, char **argv)
{
	test_shipped(argc, argv);
	test_missing_file();
	test_bad_configs();
	test_allowed_repeats();
	test_defaults();
	test_bgp();
	test_advertise_limit();
	test_lookups();
	test_limits();
	test_helpers();
	test_scale();
	TEST_MAIN_END();
}
