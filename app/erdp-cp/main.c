/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp-cp: the control plane of erdp. No DPDK EAL: it shares the config
 * file with erdp and talks to it through the control segment
 * (lib/ctl/erdp_ctl.h) and, for counters, erdp's telemetry socket.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/random.h>

#include "bgp/bgp.h"
#include "cp.h"
#include "server/metrics.h"
#include "server/server.h"

static struct cp cp_g;

struct opts {
	const char *config;
	const char *instance;
	const char *socket;
	const char *group;
	const char *telemetry;
	const char *metrics; /* NULL: METRICS_LISTEN_DEFAULT */
	bool stop_frr;	     /* --bgp-on-exit stop */
	struct server_limits lim;
	const char *state;
	double dp_timeout;
};

static void usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    erdp-cp - control plane of erdp, the ExpressRoute Direct data plane\n"
		"\n"
		"SYNOPSIS\n"
		"    erdp-cp -c FILE [--instance NAME] [--socket PATH] [--socket-group GROUP]\n"
		"            [--telemetry PATH] [--state FILE|none] [--dp-timeout SEC]\n"
		"            [--max-clients N] [--idle-timeout SEC] [--load-timeout SEC]\n"
		"            [--max-load-bytes N] [--metrics ADDR:PORT|off]\n"
		"            [--bgp-on-exit keep|stop]\n"
		"    erdp-cp --help\n"
		"\n"
		"DESCRIPTION\n"
		"    Owns the routing state of one erdp instance: the routing information base\n"
		"    (RIB) of every VRF, gateway instance states, and link and port admin\n"
		"    states. It starts from the config file that erdp uses (static routes and\n"
		"    gateway prefixes) and takes changes from erdpctl(1) over a Unix socket.\n"
		"\n"
		"    Changes reach erdp through the shared-memory control segment\n"
		"    /dev/shm/erdp-INSTANCE.ctl, in order, each acknowledged by erdp; when the\n"
		"    ring is full erdp-cp waits, it never drops a change. A change erdp\n"
		"    rejects is undone in the RIB too, so the RIB holds what erdp holds\n"
		"    (erdpctl verify checks it). erdp may start before or after erdp-cp.\n"
		"    Whenever erdp-cp finds an erdp it has not synced with (its own start,\n"
		"    erdp restarted, erdp silent for --dp-timeout and back), it replays the\n"
		"    full state between SYNC_BEGIN and SYNC_END; erdp then removes routes\n"
		"    that were not replayed, and routes that did not change keep forwarding\n"
		"    throughout. If erdp-cp stops or is killed, erdp keeps forwarding with\n"
		"    the state it has.\n"
		"\n"
		"    What differs from the config (runtime routes, deleted config routes,\n"
		"    admin states) is kept in the state file, written before a change is\n"
		"    acknowledged: it survives a kill -9 of erdp-cp or of the whole host's\n"
		"    processes, and a restarted erdp-cp replays the config, then the state\n"
		"    file. Rows that no longer fit the config are set aside, not dropped\n"
		"    (erdpctl show runtime).\n"
		"\n"
		"OPTIONS\n"
		"    -c, --config FILE      erdp's libconfig file (required). Checked as\n"
		"                           strictly as erdp checks it.\n"
		"    -i, --instance NAME    the erdp instance: erdp's EAL --file-prefix.\n"
		"                           Default: eal.file_prefix of the config.\n"
		"    -s, --socket PATH      the erdpctl socket. Default /run/erdp/NAME.sock.\n"
		"                           Missing directories are created with mode 0755;\n"
		"                           the socket gets mode 0660 (owner and group may\n"
		"                           connect, and any client may change routes).\n"
		"                           A stale socket of a dead erdp-cp is replaced; a\n"
		"                           live one is an error.\n"
		"    -g, --socket-group GROUP\n"
		"                           group owner of the socket, so that its members\n"
		"                           can run erdpctl without root.\n"
		"    -t, --telemetry PATH   erdp's DPDK telemetry socket. Default\n"
		"                           /var/run/dpdk/NAME/dpdk_telemetry.v2 as root,\n"
		"                           else $XDG_RUNTIME_DIR/dpdk/NAME/... or /tmp/dpdk/...\n"
		"    --max-clients N        connections served at once (default %u, at most\n"
		"                           %u). Clients beyond wait in the socket's\n"
		"                           backlog (net.core.somaxconn) until one closes;\n"
		"                           they are never refused. erdp-cp raises its\n"
		"                           soft limit of open files (ulimit -n) to fit.\n"
		"    --idle-timeout SEC     close a connection that has no request in\n"
		"                           progress for SEC seconds (default %g; 0: never).\n"
		"                           A client waiting for its reply, e.g. for erdp\n"
		"                           to acknowledge a change, is not idle; one that\n"
		"                           does not read its replies is.\n"
		"    --load-timeout SEC     refuse a route file that gives no data for SEC\n"
		"                           seconds (default %g): a pipe that stays open.\n"
		"    --max-load-bytes N     refuse a route file larger than N bytes (K, M, G\n"
		"                           suffixes; default %llu = 1 GiB). Files\n"
		"                           read at the same time share this budget: one\n"
		"                           that pushes the total over it is refused as\n"
		"                           busy (erdpctl exits 3: retry later).\n"
		"    -S, --state FILE       the state file (SQLite, WAL mode). Default\n"
		"                           /var/lib/erdp/NAME.db; missing directories are\n"
		"                           created (0755). 'none': keep runtime changes in\n"
		"                           memory only (they die with erdp-cp). A file that\n"
		"                           cannot be read refuses the start (erdp keeps\n"
		"                           forwarding): move it away or restore a copy.\n"
		"    -T, --dp-timeout SEC   declare erdp gone after SEC seconds without its\n"
		"                           heartbeat or an ack (default 5; 0.1..3600). erdp\n"
		"                           beats every 10 ms even during long work; time\n"
		"                           erdp-cp itself was not scheduled does not count.\n"
		"    --metrics ADDR:PORT    serve OpenMetrics / Prometheus metrics on\n"
		"                           http://ADDR:PORT/metrics (default %s;\n"
		"                           PORT alone: on 127.0.0.1; [IPv6]:PORT; :PORT:\n"
		"                           every address; port 0: any free one, logged;\n"
		"                           off: none). Every counter of erdp (ports,\n"
		"                           circuits, peerings, links, drops by reason,\n"
		"                           workers, control channel) read from its\n"
		"                           telemetry at scrape time, and erdp-cp's own\n"
		"                           (routes per VRF, channel). Anyone who can\n"
		"                           connect can read them: keep it on loopback or\n"
		"                           behind a firewall. If the default address is\n"
		"                           taken, erdp-cp logs it and runs without; an\n"
		"                           address given here that cannot be served is\n"
		"                           an error.\n"
		"    --bgp-on-exit keep|stop\n"
		"                           what happens to FRR (bgp.enabled) when erdp-cp\n"
		"                           exits on a signal: keep (default) leaves the\n"
		"                           daemons running with the customer's sessions\n"
		"                           up, and the next erdp-cp adopts them; stop\n"
		"                           stops them (the sessions go down).\n"
		"    -h, --help             this text.\n"
		"\n"
		"BGP\n"
		"    With bgp.enabled, erdp-cp runs FRR (zebra, bfdd, bgpd) per peering in the\n"
		"    peering's network namespace, configured from the config, and takes the\n"
		"    routes the customer advertises from zebra's FPM stream into the RIB\n"
		"    (origin bgp); see docs/bgp.md. Needs root.\n"
		"\n"
		"SIGNALS\n"
		"    SIGTERM, SIGINT: close the socket and exit 0. erdp keeps forwarding.\n"
		"\n"
		"LOG\n"
		"    On stderr, one line per event: erdp found or lost, full syncs (messages,\n"
		"    time, rejections), every change erdp rejected and why, route loads.\n"
		"\n"
		"EXIT STATUS\n"
		"    0 after a signal; 1 on a bad option, config error or socket error (the\n"
		"    message names the file, line and field, or the path and the system\n"
		"    error).\n"
		"\n"
		"FILES\n"
		"    /dev/shm/erdp-NAME.ctl   control segment (created by erdp)\n"
		"    /var/lib/erdp/NAME.db    runtime state (--state)\n"
		"    /run/erdp/NAME.sock      erdpctl socket (protocol: docs/control-plane.md)\n"
		"\n"
		"EXAMPLES\n"
		"    erdp-cp -c /etc/erdp/erdp.conf --socket-group erdp\n"
		"    erdp-cp -c lab.conf --instance lab2 --socket /tmp/lab2.sock\n"
		"\n"
		"SEE ALSO\n"
		"    erdp(8), erdpctl(8), docs/control-plane.md\n",
		SERVER_MAX_CLIENTS_DEFAULT, SERVER_MAX_CLIENTS_MAX, SERVER_IDLE_S_DEFAULT,
		SERVER_LOAD_IDLE_S_DEFAULT, (unsigned long long)SERVER_MAX_LOAD_BYTES_DEFAULT,
		METRICS_LISTEN_DEFAULT);
}

enum {
	OPT_MAX_CLIENTS = 256,
	OPT_IDLE_TIMEOUT,
	OPT_LOAD_TIMEOUT,
	OPT_MAX_LOAD_BYTES,
	OPT_METRICS,
	OPT_BGP_ON_EXIT,
};

/* "1048576", "64K", "100M", "1G": a byte count, binary multiples. */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0 || s[0] == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end != '\0' || v == 0 || v > (UINT64_MAX >> 1) >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

#define MAX_SECONDS 1e9 /* 30 years: a bound for sanity; "never" is 0 where allowed */

/* A number of seconds >= 0 (fractions allowed). */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v <= MAX_SECONDS))
		return -1;
	*out = v;
	return 0;
}

static int limit_option(int opt, const char *arg, struct server_limits *lim)
{
	char *end;
	long n;

	switch (opt) {
	case OPT_MAX_CLIENTS:
		n = strtol(arg, &end, 10);
		if (end != arg && *end == '\0' && n >= 1 && n <= SERVER_MAX_CLIENTS_MAX) {
			lim->max_clients = (unsigned int)n;
			return 0;
		}
		fprintf(stderr, "erdp-cp: --max-clients '%s': a number 1..%u\n", arg,
			SERVER_MAX_CLIENTS_MAX);
		return -1;
	case OPT_IDLE_TIMEOUT:
	case OPT_LOAD_TIMEOUT:
		if (parse_seconds(arg, opt == OPT_IDLE_TIMEOUT ? &lim->idle_s
							       : &lim->load_idle_s) == 0 &&
		    (opt == OPT_IDLE_TIMEOUT || lim->load_idle_s > 0))
			return 0;
		fprintf(stderr, "erdp-cp: --%s '%s': a number of seconds %s\n",
			opt == OPT_IDLE_TIMEOUT ? "idle-timeout" : "load-timeout", arg,
			opt == OPT_IDLE_TIMEOUT ? ">= 0 (0: never)" : "> 0");
		return -1;
	default:
		if (parse_bytes(arg, &lim->max_load_bytes) == 0)
			return 0;
		fprintf(stderr,
			"erdp-cp: --max-load-bytes '%s': a number of bytes > 0, optionally with "
			"K, M or G (1024-based)\n",
			arg);
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"config", required_argument, NULL, 'c'},
		{"instance", required_argument, NULL, 'i'},
		{"socket", required_argument, NULL, 's'},
		{"socket-group", required_argument, NULL, 'g'},
		{"telemetry", required_argument, NULL, 't'},
		{"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
		{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
		{"load-timeout", required_argument, NULL, OPT_LOAD_TIMEOUT},
		{"max-load-bytes", required_argument, NULL, OPT_MAX_LOAD_BYTES},
		{"state", required_argument, NULL, 'S'},
		{"dp-timeout", required_argument, NULL, 'T'},
		{"metrics", required_argument, NULL, OPT_METRICS},
		{"bgp-on-exit", required_argument, NULL, OPT_BGP_ON_EXIT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->lim = (struct server_limits){.max_clients = SERVER_MAX_CLIENTS_DEFAULT,
					.idle_s = SERVER_IDLE_S_DEFAULT,
					.load_idle_s = SERVER_LOAD_IDLE_S_DEFAULT,
					.max_load_bytes = SERVER_MAX_LOAD_BYTES_DEFAULT,
					.now = cp_now};
	o->dp_timeout = CHAN_DP_TIMEOUT_S;
	while ((c = getopt_long(argc, argv, "c:i:s:g:t:S:T:h", lo, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			o->instance = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 't':
			o->telemetry = optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		case 'T':
			o->dp_timeout = strtod(optarg, &end);
			if (*end != '\0' || !(o->dp_timeout >= 0.1 && o->dp_timeout <= 3600)) {
				fprintf(stderr, "erdp-cp: --dp-timeout '%s': seconds, 0.1..3600\n",
					optarg);
				return -1;
			}
			break;
		case OPT_METRICS:
			o->metrics = optarg;
			break;
		case OPT_MAX_CLIENTS:
		case OPT_IDLE_TIMEOUT:
		case OPT_LOAD_TIMEOUT:
		case OPT_MAX_LOAD_BYTES:
			if (limit_option(c, optarg, &o->lim) != 0)
				return -1;
			break;
		case OPT_BGP_ON_EXIT:
			if (strcmp(optarg, "keep") != 0 && strcmp(optarg, "stop") != 0) {
				fprintf(stderr, "erdp-cp: --bgp-on-exit '%s': keep or stop\n",
					optarg);
				return -1;
			}
			o->stop_frr = strcmp(optarg, "stop") == 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "erdp-cp: try 'erdp-cp --help'\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "erdp-cp: unexpected argument '%s'; try 'erdp-cp --help'\n",
			argv[optind]);
		return -1;
	}
	if (o->config == NULL) {
		fprintf(stderr, "erdp-cp: -c FILE is required (erdp's config file)\n");
		return -1;
	}
	return 0;
}

static int check_instance(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= ERDP_NAME_LEN)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return -1;
	return 0;
}

/* Where EAL puts the runtime directory of a file prefix. */
static void telemetry_path(struct cp *cp, const char *override)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (override != NULL)
		snprintf(cp->tel_path, sizeof(cp->tel_path), "%s", override);
	else if (getuid() == 0 || xdg == NULL)
		snprintf(cp->tel_path, sizeof(cp->tel_path), "%s/dpdk/%s/dpdk_telemetry.v2",
			 getuid() == 0 ? "/var/run" : "/tmp", cp->instance);
	else
		snprintf(cp->tel_path, sizeof(cp->tel_path), "%s/dpdk/%s/dpdk_telemetry.v2", xdg,
			 cp->instance);
}

/*
 * The metrics endpoint: an address given with --metrics must be served (else
 * exit 1); the default one is served if it can be, else logged: several
 * erdp-cps on one host all default to the same port.
 */
static int start_metrics(struct cp *cp, const char *opt)
{
	struct erdp_err err = {0};
	struct sockaddr_storage sa;
	char why[200];
	bool off;

	if (metrics_parse_listen(opt != NULL ? opt : METRICS_LISTEN_DEFAULT, &sa, &off, why,
				 sizeof(why)) != 0) {
		fprintf(stderr, "erdp-cp: --metrics %s\n", why);
		return -1;
	}
	if (off || metrics_open(cp, &sa, &err) == 0)
		return 0;
	if (opt != NULL) {
		fprintf(stderr, "erdp-cp: --metrics %s: %s\n", opt, err.msg);
		return -1;
	}
	cp_log("%s; running without the metrics endpoint", err.msg);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	cp_g.quit = 1;
}

int main(int argc, char **argv)
{
	struct erdp_err err = {0};
	struct cp *cp = &cp_g;
	char sock[256], state[PATH_MAX];
	uint64_t durable = 0;
	struct opts o;
	struct sigaction sa = {.sa_handler = on_signal};

	if (parse_args(argc, argv, &o) != 0)
		return 1;
	if (erdp_config_load(o.config, &cp->cfg, &err) != 0) {
		fprintf(stderr, "erdp-cp: %s\n", err.msg);
		return 1;
	}
	cp->cfg_path = o.config;
	snprintf(cp->instance, sizeof(cp->instance), "%s",
		 o.instance ? o.instance : cp->cfg->eal.file_prefix);
	if (check_instance(cp->instance) != 0) {
		fprintf(stderr,
			"erdp-cp: --instance '%s': 1..%d characters of [A-Za-z0-9_.-] (erdp's "
			"--file-prefix)\n",
			cp->instance, ERDP_NAME_LEN - 1);
		return 1;
	}
	telemetry_path(cp, o.telemetry);
	if (o.socket == NULL)
		snprintf(sock, sizeof(sock), "/run/erdp/%s.sock", cp->instance);
	else
		snprintf(sock, sizeof(sock), "%s", o.socket);
	cp->waiters_tail = &cp->waiters;
	cp->chan.dp_timeout = o.dp_timeout;
	if (chan_init(&cp->chan) != 0 || state_init(&cp->state, cp->cfg, &err) != 0) {
		fprintf(stderr, "erdp-cp: %s\n", err.msg[0] ? err.msg : "out of memory");
		return 1;
	}
	if (o.state == NULL)
		snprintf(state, sizeof(state), "/var/lib/erdp/%s.db", cp->instance);
	else
		snprintf(state, sizeof(state), "%s", o.state);
	if (strcmp(state, "none") != 0 && ((cp->store = store_open(state, &err)) == NULL ||
					   store_load(cp->store, cp, &err) != 0)) {
		fprintf(stderr, "erdp-cp: %s\n", err.msg);
		store_close(cp->store);
		return 1;
	}
	while (cp->chan.boot_id == 0)
		if (getrandom(&cp->chan.boot_id, sizeof(cp->chan.boot_id), 0) < 0) {
			fprintf(stderr, "erdp-cp: getrandom: %s\n", strerror(errno));
			return 1;
		}
	if (server_open(sock, o.group, &o.lim, &err) != 0) {
		fprintf(stderr, "erdp-cp: %s\n", err.msg);
		return 1;
	}
	if (start_metrics(cp, o.metrics) != 0)
		return 1;
	/* After the socket: a second erdp-cp of this instance has stopped there. */
	if (bgp_init(cp, &err) != 0) {
		fprintf(stderr, "erdp-cp: %s\n", err.msg);
		bgp_close(cp, false);
		server_close();
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cp_log("instance '%s', config %s: %d VRFs, %d gateways, %zu routes; socket %s; state %s; "
	       "boot id %016llx",
	       cp->instance, o.config, cp->cfg->n_vrfs, cp->cfg->n_gateways,
	       rib_count(cp->state.rib), sock, store_path(cp->store),
	       (unsigned long long)cp->chan.boot_id);
	while (!cp->quit) {
		bgp_poll(cp);
		chan_poll(cp);
		store_tick(cp->store, cp_now());
		if (store_done(cp->store) != durable) {
			durable = store_done(cp->store);
			waiter_complete(cp); /* the store made changes durable */
		}
		/* Short naps while erdp, the store or FPM has work for us. */
		server_poll(cp, chan_busy(&cp->chan) || store_busy(cp->store) || bgp_busy(cp)
					? 0.2
					: 10.0);
		metrics_refresh(cp);
	}
	cp_log("stopping on signal; erdp keeps forwarding with the state it has");
	store_close(cp->store); /* everything handed over is on disk */
	cp->store = NULL;
	waiter_flush_disconnected(cp, "erdp-cp is stopping");
	metrics_close();
	bgp_close(cp, o.stop_frr);
	server_close();
	chan_close(cp);
	state_free(&cp->state);
	erdp_config_free(cp->cfg);
	return 0;
}
