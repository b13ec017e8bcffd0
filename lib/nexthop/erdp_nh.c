/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "erdp_nh.h"

void erdp_l2_build(struct erdp_l2 *l2, const uint8_t dst[6], const uint8_t src[6], int n_tags,
		   const uint16_t *tpid, const uint16_t *vid)
{
	uint8_t *p = l2->hdr;

	memset(l2->hdr, 0, sizeof(l2->hdr));
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p += 12;
	for (int i = 0; i < n_tags; i++) {
		p[0] = (uint8_t)(tpid[i] >> 8);
		p[1] = (uint8_t)tpid[i];
		p[2] = (uint8_t)((vid[i] >> 8) & 0x0f); /* PCP 0, DEI 0 */
		p[3] = (uint8_t)vid[i];
		p += 4;
	}
	l2->len = (uint8_t)(p - l2->hdr);
}
