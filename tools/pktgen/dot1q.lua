-- SPDX-License-Identifier: BSD-3-Clause
-- Customer -> gateway, Dot1Q (erdp-dot1q.conf): VLAN 101 on both links for
-- 10 s at 64 bytes.
package.path = package.path .. ";tools/pktgen/?.lua"
local erdp = require("erdp")

erdp.main(function()
	erdp.customer(erdp.PRIMARY, 101, "dot1q", 64, 10)
	erdp.customer(erdp.SECONDARY, 101, "dot1q", 64, 10)
	erdp.run("0-1", 10)
	erdp.report("dot1q customer -> gateway, VLAN 101, both links")
end)
