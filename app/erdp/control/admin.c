/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin states from the control plane: a port (every next hop that uses
 * it) or one peering link (that peering's next hops). A rebuild that runs
 * out of memory puts the old state back everywhere.
 */
#include <stdio.h>

#include "control.h"
#include "dp.h"
#include "nexthop/nexthop.h"

enum erdp_ack_status erdp_ctrl_link(struct erdp_dp *dp, const struct erdp_msg_link *l, char *detail)
{
	const struct erdp_config *cfg = dp->cfg;
	bool up = l->up != 0;

	if (l->target == ERDP_LINK_TARGET_PORT) {
		bool was;

		if (l->index >= cfg->n_ports)
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no port %u",
						l->index);
		was = dp->port[l->index].admin_up;
		dp->port[l->index].admin_up = up;
		if (erdp_port_republish(dp, l->index) != 0) {
			dp->port[l->index].admin_up = was;
			erdp_port_republish(dp, l->index);
			return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "out of memory");
		}
		return ERDP_ACK_OK;
	}
	if (l->index >= erdp_plink_count((unsigned int)cfg->n_peerings))
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_UNKNOWN_NH, "no peering link %u",
					l->index);

	uint8_t was = dp->plink_admin_up[l->index];

	dp->plink_admin_up[l->index] = up;
	if (erdp_nh_republish_peering(dp, erdp_plink_peering(l->index)) != 0) {
		/* Some next hops may carry the new state: put the old one back everywhere. */
		dp->plink_admin_up[l->index] = was;
		erdp_nh_republish_peering(dp, erdp_plink_peering(l->index));
		return ERDP_CTRL_REJECT(detail, ERDP_ACK_INTERNAL, "out of memory");
	}
	return ERDP_ACK_OK;
}
