-- SPDX-License-Identifier: BSD-3-Clause
-- Customer -> gateway, QinQ (erdp-qinq.conf): circuit 101 on both links for
-- 10 s at 64 bytes. Expect erdp's gw0 tx = primary rx + secondary rx.
package.path = package.path .. ";tools/pktgen/?.lua"
local erdp = require("erdp")

erdp.main(function()
	erdp.customer(erdp.PRIMARY, 101, "qinq", 64, 10)
	erdp.customer(erdp.SECONDARY, 101, "qinq", 64, 10)
	erdp.run("0-1", 10)
	erdp.report("qinq customer -> gateway, circuit 101, both links")
end)
