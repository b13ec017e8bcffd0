/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text <-> prefix and address, with error text that says what is wrong
 * (for operators: "host bits set, the network is 10.1.0.0/16", not EINVAL).
 */
#ifndef ERDP_CP_PREFIX_H
#define ERDP_CP_PREFIX_H

#include <stddef.h>
#include <stdint.h>

struct cp_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes, the rest zero */
};

#define CP_PREFIX_STR 50 /* "xxxx:...:xxxx/128" and a NUL, with room */

/* "A.B.C.D/N" or "X:X::X/N", host bits zero. 0, or -EINVAL and why[]. */
int prefix_parse(const char *s, struct cp_prefix *p, char *why, size_t why_len);
/* A plain address (no /N); len becomes 32 or 128. 0, or -EINVAL and why[]. */
int prefix_parse_addr(const char *s, struct cp_prefix *p, char *why, size_t why_len);
/* "10.0.0.0/8"; buf of CP_PREFIX_STR bytes. With len < 0 the address only. */
char *prefix_format(uint8_t family, const uint8_t *addr, int len, char *buf, size_t n);

#endif
