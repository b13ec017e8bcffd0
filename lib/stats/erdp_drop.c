/* SPDX-License-Identifier: BSD-3-Clause */
#include "erdp_drop.h"

static const char *const drop_names[ERDP_DROP_MAX] = {
#define ERDP_DROP_NAME(sym, name) [ERDP_DROP_##sym] = name,
	ERDP_DROP_REASONS(ERDP_DROP_NAME)
#undef ERDP_DROP_NAME
};

const char *erdp_drop_name(unsigned int reason)
{
	return reason >= ERDP_DROP_FIRST && reason < ERDP_DROP_MAX ? drop_names[reason] : "?";
}
