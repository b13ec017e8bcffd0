/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route targets as operators write them, and the next-hop references of
 * the control protocol. A route may only name a gateway or peering of its
 * own VRF: the config has the same rule, and erdp looks routes up in the
 * VRF of the frame's ingress, so a cross-VRF target would be a leak.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "erdp_ctl.h"

static const char *const link_names[ERDP_LINKS] = {"primary", "secondary"};

/*
 * "peering:CIRCUIT/TYPE" (both links) or "peering:CIRCUIT/TYPE/LINK" (one
 * link: what BGP selects when only one session carries a prefix).
 */
static int peering_parse(const struct erdp_config *cfg, int vrf, const char *s, uint32_t *nh,
			 char *why, size_t why_len)
{
	const char *name = s + 8, *first = strchr(name, '/'), *link = NULL;
	char peering[ERDP_NAME_LEN * 2 + 2];
	int i, l = -1;

	if (first != NULL && (link = strchr(first + 1, '/')) != NULL) {
		for (int k = 0; k < ERDP_LINKS; k++)
			if (strcmp(link + 1, link_names[k]) == 0)
				l = k;
		if (l < 0) {
			snprintf(why, why_len,
				 "target '%.80s': link '%.20s' is not primary or secondary", s,
				 link + 1);
			return -EINVAL;
		}
	}
	snprintf(peering, sizeof(peering), "%.*s",
		 link != NULL ? (int)(link - name) : (int)strlen(name), name);
	i = erdp_config_peering_by_name(cfg, peering);
	if (i < 0) {
		snprintf(why, why_len,
			 "target '%.80s': no peering named '%.64s' (write CIRCUIT/private or "
			 "CIRCUIT/microsoft, optionally followed by /primary or /secondary)",
			 s, peering);
		return -ENOENT;
	}
	if (cfg->peerings[i].vrf != vrf) {
		snprintf(why, why_len,
			 "target '%.80s': the peering is in VRF '%s', not '%s' (a route names a "
			 "peering of its own VRF)",
			 s, cfg->vrfs[cfg->peerings[i].vrf].name, cfg->vrfs[vrf].name);
		return -EINVAL;
	}
	*nh = l < 0 ? ERDP_NH_REF_PEERING(i) : ERDP_NH_REF_PEERING_LINK(i, l);
	return 0;
}

int target_parse(const struct erdp_config *cfg, int vrf, const char *s, uint32_t *nh, char *why,
		 size_t why_len)
{
	const char *vname = cfg->vrfs[vrf].name;
	int i;

	if (strcmp(s, "blackhole") == 0) {
		*nh = ERDP_NH_REF_BLACKHOLE;
		return 0;
	}
	if (strncmp(s, "gateway:", 8) == 0) {
		i = erdp_config_gateway_by_name(cfg, s + 8);
		if (i < 0) {
			snprintf(why, why_len, "target '%.80s': no gateway named '%.64s'", s,
				 s + 8);
			return -ENOENT;
		}
		if (cfg->gateways[i].vrf != vrf) {
			snprintf(why, why_len,
				 "target '%.80s': the gateway is in VRF '%s', not '%s' (a route "
				 "names a gateway of its own VRF)",
				 s, cfg->vrfs[cfg->gateways[i].vrf].name, vname);
			return -EINVAL;
		}
		*nh = ERDP_NH_REF_GATEWAY(i);
		return 0;
	}
	if (strncmp(s, "peering:", 8) == 0)
		return peering_parse(cfg, vrf, s, nh, why, why_len);
	snprintf(why, why_len,
		 "target '%.80s' is not gateway:NAME, peering:CIRCUIT/TYPE or blackhole", s);
	return -EINVAL;
}

char *target_format(const struct erdp_config *cfg, uint32_t nh, char *buf, size_t n)
{
	uint32_t i = ERDP_NH_REF_INDEX(nh);

	if (nh == ERDP_NH_REF_BLACKHOLE)
		snprintf(buf, n, "blackhole");
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_GATEWAY(0) && i < (uint32_t)cfg->n_gateways)
		snprintf(buf, n, "gateway:%s", cfg->gateways[i].name);
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_PEERING(0) && i < (uint32_t)cfg->n_peerings)
		snprintf(buf, n, "peering:%s", cfg->peerings[i].name);
	else if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_KIND_PEERING_LINK &&
		 erdp_plink_peering(i) < (unsigned int)cfg->n_peerings)
		snprintf(buf, n, "peering:%s/%s", cfg->peerings[erdp_plink_peering(i)].name,
			 link_names[erdp_plink_link(i)]);
	else
		snprintf(buf, n, "nh:0x%08x", nh);
	return buf;
}

int target_peering(uint32_t nh)
{
	if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_PEERING(0))
		return (int)ERDP_NH_REF_INDEX(nh);
	if (ERDP_NH_REF_KIND(nh) == ERDP_NH_REF_KIND_PEERING_LINK)
		return (int)erdp_plink_peering(ERDP_NH_REF_INDEX(nh));
	return -1;
}
