/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "prefix.h"
#include "rib.h"

/* Dotted quad, strictly: 4 decimal octets 0..255, 1-3 digits each. Bulk loads parse millions. */
static int parse_ip4(const char *s, size_t n, uint8_t *out)
{
	const char *end = s + n;

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (s < end && *s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -EINVAL;
		out[i] = (uint8_t)v;
		if (i < 3 && (s >= end || *s++ != '.'))
			return -EINVAL;
	}
	return s == end ? 0 : -EINVAL;
}

static int parse_ip(const char *s, size_t n, struct cp_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	if (memchr(s, ':', n) == NULL) {
		memset(p->addr, 0, sizeof(p->addr));
		p->family = 4;
		return parse_ip4(s, n, p->addr);
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(p->addr, 0, sizeof(p->addr));
	if (memchr(buf, ':', n) != NULL) {
		p->family = 6;
		return inet_pton(AF_INET6, buf, p->addr) == 1 ? 0 : -EINVAL;
	}
	p->family = 4;
	return inet_pton(AF_INET, buf, p->addr) == 1 ? 0 : -EINVAL;
}

int prefix_parse(const char *s, struct cp_prefix *p, char *why, size_t why_len)
{
	const char *slash = strchr(s, '/');
	unsigned int max;
	char *end;
	long len;
	uint8_t net[16];

	if (slash == NULL) {
		snprintf(why, why_len, "'%.60s' has no /length (write e.g. 10.0.0.0/8)", s);
		return -EINVAL;
	}
	if (parse_ip(s, (size_t)(slash - s), p) != 0) {
		snprintf(why, why_len, "'%.60s' is not an IPv4 or IPv6 prefix", s);
		return -EINVAL;
	}
	max = p->family == 6 ? 128 : 32;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 || len < 0 ||
	    len > (long)max) {
		snprintf(why, why_len, "'%.60s': prefix length must be 0..%u", s, max);
		return -EINVAL;
	}
	p->len = (uint8_t)len;
	memcpy(net, p->addr, 16);
	rib_mask(net, p->family, p->len);
	if (memcmp(net, p->addr, 16) != 0) {
		char good[CP_PREFIX_STR];

		snprintf(why, why_len, "'%.60s': host bits set (the network is %s)", s,
			 prefix_format(p->family, net, p->len, good, sizeof(good)));
		return -EINVAL;
	}
	return 0;
}

int prefix_parse_addr(const char *s, struct cp_prefix *p, char *why, size_t why_len)
{
	if (strchr(s, '/') != NULL) {
		snprintf(why, why_len, "'%.60s': give an address without /length", s);
		return -EINVAL;
	}
	if (parse_ip(s, strlen(s), p) != 0) {
		snprintf(why, why_len, "'%.60s' is not an IPv4 or IPv6 address", s);
		return -EINVAL;
	}
	p->len = p->family == 6 ? 128 : 32;
	return 0;
}

char *prefix_format(uint8_t family, const uint8_t *addr, int len, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (len < 0)
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s/%d", a, len);
	return buf;
}
