/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /erdp/ctl: the control channel seen from the data plane, for operators
 * and tests: liveness of both sides, what was applied and rejected (by
 * status), and the route table the replay works on. Runs on the
 * telemetry thread: it reads copies the main lcore keeps (relaxed loads),
 * never the segment or the route table, which the main lcore frees at exit.
 */
#include <stdio.h>

#include <rte_telemetry.h>

#include "control.h"
#include "telemetry/telemetry.h"

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
	rte_tel_data_add_dict_u64(d, "swept", rd(&c->swept));
	rte_tel_data_add_dict_int(d, "syncing", __atomic_load_n(&c->syncing, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "routes", rd(&c->n_routes));
	return 0;
}

void erdp_ctrl_telemetry_init(void)
{
	erdp_telemetry_register("/erdp/ctl", tel_ctl,
				"Control channel: liveness, messages applied and rejected by "
				"status, routes held");
}
