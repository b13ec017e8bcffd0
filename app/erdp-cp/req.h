/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the request handlers (req*.c). */
#ifndef ERDP_CP_REQ_H
#define ERDP_CP_REQ_H

#include "cp.h"

/*
 * A string argument; NULL after setting *err to an error reply naming the
 * field when it is missing or not a string.
 */
const char *req_str(json_t *req, const char *key, json_t **err);
/* An integer argument in [min, max], or def when absent and def_ok. */
int req_int(json_t *req, const char *key, long long min, long long max, long long def, bool def_ok,
	    long long *out, json_t **err);
/* "up" | "down" -> 1 | 0, else -1 and *err. */
int req_updown(json_t *req, json_t **err);
/* VRF by name, else -1 and *err listing what exists. */
int req_vrf(struct cp *cp, json_t *req, json_t **err);

#endif
