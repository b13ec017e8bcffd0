/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdpctl: turns a command line into one request to erdp-cp, prints the
 * reply. Argument checks that need no state (word counts, keywords,
 * numbers) happen here; names, prefixes and targets are checked by
 * erdp-cp, which knows the config, so both give one consistent message.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "erdpctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    erdpctl - operate erdp through its control plane, erdp-cp\n"
		"\n"
		"SYNOPSIS\n"
		"    erdpctl [--socket PATH | --instance NAME] [--json] [--timeout SEC] "
		"COMMAND...\n"
		"\n"
		"COMMANDS\n"
		"    show ports               ports: role, admin and link state, counters\n"
		"    show circuits            circuits: S-tag, bandwidth, counters\n"
		"    show peerings            per peering and link: admin state, port link,\n"
		"                             subnet, customer ARP/ND entry, counters\n"
		"    show neighbors           customer ARP/ND entries (IP, MAC, state, age)\n"
		"    show gateways            gateways and their instances with admin state\n"
		"    show counters            totals and drops by reason\n"
		"    show routes VRF [--limit N] [--after PREFIX]\n"
		"                             routes of VRF in address order, N at a time\n"
		"                             (default 100, at most 100000); --after continues\n"
		"                             from the last prefix of the previous page;\n"
		"                             ORIGIN says where each comes from: config,\n"
		"                             runtime (erdpctl) or bgp (the customer)\n"
		"    show runtime [--limit N] what differs from the config (runtime routes,\n"
		"                             deleted config routes, admin states) and what\n"
		"                             the state file set aside\n"
		"    show bgp                 per peering and link: the customer's BGP\n"
		"                             sessions (state, uptime, prefixes received and\n"
		"                             advertised, limit, drops, maintenance, BFD,\n"
		"                             last error), then FRR and its FPM stream\n"
		"    show bfd                 the BFD sessions (status, intervals, diagnostics)\n"
		"    status                   erdp-cp: instance, data-plane connection, syncs\n"
		"    lookup VRF ADDRESS       longest-prefix match of ADDRESS in VRF's RIB, or\n"
		"                             the connected route (link subnet, MSEE address)\n"
		"    verify [VRF] [--full]    compare erdp-cp's RIB with erdp's routes and FIB,\n"
		"                             route by route where the digests differ (--full:\n"
		"                             everywhere); lists every difference, exit 1 then\n"
		"    runtime export [FILE]    the runtime state as a libconfig fragment to paste\n"
		"                             into the config's vrfs (stdout, or FILE)\n"
		"    route add VRF PREFIX TARGET\n"
		"                             add or replace a route; TARGET is\n"
		"                             gateway:NAME, peering:CIRCUIT/TYPE or blackhole\n"
		"    route del VRF PREFIX     delete a route\n"
		"    route load FILE          add routes in bulk, one per line:\n"
		"                               VRF PREFIX TARGET   (TARGET may also be\n"
		"                               'withdraw': delete); '#' starts a comment.\n"
		"                             All lines are checked first: one bad line\n"
		"                             rejects the file (FILE:LINE: reason). Returns\n"
		"                             once erdp has acknowledged every route.\n"
		"    gateway NAME instance N up|down\n"
		"                             admin state of instance N (from 0, as listed\n"
		"                             by show gateways)\n"
		"    link PEERING primary|secondary up|down\n"
		"                             admin state of one link of a peering\n"
		"                             (PEERING is CIRCUIT/private or CIRCUIT/microsoft)\n"
		"    port NAME up|down        admin state of a port\n"
		"    maintenance primary|secondary on|off\n"
		"                             MSEE maintenance on one link: every peering's\n"
		"                             sessions there advertise with a longer AS path\n"
		"                             (bgp.maintenance_prepend more 12076s), so the\n"
		"                             customer sends on the other link\n"
		"\n"
		"    Changes return once erdp has applied them. When erdp is not running they\n"
		"    are kept by erdp-cp and applied when erdp starts (a warning says so).\n"
		"\n"
		"OPTIONS\n"
		"    -s, --socket PATH    erdp-cp's socket (default /run/erdp/NAME.sock)\n"
		"    -i, --instance NAME  erdp instance, picks the default socket (default erdp)\n"
		"    -j, --json           print erdp-cp's JSON reply as is (one line)\n"
		"    -t, --timeout SEC    how long to wait for erdp-cp: for a place in its\n"
		"                         queue of clients and then for the reply\n"
		"                         (default 300)\n"
		"    -h, --help           this text\n"
		"\n"
		"EXIT STATUS\n"
		"    0  success\n"
		"    1  bad command line, or the request was refused (unknown VRF, gateway or\n"
		"       peering, bad prefix, host bits set, a route file with errors or over\n"
		"       erdp-cp's size limit, erdp not running for a show, rejected by erdp, "
		"verify found differences);\n"
		"       the reason is on stderr. Repeating the same command fails the same\n"
		"       way.\n"
		"    2  erdp-cp cannot be reached (not running, wrong --socket or\n"
		"       --instance, no permission), or the connection broke\n"
		"    3  erdp-cp is busy: it refused the request for load (route files being\n"
		"       read at once over its byte budget, out of memory or descriptors),\n"
		"       its queue of waiting clients stayed full, or no reply came within\n"
		"       --timeout. Nothing was wrong with the request: try again later. After\n"
		"       a timeout a change may still be carried out; check with show or\n"
		"       lookup.\n"
		"\n"
		"EXAMPLES\n"
		"    erdpctl show peerings\n"
		"    erdpctl route add contoso-private 10.50.0.0/16 gateway:gw-contoso\n"
		"    erdpctl lookup contoso-private 10.50.1.2\n"
		"    tools/gen-routes --vrf contoso-private --target gateway:gw-contoso > r.txt\n"
		"    erdpctl route load r.txt\n"
		"    erdpctl link contoso/private secondary down\n"
		"    erdpctl maintenance primary on\n"
		"    erdpctl --json show counters | jq .result.drops\n"
		"\n"
		"SEE ALSO\n"
		"    erdp-cp(8), docs/control-plane.md\n");
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "erdpctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'erdpctl --help'\n");
	return EXIT_REJECTED;
}

static bool updown(const char *s)
{
	return strcmp(s, "up") == 0 || strcmp(s, "down") == 0;
}

/* argv[0..argc) after the options -> request; fills *cmd and *fd. */
static int build(int argc, char **argv, json_t **out, const char **cmd, int *fd)
{
	json_t *r = json_object();

	*out = r;
	*fd = -1;
	if (argc == 0)
		return bad("no command%s", "");
	if (strcmp(argv[0], "status") == 0 && argc == 1) {
		*cmd = "status";
	} else if (strcmp(argv[0], "show") == 0) {
		static const char *const what[] = {"ports",    "circuits", "peerings", "neighbors",
						   "gateways", "counters", "routes",   "runtime",
						   "bgp",      "bfd",	   NULL};
		static char name[32];
		int i;

		if (argc < 2)
			return bad("show: what? (%sports, circuits, peerings, neighbors, gateways, "
				   "counters, routes VRF, bgp, bfd)",
				   "");
		for (i = 0; what[i] != NULL && strcmp(what[i], argv[1]) != 0; i++)
			;
		if (what[i] == NULL)
			return bad("show: unknown object '%s'", argv[1]);
		snprintf(name, sizeof(name), "show-%s", what[i]);
		*cmd = name;
		if (strcmp(argv[1], "runtime") == 0) {
			char *end;
			long long n;

			if (argc != 2 && (argc != 4 || strcmp(argv[2], "--limit") != 0))
				return bad("usage: show runtime [--limit N]%s", "");
			if (argc == 4) {
				n = strtoll(argv[3], &end, 10);
				if (*end != '\0' || n < 1 || n > 100000)
					return bad("--limit '%s': a number 1..100000", argv[3]);
				json_object_set_new(r, "limit", json_integer(n));
			}
		} else if (strcmp(argv[1], "routes") != 0) {
			if (argc != 2)
				return bad("show: unexpected '%s'", argv[2]);
		} else {
			if (argc < 3 || argv[2][0] == '-')
				return bad("show routes: VRF missing%s", "");
			json_object_set_new(r, "vrf", json_string(argv[2]));
			for (int k = 3; k < argc; k += 2) {
				char *end;
				long long n;

				if (k + 1 >= argc)
					return bad("show routes: '%s' needs a value", argv[k]);
				if (strcmp(argv[k], "--limit") == 0) {
					n = strtoll(argv[k + 1], &end, 10);
					if (*end != '\0' || n < 1 || n > 100000)
						return bad("--limit '%s': a number 1..100000",
							   argv[k + 1]);
					json_object_set_new(r, "limit", json_integer(n));
				} else if (strcmp(argv[k], "--after") == 0) {
					json_object_set_new(r, "after", json_string(argv[k + 1]));
				} else {
					return bad("show routes: unknown option '%s'", argv[k]);
				}
			}
		}
	} else if (strcmp(argv[0], "verify") == 0) {
		*cmd = "verify";
		for (int k = 1; k < argc; k++) {
			if (strcmp(argv[k], "--full") == 0)
				json_object_set_new(r, "full", json_true());
			else if (argv[k][0] != '-' && json_object_get(r, "vrf") == NULL)
				json_object_set_new(r, "vrf", json_string(argv[k]));
			else
				return bad("usage: verify [VRF] [--full]%s", "");
		}
	} else if (strcmp(argv[0], "runtime") == 0) {
		if (argc < 2 || strcmp(argv[1], "export") != 0 || argc > 3)
			return bad("usage: runtime export [FILE]%s", "");
		*cmd = "runtime-export";
	} else if (strcmp(argv[0], "lookup") == 0) {
		if (argc != 3)
			return bad("usage: lookup VRF ADDRESS%s", "");
		*cmd = "lookup";
		json_object_set_new(r, "vrf", json_string(argv[1]));
		json_object_set_new(r, "address", json_string(argv[2]));
	} else if (strcmp(argv[0], "route") == 0) {
		if (argc >= 2 && strcmp(argv[1], "add") == 0) {
			if (argc != 5)
				return bad("usage: route add VRF PREFIX TARGET%s", "");
			*cmd = "route-add";
			json_object_set_new(r, "vrf", json_string(argv[2]));
			json_object_set_new(r, "prefix", json_string(argv[3]));
			json_object_set_new(r, "target", json_string(argv[4]));
		} else if (argc >= 2 && strcmp(argv[1], "del") == 0) {
			if (argc != 4)
				return bad("usage: route del VRF PREFIX%s", "");
			*cmd = "route-del";
			json_object_set_new(r, "vrf", json_string(argv[2]));
			json_object_set_new(r, "prefix", json_string(argv[3]));
		} else if (argc >= 2 && strcmp(argv[1], "load") == 0) {
			if (argc != 3)
				return bad("usage: route load FILE%s", "");
			*cmd = "route-load";
			*fd = open(argv[2], O_RDONLY | O_CLOEXEC);
			if (*fd < 0) {
				fprintf(stderr, "erdpctl: route load: %s: %s\n", argv[2],
					strerror(errno));
				return EXIT_REJECTED;
			}
			json_object_set_new(r, "name", json_string(argv[2]));
		} else {
			return bad("route: expected add, del or load%s", "");
		}
	} else if (strcmp(argv[0], "gateway") == 0) {
		char *end;
		long n;

		if (argc != 5 || strcmp(argv[2], "instance") != 0 || !updown(argv[4]))
			return bad("usage: gateway NAME instance N up|down%s", "");
		n = strtol(argv[3], &end, 10);
		if (*end != '\0' || n < 0 || n > 255)
			return bad("gateway: instance '%s' is not a number", argv[3]);
		*cmd = "gateway-instance";
		json_object_set_new(r, "gateway", json_string(argv[1]));
		json_object_set_new(r, "instance", json_integer(n));
		json_object_set_new(r, "state", json_string(argv[4]));
	} else if (strcmp(argv[0], "link") == 0) {
		if (argc != 4 || !updown(argv[3]))
			return bad("usage: link PEERING primary|secondary up|down%s", "");
		*cmd = "link";
		json_object_set_new(r, "peering", json_string(argv[1]));
		json_object_set_new(r, "link", json_string(argv[2]));
		json_object_set_new(r, "state", json_string(argv[3]));
	} else if (strcmp(argv[0], "maintenance") == 0) {
		if (argc != 3 ||
		    (strcmp(argv[1], "primary") != 0 && strcmp(argv[1], "secondary") != 0) ||
		    (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0))
			return bad("usage: maintenance primary|secondary on|off%s", "");
		*cmd = "maintenance";
		json_object_set_new(r, "link", json_string(argv[1]));
		json_object_set_new(r, "state", json_string(argv[2]));
	} else if (strcmp(argv[0], "port") == 0) {
		if (argc != 3 || !updown(argv[2]))
			return bad("usage: port NAME up|down%s", "");
		*cmd = "port";
		json_object_set_new(r, "port", json_string(argv[1]));
		json_object_set_new(r, "state", json_string(argv[2]));
	} else {
		return bad("unknown command '%s'", argv[0]);
	}
	json_object_set_new(r, "cmd", json_string(*cmd));
	return 0;
}

/* The export's text to FILE (or stdout when NULL and `out`). */
static int write_export(json_t *result, const char *path, bool out)
{
	const char *text = json_string_value(json_object_get(result, "text"));
	FILE *f = path != NULL ? fopen(path, "w") : stdout;

	if (text == NULL)
		text = "";
	if (f == NULL) {
		fprintf(stderr, "erdpctl: runtime export: %s: %s\n", path, strerror(errno));
		return EXIT_REJECTED;
	}
	if (path != NULL || out)
		fputs(text, f);
	if (path != NULL && fclose(f) != 0) {
		fprintf(stderr, "erdpctl: runtime export: %s: %s\n", path, strerror(errno));
		return EXIT_REJECTED;
	}
	if (path != NULL)
		printf("%s: %" JSON_INTEGER_FORMAT " runtime routes, %" JSON_INTEGER_FORMAT
		       " deleted config routes\n",
		       path, json_integer_value(json_object_get(result, "runtime_routes")),
		       json_integer_value(json_object_get(result, "deleted_config_routes")));
	return 0;
}

static void print_list(json_t *reply, const char *key)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(reply, key), i, e)
		fprintf(stderr, "  %s\n", json_string_value(e));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"socket", required_argument, NULL, 's'},
		{"instance", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sock = NULL, *instance = "erdp", *cmd = NULL;
	char path[256];
	double timeout = 300;
	bool json = false;
	json_t *req, *reply;
	const char *code;
	int c, rc, fd;

	/* '+': options end at the command, so "show routes V --limit 5" stays intact. */
	while ((c = getopt_long(argc, argv, "+s:i:jt:h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'i':
			instance = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			if (timeout <= 0)
				return bad("--timeout '%s': a number of seconds > 0", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "erdpctl: try 'erdpctl --help'\n");
			return EXIT_REJECTED;
		}
	}
	if (sock == NULL) {
		snprintf(path, sizeof(path), "/run/erdp/%s.sock", instance);
		sock = path;
	}
	rc = build(argc - optind, argv + optind, &req, &cmd, &fd);
	if (rc != 0) {
		json_decref(req);
		return rc;
	}
	rc = client_call(sock, req, fd, timeout, &reply);
	json_decref(req);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return rc;
	if (json) {
		char *s = json_dumps(reply, JSON_COMPACT);

		printf("%s\n", s);
		free(s);
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *e = json_string_value(json_object_get(reply, "error"));

		fprintf(stderr, "erdpctl: %s\n",
			e != NULL ? e : "request failed (no reason given)");
		print_list(reply, "errors");
		print_list(reply, "rejections");
		print_list(reply, "differences");
		/* "code": "busy": refused for load, not for what was asked. */
		code = json_string_value(json_object_get(reply, "code"));
		rc = code != NULL && strcmp(code, "busy") == 0 ? EXIT_BUSY : EXIT_REJECTED;
		json_decref(reply);
		return rc;
	}
	if (strcmp(cmd, "runtime-export") == 0)
		rc = write_export(json_object_get(reply, "result"),
				  argc - optind == 3 ? argv[optind + 2] : NULL, !json);
	else if (!json)
		render(cmd, json_object_get(reply, "result"));
	json_decref(reply);
	return rc;
}
