-- SPDX-License-Identifier: BSD-3-Clause
-- Gateway -> customer: VLAN 101 on the gateway port toward circuit 101's
-- customer prefix. erdp spreads flows over both links and sends with the
-- circuit's tags to the customer's static MAC (pktgen ports 0 and 1).
-- pktgen's single flow hashes to one link: vary sport (range mode) to see both.
package.path = package.path .. ";tools/pktgen/?.lua"
local erdp = require("erdp")

erdp.main(function()
	erdp.gateway(101, 64, 10)
	erdp.run(erdp.GATEWAY, 10)
	erdp.report("gateway -> customer, circuit 101")
end)
