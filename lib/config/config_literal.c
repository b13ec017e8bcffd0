/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconfig 1.5 reads a plain integer literal with atoi() and a hex literal
 * into an int: 4200000000 (a private 4-byte ASN) or 0xFFFFFFFF silently
 * become negative 32-bit values. Before parsing, every integer literal that
 * does not fit in a signed 32-bit int gets the 'L' suffix, so libconfig
 * keeps it as a 64-bit integer and range checks see the value the operator
 * wrote. Literals beyond 64 bits are refused. Strings and comments are left
 * alone, and no newline is added, so line numbers do not move.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

struct lit_scan {
	const char *p; /* read position */
	char *o;       /* write position */
	int line;
};

static void copy_char(struct lit_scan *s)
{
	if (*s->p == '\n')
		s->line++;
	*s->o++ = *s->p++;
}

static void copy_until_eol(struct lit_scan *s)
{
	while (*s->p != '\0' && *s->p != '\n')
		copy_char(s);
}

static void copy_block_comment(struct lit_scan *s)
{
	copy_char(s);
	copy_char(s);
	while (*s->p != '\0' && !(s->p[0] == '*' && s->p[1] == '/'))
		copy_char(s);
	if (*s->p != '\0') {
		copy_char(s);
		copy_char(s);
	}
}

static void copy_string(struct lit_scan *s)
{
	copy_char(s);
	while (*s->p != '\0' && *s->p != '"') {
		if (*s->p == '\\' && s->p[1] != '\0')
			copy_char(s);
		copy_char(s);
	}
	if (*s->p != '\0')
		copy_char(s);
}

static bool ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '*';
}

/* Digits after a '.' or an exponent belong to a float: copy them as they are. */
static void copy_float_tail(struct lit_scan *s)
{
	while (isdigit((unsigned char)*s->p) || *s->p == '.' || *s->p == 'e' || *s->p == 'E' ||
	       ((*s->p == '+' || *s->p == '-') && (s->p[-1] == 'e' || s->p[-1] == 'E')))
		copy_char(s);
}

static int copy_number(struct lit_scan *s, const char *file, struct erdp_err *err)
{
	bool hex = s->p[0] == '0' && (s->p[1] == 'x' || s->p[1] == 'X');
	const char *start = s->p;
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(start, &end, hex ? 16 : 10);
	if (!hex && (*end == '.' || *end == 'e' || *end == 'E')) {
		copy_float_tail(s);
		return 0;
	}
	if (errno == ERANGE || v > (unsigned long long)LLONG_MAX)
		return erdp_errf(
			err, EINVAL,
			"%s:%d: integer literal %.*s does not fit in 64 bits (integer range)", file,
			s->line, (int)(end - start), start);
	while (s->p < end)
		copy_char(s);
	if (*s->p != 'L' && v > (unsigned long long)INT_MAX)
		*s->o++ = 'L';
	return 0;
}

int cfg_widen_literals(const char *in, const char *file, char **out, struct erdp_err *err)
{
	/* Every literal that grows is at least 10 characters long: 2x is plenty. */
	struct lit_scan s = {.p = in, .line = 1};
	char *buf = malloc(strlen(in) * 2 + 2);

	if (buf == NULL)
		return erdp_errf(err, ENOMEM, "%s: out of memory reading the configuration", file);
	s.o = buf;
	while (*s.p != '\0') {
		char ch = *s.p;

		if (ch == '#' || (ch == '/' && s.p[1] == '/')) {
			copy_until_eol(&s);
		} else if (ch == '/' && s.p[1] == '*') {
			copy_block_comment(&s);
		} else if (ch == '"') {
			copy_string(&s);
		} else if (isalpha((unsigned char)ch) || ch == '*' || ch == '@') {
			/* Names such as ipv4_routes carry digits that are no literal. */
			copy_char(&s);
			while (ident_char(*s.p))
				copy_char(&s);
		} else if (ch == '.' && isdigit((unsigned char)s.p[1])) {
			copy_float_tail(&s);
		} else if (isdigit((unsigned char)ch)) {
			if (copy_number(&s, file, err) < 0) {
				free(buf);
				return -EINVAL;
			}
		} else {
			copy_char(&s);
		}
	}
	*s.o = '\0';
	*out = buf;
	return 0;
}
