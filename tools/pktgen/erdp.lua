-- SPDX-License-Identifier: BSD-3-Clause
-- What the erdp recipes for pktgen-dpdk share (docs/pktgen.md). pktgen's ports
-- follow its --vdev order in run.sh: 0 faces erdp's primary link, 1 the
-- secondary, 2 the gateway port. The addresses match tools/pktgen/erdp-*.conf:
-- circuit n (101..108) has the customer prefix 10.n.0.0/16 and a gateway
-- prefix 10.100.0.0/16 in its VRF; QinQ S-tag n and C-tag 200, or Dot1Q VLAN n.

local M = {}

-- pktgen's printf lives in its Pktgen.lua, which the recipes do not require.
function M.printf(...)
	io.write(string.format(...))
	io.flush()
end
local printf = M.printf

M.PRIMARY, M.SECONDARY, M.GATEWAY = "0", "1", "2"
M.ALL = "0-2"

-- Frames must be addressed to erdp's port MAC: erdp is a router and drops
-- frames for other MACs (config: ports[].mac).
M.ER_MAC = { ["0"] = "02:ee:00:00:00:01", ["1"] = "02:ee:00:00:00:02", ["2"] = "02:ee:00:00:00:10" }

M.FIRST_CIRCUIT, M.LAST_CIRCUIT = 101, 108
M.C_TAG = 200

-- Common frame settings of a port: UDP, size (pktgen's 64 = a 60-byte frame
-- plus FCS; the tags come out of the payload), rate in % of the link (memif
-- reports 100G), sent to erdp's MAC on that port.
function M.base(port, size, rate)
	pktgen.set(port, "size", size)
	pktgen.set(port, "rate", rate)
	pktgen.set(port, "burst", 32)
	pktgen.set(port, "count", 0)
	pktgen.set_type(port, "ipv4")
	pktgen.set_proto(port, "udp")
	pktgen.set(port, "sport", 4000)
	pktgen.set(port, "dport", 5000)
	pktgen.set_mac(port, "dst", M.ER_MAC[port])
	pktgen.qinq(port, "disable")
	pktgen.vlan(port, "disable")
end

-- Customer -> gateway on an ExpressRoute link, in circuit n's peering.
-- QinQ: pktgen's outer TPID is fixed at 0x88a8 (erdp-qinq.conf accepts it),
-- the inner one is 0x8100.
function M.customer(port, n, encap, size, rate)
	M.base(port, size, rate)
	pktgen.set_ipaddr(port, "src", string.format("10.%d.0.1/16", n))
	pktgen.set_ipaddr(port, "dst", "10.100.0.1")
	if encap == "qinq" then
		-- qinqids lives in pktgen.range in 23.06 and 24.07 but sets the single-packet IDs
		pktgen.range.qinqids(port, n, M.C_TAG)
		pktgen.qinq(port, "enable")
	else
		pktgen.vlanid(port, n)
		pktgen.vlan(port, "enable")
	end
end

-- Gateway -> customer on the gateway port: untagged toward erdp would be
-- dropped (gateway instances use VLAN n), so the frame carries VLAN n.
function M.gateway(n, size, rate)
	local port = M.GATEWAY
	M.base(port, size, rate)
	pktgen.set_ipaddr(port, "src", "10.100.0.1/16")
	pktgen.set_ipaddr(port, "dst", string.format("10.%d.0.1", n))
	pktgen.vlanid(port, n)
	pktgen.vlan(port, "enable")
end

-- Send on `ports` for `seconds`, then stop and wait for the queues to drain.
function M.run(ports, seconds)
	pktgen.clr()
	pktgen.start(ports)
	pktgen.sleep(seconds)
	pktgen.stop(ports)
	pktgen.delay(500)
end

-- Packets sent and received per port since the last clear. pktgen's own
-- counters over memif are known to be inflated (docs/pktgen.md): erdp's
-- counters (erdpctl show counters) are the reference.
function M.report(title)
	printf("== %s\n", title)
	for p = 0, 2 do
		local st = pktgen.portStats(tostring(p), "port")[p]
		printf("port %d: tx %d rx %d\n", p, st.opackets, st.ipackets)
	end
end

-- Run body() and quit pktgen whatever happens: a script that stops on an
-- error would leave pktgen at its prompt forever.
function M.main(body)
	local ok, err = pcall(body)
	if not ok then
		printf("recipe failed: %s\n", tostring(err))
	end
	pktgen.quit()
end

return M
