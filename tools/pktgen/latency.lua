-- SPDX-License-Identifier: BSD-3-Clause
-- Latency through erdp: customer -> gateway at a low rate with pktgen's
-- latency packets on the primary port; pktgen reports it on the port that
-- receives them (2, the gateway side).
package.path = package.path .. ";tools/pktgen/?.lua"
local erdp = require("erdp")
local encap = os.getenv("ENCAP") or "qinq"

erdp.main(function()
	erdp.customer(erdp.PRIMARY, 101, encap, 64, 1)
	pktgen.latency(erdp.PRIMARY, "enable")
	pktgen.latency(erdp.GATEWAY, "enable")
	erdp.run(erdp.PRIMARY, 10)
	pktgen.latency(erdp.PRIMARY, "disable")
	pktgen.latency(erdp.GATEWAY, "disable")
	local lat = pktgen.pktStats(erdp.GATEWAY)[2].latency
	for k, v in pairs(lat) do
		erdp.printf("latency %s: %s\n", k, tostring(v))
	end
end)
