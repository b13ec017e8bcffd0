/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FRR configuration text (app/erdp-cp/bgp/frrconf.h): what ExpressRoute's
 * rules require is in the text for a private and a Microsoft peering, in
 * the right block, and nothing of one peering type leaks into the other.
 * The e2e tests run FRR on this text; here each rule is checked alone.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/frrconf.h"
#include "unit_test.h"

static char networks[3][FRR_PREFIX_STR] = {"10.100.0.0/16", "10.101.0.0/16", "fd00:100::/48"};

static void spec_init(struct frr_spec *s, bool microsoft, bool v6)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "erdp-contoso-%s", microsoft ? "microsoft" : "private");
	snprintf(s->source, sizeof(s->source), "test.conf");
	s->microsoft = microsoft;
	s->peer_as = 65001;
	snprintf(s->router_id, sizeof(s->router_id), "192.168.100.130");
	s->keepalive = 60;
	s->hold = 180;
	s->min_hold = 10;
	s->bfd_interval_ms = 300;
	s->bfd_multiplier = 3;
	s->maintenance_prepend = 3;
	s->max_prefix4 = microsoft ? 200 : 4000;
	s->max_prefix6 = microsoft ? 200 : 100;
	s->fpm_port = 2620;
	for (int l = 0; l < 2; l++) {
		s->s[s->n_sessions].family = 4;
		s->s[s->n_sessions].link = (uint8_t)l;
		snprintf(s->s[s->n_sessions].neighbor, FRR_ADDR_STR, "192.168.100.%d", 129 + 4 * l);
		snprintf(s->s[s->n_sessions].local, FRR_ADDR_STR, "192.168.100.%d", 130 + 4 * l);
		s->n_sessions++;
	}
	if (v6)
		for (int l = 0; l < 2; l++) {
			s->s[s->n_sessions].family = 6;
			s->s[s->n_sessions].link = (uint8_t)l;
			snprintf(s->s[s->n_sessions].neighbor, FRR_ADDR_STR, "2001:db8:100::%d",
				 1 + 4 * l);
			snprintf(s->s[s->n_sessions].local, FRR_ADDR_STR, "2001:db8:100::%d",
				 2 + 4 * l);
			s->n_sessions++;
		}
	s->networks = networks;
	s->n_networks = v6 ? 3 : 2;
}

static bool has(const char *text, const char *line)
{
	return text != NULL && strstr(text, line) != NULL;
}

/* The text between the line that starts with `from` and the next "exit...". */
static char *block(const char *text, const char *from)
{
	const char *a = strstr(text, from), *b;

	if (a == NULL)
		return strdup("");
	b = strstr(a, "exit");
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

static void test_private(void)
{
	struct frr_spec s;
	char *bgpd, *af4, *af6, *zebra, *bfdd;

	spec_init(&s, false, true);
	bgpd = frrconf_bgpd(&s);
	zebra = frrconf_zebra(&s);
	bfdd = frrconf_bfdd(&s);
	CHECK(has(zebra, "\nfpm address 127.0.0.1 port 2620\n"));
	CHECK(has(zebra, "\nno fpm use-next-hop-groups\n"));
	CHECK(has(bfdd, " profile msee\n  detect-multiplier 3\n  receive-interval 300\n"
			"  transmit-interval 300\n"));
	CHECK(has(bgpd, "\nrouter bgp 12076\n bgp router-id 192.168.100.130\n"));
	CHECK(has(bgpd, "\n bgp minimum-holdtime 10\n timers bgp 60 180\n"));
	CHECK(has(bgpd, "\n no bgp network import-check\n"));
	CHECK(has(bgpd, "\n bgp graceful-restart\n"));
	CHECK(has(bgpd, "\n neighbor 192.168.100.129 remote-as 65001\n"));
	CHECK(has(bgpd, "\n neighbor 192.168.100.133 update-source 192.168.100.134\n"));
	CHECK(has(bgpd, "\n neighbor 2001:db8:100::5 update-source 2001:db8:100::6\n"));
	CHECK(!has(bgpd, "password"));
	/* F1: no BFD in the file; it comes after the first Established */
	CHECK(!has(bgpd, " bfd"));
	/* private: everything from the customer, default route included */
	CHECK(has(bgpd, "ip prefix-list CUST-IN4 seq 5 permit 0.0.0.0/0 le 32\n"));
	CHECK(!has(bgpd, "deny"));
	CHECK(has(bgpd, "route-map CUST-IN4 permit 10\n match ip address prefix-list CUST-IN4\n"
			" set community none\n"));
	CHECK(has(bgpd, "route-map MSEE-OUT permit 10\n match as-path LOCAL-ONLY\nexit\n"));
	CHECK(has(bgpd, " set as-path prepend 12076 12076 12076\n"));
	af4 = block(bgpd, " address-family ipv4 unicast");
	af6 = block(bgpd, " address-family ipv6 unicast");
	CHECK(has(af4, "  network 10.100.0.0/16\n  network 10.101.0.0/16\n"));
	CHECK(!has(af4, "fd00") && !has(af4, "2001:db8"));
	CHECK(has(af4, "  neighbor 192.168.100.129 maximum-prefix 4000 restart 1\n"));
	CHECK(has(af4, "  neighbor 192.168.100.133 route-map MSEE-OUT out\n"));
	CHECK(has(af6, "  network fd00:100::/48\n"));
	CHECK(has(af6, "  neighbor 2001:db8:100::1 route-map CUST-IN6 in\n"));
	CHECK(has(af6, "  neighbor 2001:db8:100::5 maximum-prefix 100 restart 1\n"));
	CHECK(!has(af6, "192.168"));
	free(af4);
	free(af6);
	free(bgpd);
	free(zebra);
	free(bfdd);

	/* IPv4 only, premium limit, MD5, a longer prepend */
	spec_init(&s, false, false);
	s.max_prefix4 = 10000;
	s.maintenance_prepend = 5;
	snprintf(s.md5, sizeof(s.md5), "s3cret!#");
	bgpd = frrconf_bgpd(&s);
	CHECK(!has(bgpd, "address-family ipv6"));
	CHECK(has(bgpd, "maximum-prefix 10000 restart 1\n"));
	CHECK(has(bgpd, " neighbor 192.168.100.129 password s3cret!#\n"));
	CHECK(has(bgpd, " set as-path prepend 12076 12076 12076 12076 12076\n"));
	free(bgpd);
}

static void test_microsoft(void)
{
	struct frr_spec s;
	char *bgpd, *out;

	spec_init(&s, true, true);
	s.communities[s.n_communities++] = 12076u << 16 | 51004;
	s.communities[s.n_communities++] = 12076u << 16 | 5010;
	bgpd = frrconf_bgpd(&s);
	CHECK(has(bgpd, "ip prefix-list CUST-IN4 seq 5 deny 0.0.0.0/0\n"));
	CHECK(has(bgpd, "ip prefix-list CUST-IN4 seq 10 deny 10.0.0.0/8 le 32\n"));
	CHECK(has(bgpd, "ip prefix-list CUST-IN4 seq 15 deny 172.16.0.0/12 le 32\n"));
	CHECK(has(bgpd, "ip prefix-list CUST-IN4 seq 20 deny 192.168.0.0/16 le 32\n"));
	CHECK(has(bgpd, "ipv6 prefix-list CUST-IN6 seq 5 deny ::/0\n"));
	CHECK(has(bgpd, "ipv6 prefix-list CUST-IN6 seq 10 deny fc00::/7 le 128\n"));
	/* the communities on both outbound maps, in order */
	out = block(bgpd, "route-map MSEE-OUT permit");
	CHECK(has(out, " set community 12076:51004 12076:5010 additive\n"));
	free(out);
	out = block(bgpd, "route-map MSEE-OUT-MAINT permit");
	CHECK(has(out, " set community 12076:51004 12076:5010 additive\n"));
	free(out);
	CHECK(has(bgpd, "maximum-prefix 200 restart 1\n"));
	CHECK(!has(bgpd, "maximum-prefix 4000"));
	free(bgpd);
}

static void test_runtime(void)
{
	struct frr_spec s;
	char *c;

	spec_init(&s, false, true);
	c = frrconf_maintenance(&s, 3, true);
	CHECK(c && strcmp(c, "router bgp 12076\naddress-family ipv6 unicast\n"
			     "neighbor 2001:db8:100::5 route-map MSEE-OUT-MAINT out") == 0);
	free(c);
	c = frrconf_maintenance(&s, 0, false);
	CHECK(c && strcmp(c, "router bgp 12076\naddress-family ipv4 unicast\n"
			     "neighbor 192.168.100.129 route-map MSEE-OUT out") == 0);
	free(c);
	c = frrconf_shutdown(&s, 1, true);
	CHECK(c && strcmp(c, "router bgp 12076\nneighbor 192.168.100.133 shutdown") == 0);
	free(c);
	c = frrconf_shutdown(&s, 1, false);
	CHECK(c && strcmp(c, "router bgp 12076\nno neighbor 192.168.100.133 shutdown") == 0);
	free(c);
	c = frrconf_bfd(&s, 2);
	CHECK(c && strcmp(c, "router bgp 12076\nneighbor 2001:db8:100::1 bfd profile msee") == 0);
	free(c);
}

int main(void)
{
	test_private();
	test_microsoft();
	test_runtime();
	TEST_MAIN_END();
}
