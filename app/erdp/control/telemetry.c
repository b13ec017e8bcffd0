/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /erdp/ctl: the control channel seen from the data plane, for operators
 * and tests: liveness of both sides, what was applied and rejected (by
 * status), and the route table the replay works on. Runs on the
 * telemetry thread: it reads copies the main lcore keeps (relaxed loads),
 * never the segment or the route table, which the main lcore frees at exit.
 *
 * /erdp/routes/digest[,START] and /erdp/routes,VRF,FAMILY[,START]: the
 * route table for `erdpctl verify`, asked of the main lcore (dump.c):
 *
 *   digest: {total, start, next?, vrfs: {"<index>": {vrf, ipv4_routes,
 *            ipv4_digest, ipv4_fib, ipv6_routes, ipv6_digest, ipv6_fib}}}
 *            digests as 16 hex digits (a u64 does not survive every JSON
 *            parser), *_fib the FIB's own count without connected routes;
 *   routes:  {vrf, family, start, next?, routes: ["PREFIX TARGET[ fib!]"]}
 *            TARGET is gateway#N, peering#N or blackhole (erdp-cp's
 *            references); "fib!" marks a route the FIB does not hold with
 *            that next hop. START is an opaque table position.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <rte_telemetry.h>

#include "control.h"
#include "dp.h"
#include "telemetry/telemetry.h"

#define DUMP_TIMEOUT_MS 2000 /* the main lcore answers within a poll; this means it is gone */

static uint64_t rd(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int tel_ctl(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct erdp_ctrl *c = &erdp_ctrl;
	char seg[96];
	uint64_t rejected = 0;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	snprintf(seg, sizeof(seg), "/dev/shm/erdp-%.63s.ctl", c->instance);
	rte_tel_data_add_dict_string(d, "segment", seg);
	rte_tel_data_add_dict_int(d, "enabled", c->boot_id != 0);
	rte_tel_data_add_dict_u64(d, "dp_boot_id", c->boot_id);
	rte_tel_data_add_dict_u64(d, "dp_heartbeat", rd(&c->dp_beat));
	rte_tel_data_add_dict_u64(d, "cp_boot_id", rd(&c->cp_boot_id));
	rte_tel_data_add_dict_u64(d, "cp_heartbeat", rd(&c->cp_beat));
	rte_tel_data_add_dict_u64(d, "applied", rd(&c->applied));
	for (int s = ERDP_ACK_OK + 1; s < ERDP_ACK_STATUS_MAX; s++)
		rejected += rd(&c->rejected[s]);
	rte_tel_data_add_dict_u64(d, "rejected", rejected);
	for (int s = ERDP_ACK_OK + 1; s < ERDP_ACK_STATUS_MAX; s++) {
		char key[48];

		snprintf(key, sizeof(key), "rejected_%s", erdp_ack_status_str((uint8_t)s));
		rte_tel_data_add_dict_u64(d, key, rd(&c->rejected[s]));
	}
	rte_tel_data_add_dict_u64(d, "batches", rd(&c->batches));
	rte_tel_data_add_dict_u64(d, "slices", rd(&c->slices));
	rte_tel_data_add_dict_u64(d, "swept", rd(&c->swept));
	rte_tel_data_add_dict_u64(d, "sweep_slices", rd(&c->sweep_slices));
	rte_tel_data_add_dict_int(d, "syncing", __atomic_load_n(&c->syncing, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "routes", rd(&c->n_routes));
	return 0;
}

static int dump_error(struct rte_tel_data *d, int rc)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "%s",
		 rc == -ETIMEDOUT ? "erdp's main lcore did not answer (stopping?)"
		 : rc == -ENODEV  ? "the control channel is disabled"
				  : "bad arguments: VRF,4|6[,START]");
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

/*
 * Ask the main lcore for a page (rc: the request's parse result). NULL when
 * there is nothing to list: *rc is then the command's return and d holds
 * the error reply, if any. Else the page and *list, an empty container.
 */
static struct erdp_ctrl_dump_page *ask(const struct erdp_ctrl_dump_req *rq, int *rc,
				       struct rte_tel_data *d, struct rte_tel_data **list)
{
	struct erdp_ctrl_dump_page *pg = malloc(sizeof(*pg));

	if (pg == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	if (*rc == 0)
		*rc = erdp_ctrl_dump_ask(rq, pg, DUMP_TIMEOUT_MS);
	if (*rc == 0)
		*rc = pg->err;
	if (*rc == 0 && (*list = rte_tel_data_alloc()) != NULL)
		return pg;
	free(pg);
	*rc = *rc != 0 ? dump_error(d, *rc) : -ENOMEM;
	return NULL;
}

/* The paging fields and the list under `key`; frees the page. */
static int page_end(struct rte_tel_data *d, const struct erdp_ctrl_dump_req *rq,
		    struct erdp_ctrl_dump_page *pg, const char *key, struct rte_tel_data *list)
{
	rte_tel_data_add_dict_u64(d, "start", rq->start);
	if (pg->next != UINT32_MAX)
		rte_tel_data_add_dict_u64(d, "next", pg->next);
	rte_tel_data_add_dict_container(d, key, list, 0);
	free(pg);
	return 0;
}

static int tel_digest(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const char *const fam[2] = {"ipv4", "ipv6"};
	struct erdp_ctrl_dump_req rq = {.kind = ERDP_CTRL_DUMP_DIGEST};
	struct erdp_ctrl_dump_page *pg;
	struct rte_tel_data *list;
	int rc = 0;

	(void)cmd;
	rq.start = params != NULL ? (uint32_t)strtoul(params, NULL, 10) : 0;
	pg = ask(&rq, &rc, d, &list);
	if (pg == NULL)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_dict(list);
	for (uint32_t i = 0; i < pg->n; i++) {
		struct rte_tel_data *e = rte_tel_data_alloc();
		uint32_t v = rq.start + i;
		char key[16], hex[24];

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "vrf", erdp.cfg->vrfs[v].name);
		for (int f = 0; f < 2; f++) {
			snprintf(key, sizeof(key), "%s_routes", fam[f]);
			rte_tel_data_add_dict_u64(e, key, pg->u.vrf[i].dig[f].count);
			snprintf(key, sizeof(key), "%s_digest", fam[f]);
			snprintf(hex, sizeof(hex), "%016llx",
				 (unsigned long long)pg->u.vrf[i].dig[f].sum);
			rte_tel_data_add_dict_string(e, key, hex);
			snprintf(key, sizeof(key), "%s_fib", fam[f]);
			rte_tel_data_add_dict_u64(e, key, pg->u.vrf[i].fib[f]);
		}
		snprintf(key, sizeof(key), "%u", v);
		rte_tel_data_add_dict_container(list, key, e, 0);
	}
	rte_tel_data_add_dict_u64(d, "total", pg->total);
	return page_end(d, &rq, pg, "vrfs", list);
}

static void route_text(const struct erdp_ctrl_dump_route *r, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN], t[32];
	uint32_t i = ERDP_NH_REF_INDEX(r->ref);

	inet_ntop(r->key.family == 6 ? AF_INET6 : AF_INET, r->key.addr, a, sizeof(a));
	if (ERDP_NH_REF_KIND(r->ref) == ERDP_NH_REF_GATEWAY(0))
		snprintf(t, sizeof(t), "gateway#%u", i);
	else if (ERDP_NH_REF_KIND(r->ref) == ERDP_NH_REF_PEERING(0))
		snprintf(t, sizeof(t), "peering#%u", i);
	else
		snprintf(t, sizeof(t), "blackhole");
	snprintf(buf, n, "%s/%u %s%s", a, r->key.len, t, r->fib_ok ? "" : " fib!");
}

/* params "VRF,FAMILY[,START]"; VRF by name (names may hold '-' and '.', never ','). */
static int parse_route_params(const char *params, struct erdp_ctrl_dump_req *rq)
{
	char name[ERDP_NAME_LEN], *end;
	const char *comma = params != NULL ? strchr(params, ',') : NULL;
	int v;

	if (comma == NULL || (size_t)(comma - params) >= sizeof(name))
		return -EINVAL;
	memcpy(name, params, (size_t)(comma - params));
	name[comma - params] = '\0';
	v = erdp_config_vrf_by_name(erdp.cfg, name);
	rq->family = (uint8_t)strtoul(comma + 1, &end, 10);
	rq->start = *end == ',' ? (uint32_t)strtoul(end + 1, NULL, 10) : 0;
	if (v < 0 || (rq->family != 4 && rq->family != 6) || (*end != ',' && *end != '\0'))
		return -EINVAL;
	rq->vrf = (uint16_t)v;
	return 0;
}

static int tel_routes(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct erdp_ctrl_dump_req rq = {.kind = ERDP_CTRL_DUMP_ROUTE_PAGE};
	struct erdp_ctrl_dump_page *pg;
	struct rte_tel_data *list;
	int rc;

	(void)cmd;
	rc = parse_route_params(params, &rq);
	pg = ask(&rq, &rc, d, &list);
	if (pg == NULL)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_array(list, RTE_TEL_STRING_VAL);
	for (uint32_t i = 0; i < pg->n; i++) {
		char line[RTE_TEL_MAX_STRING_LEN];

		route_text(&pg->u.route[i], line, sizeof(line));
		rte_tel_data_add_array_string(list, line);
	}
	rte_tel_data_add_dict_string(d, "vrf", erdp.cfg->vrfs[rq.vrf].name);
	rte_tel_data_add_dict_u64(d, "family", rq.family);
	return page_end(d, &rq, pg, "routes", list);
}

void erdp_ctrl_telemetry_init(void)
{
	/* Through the telemetry gate, like every /erdp/ command: closed before teardown. */
	erdp_telemetry_register("/erdp/routes/digest", tel_digest,
				"Route table digests per VRF and family (erdpctl verify). "
				"Parameters: [START]");
	erdp_telemetry_register("/erdp/routes", tel_routes,
				"One page of a VRF's routes with their FIB check. "
				"Parameters: VRF,4|6[,START]");
	erdp_telemetry_register("/erdp/ctl", tel_ctl,
				"Control channel: liveness, messages applied and rejected by "
				"status, routes held");
}
