/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp: the data plane process (DPDK primary).
 *
 * Start-up order: parse the command line, load and validate the config
 * (no DPDK yet, so --check-config needs no hugepages), build the EAL
 * arguments from the config plus pass-through arguments, then ports,
 * routes, workers. The main lcore does housekeeping: the exception path,
 * periodic counters, the stop conditions. SIGINT/SIGTERM stop cleanly and
 * print the final counters.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_version.h>

#include "control/control.h"
#include "dp.h"
#include "nexthop/nexthop.h"
#include "setup/setup.h"
#include "slowpath/slowpath.h"
#include "telemetry/telemetry.h"

struct opts {
	const char *config;
	const char *check;
	const char *stats_json;
	double duration_s;
	long idle_ms;
	long stats_ms; /* -1: from config */
	bool quiet;
	int n_eal;
	char **eal; /* pass-through, after "--" */
};

static void usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    erdp - ExpressRoute Direct port-pair emulator, DPDK data plane\n"
		"\n"
		"SYNOPSIS\n"
		"    erdp [-c FILE] [--duration SEC] [--exit-when-idle MS] [--stats-json FILE]\n"
		"         [--stats-interval MS] [--quiet] [-- EAL-ARGS...]\n"
		"    erdp --check-config FILE\n"
		"    erdp --help | --version\n"
		"\n"
		"DESCRIPTION\n"
		"    Forwards between the two links of an emulated ExpressRoute Direct port\n"
		"    pair (QinQ or Dot1Q) and gateway ports. Frames from the customer are\n"
		"    classified by S-tag/C-tag (or VLAN) to a circuit peering, routed in the\n"
		"    peering's VRF and sent to a gateway instance chosen per flow; traffic back\n"
		"    from the gateways is routed in the same VRF and sent to the customer with\n"
		"    the circuit's tags. Every frame not forwarded is counted by reason.\n"
		"\n"
		"OPTIONS\n"
		"    -c, --config FILE      libconfig file (default: config/erdp.conf). Its\n"
		"                           comments document every key.\n"
		"    --check-config FILE    validate FILE and exit: 0 and 'FILE: OK', or 1 and\n"
		"                           'FILE:LINE: field: problem (rule)'. Starts no DPDK.\n"
		"    --duration SEC         stop after SEC seconds (default: run until signal).\n"
		"    --exit-when-idle MS    stop once no frame has arrived on any port for MS\n"
		"                           milliseconds (for pcap replays).\n"
		"    --stats-json FILE      write the final counters to FILE as JSON.\n"
		"    --stats-interval MS    print per-circuit counters every MS ms (0: never;\n"
		"                           default: dataplane.stats_interval_ms).\n"
		"    -q, --quiet            no periodic counters, no final table.\n"
		"    -h, --help             this text.  -V, --version  versions.\n"
		"    -- EAL-ARGS            passed to DPDK's EAL after the arguments built from\n"
		"                           the config; they win (e.g. -- --file-prefix lab2).\n"
		"\n"
		"COUNTERS\n"
		"    Per port, circuit, peering and link: rx/tx packets and bytes, and drops by\n"
		"    reason. Read them live with DPDK telemetry:\n"
		"      dpdk-telemetry.py -f <file-prefix>   then  /erdp/ports, /erdp/circuits,\n"
		"      /erdp/peerings, /erdp/links, /erdp/neighbors (paged: add ,START),\n"
		"      /erdp/drops, /erdp/workers, /erdp/ctl, /erdp/host (bgp.enabled: the\n"
		"      taps), /erdp/circuit,<name>, /erdp/peering,<c/type>, /erdp/port,<name>.\n"
		"      Or, with erdp-cp running: erdpctl show ..., and\n"
		"      Prometheus metrics on http://127.0.0.1:9111/metrics.\n"
		"\n"
		"CAPTURE\n"
		"    dpdk-dumpcap (or dpdk-pdump) captures any port while erdp forwards, as\n"
		"    received and as sent, with a libpcap filter, into pcapng. It is a DPDK\n"
		"    secondary process: erdp must run on hugepages (eal.huge = true, no\n"
		"    --no-huge) and dumpcap gets erdp's file prefix and the DPDK device name:\n"
		"      dpdk-dumpcap --file-prefix <file-prefix> -D     (list the ports)\n"
		"      dpdk-dumpcap --file-prefix <file-prefix> -i net_pcap0 -f 'vlan 100' \\\n"
		"                   -c 1000 -w circuit-100.pcapng\n"
		"    No capture running costs nothing. See README, Capture.\n"
		"\n"
		"EXCEPTION PATH (bgp.enabled)\n"
		"    Per peering a network namespace <prefix>-<circuit>-<type> with a tap per\n"
		"    link (primary, secondary: the MSEE addresses, NOARP). What erdp does not\n"
		"    answer itself for an MSEE address goes there (policed per link); what the\n"
		"    host sends there leaves on that link. Needs root. docs/exception-path.md.\n"
		"\n"
		"SIGNALS\n"
		"    SIGINT, SIGTERM: stop the workers, print final counters, close the ports.\n"
		"\n"
		"EXIT STATUS\n"
		"    0 on a clean stop; 1 on a configuration or start-up error (message on\n"
		"    stderr names the file, line and field, or the port and the DPDK error).\n"
		"\n"
		"EXAMPLES\n"
		"    erdp --check-config config/erdp.conf\n"
		"    erdp -c config/erdp.conf --duration 10\n"
		"    erdp -c lab.conf -- --file-prefix lab -m 1024\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", required_argument, NULL, 'k'},
		{"duration", required_argument, NULL, 'd'},
		{"exit-when-idle", required_argument, NULL, 'i'},
		{"stats-json", required_argument, NULL, 'j'},
		{"stats-interval", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->config = "config/erdp.conf";
	o->stats_ms = -1;
	while ((c = getopt_long(argc, argv, "c:qhV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			o->check = optarg;
			break;
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end != '\0' || o->duration_s < 0) {
				fprintf(stderr,
					"erdp: --duration: '%s' is not a number of seconds\n",
					optarg);
				return -1;
			}
			break;
		case 'i':
		case 's':
			errno = 0;
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v < 0 || errno != 0) {
				fprintf(stderr,
					"erdp: --%s: '%s' is not a number of milliseconds\n",
					c == 'i' ? "exit-when-idle" : "stats-interval", optarg);
				return -1;
			}
			if (c == 'i')
				o->idle_ms = v;
			else
				o->stats_ms = v;
			break;
		case 'j':
			o->stats_json = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("erdp 0.1.0 (%s)\n", rte_version());
			exit(0);
		default:
			fprintf(stderr, "erdp: try 'erdp --help'\n");
			return -1;
		}
	}
	o->n_eal = argc - optind;
	o->eal = argv + optind;
	return 0;
}

static bool is_pci(const char *dev)
{
	unsigned int a, b, c, d;

	return sscanf(dev, "%x:%x:%x.%x", &a, &b, &c, &d) == 4 ||
	       sscanf(dev, "%x:%x.%x", &b, &c, &d) == 3;
}

/* Does the pass-through part of the command line set one of these EAL options? */
static bool eal_given(const struct opts *o, const char *const *names)
{
	for (int i = 0; i < o->n_eal; i++)
		for (const char *const *n = names; *n != NULL; n++) {
			size_t len = strlen(*n);

			/* "-l 0-1", "-l0-1", "--lcores=0-1" */
			if (strncmp(o->eal[i], *n, len) == 0 &&
			    (o->eal[i][len] == '\0' || o->eal[i][len] == '=' || (*n)[1] != '-'))
				return true;
		}
	return false;
}

/*
 * EAL argv from the config, then pass-through arguments. EAL keeps the first
 * lcore list it is given and refuses -m with --socket-mem, so where the
 * pass-through arguments set those, the config's are left out: they win.
 * The config's lcores go as --lcores, which takes plain lists ("0-1") and
 * the lcore@cpu forms ("0@0,1@2").
 */
static int build_eal_args(const struct erdp_config *cfg, const struct opts *o, char **argv, int max)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", NULL};
	static const char *const mem_opts[] = {"-m", "--socket-mem", "--socket-limit", NULL};
	static char mem[16];
	int n = 0;
	bool any_pci = false;

#define PUSH(s)                                                                                    \
	do {                                                                                       \
		if (n >= max - 1)                                                                  \
			return -1;                                                                 \
		argv[n++] = (char *)(s);                                                           \
	} while (0)
	PUSH("erdp");
	if (!eal_given(o, lcore_opts)) {
		PUSH("--lcores");
		PUSH(cfg->eal.lcores);
	}
	PUSH("--file-prefix");
	PUSH(cfg->eal.file_prefix);
	if (cfg->eal.memory_mb != 0 && !eal_given(o, mem_opts)) {
		snprintf(mem, sizeof(mem), "%u", cfg->eal.memory_mb);
		PUSH("-m");
		PUSH(mem);
	}
	if (!cfg->eal.huge)
		PUSH("--no-huge");
	for (int i = 0; i < cfg->n_ports; i++) {
		if (is_pci(cfg->ports[i].device)) {
			PUSH("-a");
			any_pci = true;
		} else {
			PUSH("--vdev");
		}
		PUSH(cfg->ports[i].device);
	}
	if (!any_pci)
		PUSH("--no-pci");
	for (int i = 0; i < cfg->eal.n_args; i++)
		PUSH(cfg->eal.args[i]);
	for (int i = 0; i < o->n_eal; i++)
		PUSH(o->eal[i]);
#undef PUSH
	argv[n] = NULL;
	return n;
}

/* The EAL file prefix in effect (EAL takes the last one): it names the control segment. */
static const char *eal_file_prefix(char **argv, int argc)
{
	const char *prefix = "rte";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			prefix = argv[i] + 14;
	}
	return prefix;
}

static void on_signal(int sig)
{
	(void)sig;
	erdp.quit = true;
}

static uint64_t total_rx(struct erdp_dp *dp)
{
	uint64_t n = 0;

	for (int p = 0; p < dp->cfg->n_ports; p++) {
		struct rte_eth_stats st;

		if (rte_eth_stats_get(dp->port[p].port_id, &st) == 0)
			n += st.ipackets;
	}
	return n;
}

static void run_main_loop(struct erdp_dp *dp, const struct opts *o)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), last_print = start;
	uint64_t last_rx = 0, last_change = start;
	long stats_ms = o->stats_ms >= 0 ? o->stats_ms : (long)dp->cfg->dp.stats_interval_ms;

	if (o->quiet)
		stats_ms = 0;
	while (!dp->quit) {
		uint64_t now = rte_rdtsc();
		bool busy;

		busy = erdp_slowpath_poll(dp) != 0; /* a flood at the MSEE is policed, not queued */
		erdp_link_poll(dp);
		busy |= erdp_ctrl_poll(dp) != 0;
		erdp_health_poll(dp);
		if (stats_ms > 0 && now - last_print >= hz * (uint64_t)stats_ms / 1000) {
			erdp_stats_print(dp, (double)(now - last_print) / (double)hz);
			last_print = now;
		}
		if (o->duration_s > 0 && now - start >= (uint64_t)(o->duration_s * (double)hz))
			break;
		if (o->idle_ms > 0) {
			uint64_t rx = total_rx(dp);

			if (rx != last_rx) {
				last_rx = rx;
				last_change = now;
			} else if (now - last_change >= hz * (uint64_t)o->idle_ms / 1000) {
				break;
			}
		}
		if (!busy) /* route updates and punted frames go as fast as they can */
			usleep(200);
	}
	dp->quit = true;
}

int main(int argc, char **argv)
{
	struct erdp_err err = {0};
	struct opts o;
	char *eal_argv[128];
	int eal_argc, rc;
	const char *instance;
	uint64_t run_start;
	double run_seconds;

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	if (o.check != NULL) {
		struct erdp_config *cfg;

		if (erdp_config_load(o.check, &cfg, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		printf("%s: OK (%d ports, %d circuits, %d peerings, %d VRFs, %d gateways, "
		       "%d routes)\n",
		       o.check, cfg->n_ports, cfg->n_circuits, cfg->n_peerings, cfg->n_vrfs,
		       cfg->n_gateways, cfg->n_routes);
		erdp_config_free(cfg);
		return 0;
	}
	if (erdp_config_load(o.config, &erdp.cfg, &err) != 0) {
		fprintf(stderr, "erdp: %s\n", err.msg);
		return 1;
	}
	eal_argc = build_eal_args(erdp.cfg, &o, eal_argv, (int)RTE_DIM(eal_argv));
	if (eal_argc < 0) {
		fprintf(stderr, "erdp: too many EAL arguments\n");
		return 1;
	}
	instance = eal_file_prefix(eal_argv, eal_argc); /* before EAL reorders argv */
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "erdp: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = erdp_dp_setup(&erdp, &err);
	if (rc == 0)
		rc = erdp_workers_launch(&erdp, &err);
	if (rc != 0) {
		fprintf(stderr, "erdp: %s\n", err.msg);
		erdp.quit = true;
		rte_eal_mp_wait_lcore();
		rte_eal_cleanup();
		return 1;
	}
	erdp_peer_guard_arm(&erdp);
	erdp_telemetry_init(&erdp);
	if (erdp_capture_init(&erdp) != 0)
		fprintf(stderr, "erdp: packet capture (dpdk-dumpcap) unavailable: %s\n",
			rte_strerror(rte_errno));
	if (erdp_ctrl_init(&erdp, instance, &err) != 0)
		fprintf(stderr, "erdp: control channel disabled: %s\n", err.msg);
	printf("erdp: %d ports, %d circuits, %d peerings, %d VRFs, %u workers; forwarding\n",
	       erdp.cfg->n_ports, erdp.cfg->n_circuits, erdp.cfg->n_peerings, erdp.cfg->n_vrfs,
	       erdp.n_workers);
	fflush(stdout);
	run_start = rte_rdtsc();
	run_main_loop(&erdp, &o);
	run_seconds = (double)(rte_rdtsc() - run_start) / (double)rte_get_tsc_hz();
	rte_eal_mp_wait_lcore();
	erdp_peer_guard_disarm();
	erdp_ctrl_fini(&erdp);
	erdp_slowpath_poll(&erdp);
	erdp_neigh_drop_held(&erdp);
	if (!o.quiet) {
		printf("\nfinal counters:\n");
		erdp_stats_print(&erdp, 0);
	}
	if (o.stats_json != NULL &&
	    erdp_stats_write_json(&erdp, o.stats_json, run_seconds, &err) != 0)
		fprintf(stderr, "erdp: %s\n", err.msg);
	erdp_capture_fini();
	erdp_telemetry_close(); /* telemetry handlers read what the teardown frees */
	erdp_dp_teardown(&erdp);
	erdp_config_free(erdp.cfg);
	rte_eal_cleanup();
	return 0;
}
