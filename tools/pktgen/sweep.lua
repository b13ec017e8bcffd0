-- SPDX-License-Identifier: BSD-3-Clause
-- A sweep across circuits: each circuit 101..108 in turn on the primary
-- link, 3 s each; compare erdpctl show circuits (rx per circuit) afterwards.
-- ENCAP=qinq|dot1q is passed by run.sh (default qinq).
package.path = package.path .. ";tools/pktgen/?.lua"
local erdp = require("erdp")
local encap = os.getenv("ENCAP") or "qinq"

erdp.main(function()
	for n = erdp.FIRST_CIRCUIT, erdp.LAST_CIRCUIT do
		erdp.customer(erdp.PRIMARY, n, encap, 64, 10)
		erdp.run(erdp.PRIMARY, 3)
		erdp.report(string.format("%s sweep: circuit %d", encap, n))
	end
end)
