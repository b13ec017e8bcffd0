/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * erdp's policed objects: both links and both directions of every peering
 * of a circuit follow the circuit's bandwidth and rate_limit flag.
 */
#include <errno.h>

#include "erdp_policer.h"
#include "erdp_counters.h" /* erdp_plink() */

#define KBPS_PER_MBPS 1000u

int erdp_policer_set_circuit(struct erdp_policer *p, const struct erdp_config *cfg, int circuit,
			     uint32_t bandwidth_mbps, bool enabled, uint64_t now,
			     struct erdp_err *err)
{
	uint64_t kbps = (uint64_t)bandwidth_mbps * KBPS_PER_MBPS;
	const struct erdp_circuit_conf *ci;

	if (circuit < 0 || circuit >= cfg->n_circuits)
		return erdp_errf(err, EINVAL,
				 "rate limit: circuit index %d out of range (%d circuits)", circuit,
				 cfg->n_circuits);
	ci = &cfg->circuits[circuit];
	if (erdp_policer_n_objects(cfg) > p->n_objects)
		return erdp_errf(err, EINVAL,
				 "rate limit: circuit '%s': the policer has %u objects, the config "
				 "needs %u",
				 ci->name, p->n_objects, erdp_policer_n_objects(cfg));
	/* Checked before any object changes, so that a refusal leaves the circuit as it was. */
	if (enabled && (kbps < ERDP_POLICER_MIN_KBPS || kbps > ERDP_POLICER_MAX_KBPS))
		return erdp_errf(err, EINVAL,
				 "rate limit: circuit '%s': bandwidth %u Mbps is outside what the "
				 "policer enforces (%llu..%llu Mbps)",
				 ci->name, bandwidth_mbps, ERDP_POLICER_MIN_KBPS / KBPS_PER_MBPS,
				 ERDP_POLICER_MAX_KBPS / KBPS_PER_MBPS);
	for (int t = 0; t < ERDP_PEERINGS_PER_CIRCUIT; t++) {
		if (ci->peering[t] < 0)
			continue;
		for (uint32_t link = 0; link < ERDP_LINKS; link++)
			for (uint32_t d = 0; d < ERDP_POLICER_DIRS; d++) {
				uint32_t plink = erdp_plink((unsigned int)ci->peering[t], link);
				int rc = erdp_policer_set(p, erdp_policer_obj(plink, d), kbps,
							  enabled, now, err);

				if (rc < 0)
					return rc;
			}
	}
	return 0;
}

int erdp_policer_load_config(struct erdp_policer *p, const struct erdp_config *cfg, uint64_t now,
			     struct erdp_err *err)
{
	for (int c = 0; c < cfg->n_circuits; c++) {
		int rc = erdp_policer_set_circuit(p, cfg, c, cfg->circuits[c].bandwidth_mbps,
						  cfg->circuits[c].rate_limit, now, err);

		if (rc < 0)
			return rc;
	}
	return 0;
}
