# SPDX-License-Identifier: BSD-3-Clause
"""cp-bgp-restart: kill -9 of FRR's daemons and of erdp-cp: everything comes back, no route is lost.

While each restart runs, a watcher reads the VRF ten times a second: the
customer's routes must be in erdp-cp's RIB in every sample (erdp-cp keeps
them through a lost FPM stream, zebra resends its table, what it does not
resend goes only once the sessions are back).
  - kill -9 bgpd, then zebra, then all three: erdp-cp restarts FRR (restarts
    counted, new pids), the sessions come back;
  - kill -9 erdp-cp: FRR keeps running, the customer's sessions do not even
    reset; a new erdp-cp adopts the daemons (same pids), its RIB gets the
    routes from zebra's resend.
"""
import os
import signal
import sys
import threading
import time

from bgptest import Checker, Lab, log, wait_for

CUSTOMER = ("10.10.0.0/16", "10.20.0.0/16", "fd10:10::/32")


class Watch:
    """Samples the BGP routes of the VRF until stopped; remembers samples that missed one."""

    def __init__(self, lab):
        self.lab, self.stop_ = lab, False
        self.samples, self.missing, self.errors = 0, [], 0
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_:
            try:
                r = self.lab.bgp_routes()
                self.samples += 1
                gone = [p for p in CUSTOMER if p not in r]
                if gone:
                    self.missing.append(gone)
            except Exception:  # noqa: BLE001 - erdp-cp not there (being restarted)
                self.errors += 1
            time.sleep(0.1)

    def stop(self):
        self.stop_ = True
        self.t.join()
        return self


def routes_present(lab):
    r = lab.bgp_routes()
    return all(r.get(p, ("",))[0] == "peering:lab/private" for p in CUSTOMER)


def kill_daemons(chk, lab, which):
    wait_for(lambda: routes_present(lab), "the routes before the kill")
    p = lab.bgp()
    before = lab.frr_pids()
    restarts = p["frr"]["restarts"]
    w = Watch(lab)
    t0 = time.monotonic()
    for d in which:
        os.kill(before[d], signal.SIGKILL)
    wait_for(lambda: lab.bgp()["frr"]["restarts"] == restarts + 1 and
             lab.bgp()["frr"]["state"] == "running", "erdp-cp restarting FRR")
    wait_for(lab.all_established, "the sessions back")
    wait_for(lambda: lab.bgp()["fpm"]["state"] == "connected", "zebra's FPM stream back")
    wait_for(lambda: routes_present(lab), "the routes")
    log("kill -9 %s: sessions and table back after %.1f s" % ("+".join(which),
                                                             time.monotonic() - t0))
    time.sleep(1.5)  # past the stale sweep (BGP_QUIET_S after the stream's last frame)
    w.stop()
    after = lab.frr_pids()
    chk.check(all(after.get(d) and after[d] != before[d] for d in before),
              "new daemons: %s -> %s" % (before, after))
    chk.check(w.samples > 10 and not w.missing and w.errors == 0,
              "kill -9 %s: the routes stayed in every one of %d samples (missing: %s, "
              "errors %d)" % ("+".join(which), w.samples, w.missing[:3], w.errors))
    last = lab.bgp()["frr"]["last_exit"]
    chk.check(last.split(" ")[0] in which and "signal 9" in last,
              "show bgp: last exit names the daemon and signal: %r" % last)


def kill_bgpd(chk, lab):
    kill_daemons(chk, lab, ["bgpd"])


def kill_zebra(chk, lab):
    kill_daemons(chk, lab, ["zebra"])


def kill_all(chk, lab):
    kill_daemons(chk, lab, ["zebra", "bfdd", "bgpd"])


def kill_cp(chk, lab):
    wait_for(lambda: routes_present(lab), "the routes")
    pids = lab.frr_pids()
    bird = lab.bird_protocols()
    lab.kill_cp()
    time.sleep(1)
    chk.eq(lab.frr_pids(), pids, "FRR kept running without erdp-cp")
    lab.start_cp()
    t0 = time.monotonic()
    wait_for(lambda: routes_present(lab), "the routes in the new erdp-cp's RIB")
    log("kill -9 erdp-cp: the new one has zebra's table after %.1f s" % (time.monotonic() - t0))
    p = lab.bgp()
    chk.check(p["frr"]["adopted"] and p["frr"]["restarts"] == 0,
              "the new erdp-cp adopted FRR: %s" % p["frr"])
    chk.eq(lab.frr_pids(), pids, "same daemons")
    wait_for(lab.all_established, "sessions seen Established")
    chk.eq({k: v[1] for k, v in lab.bird_protocols().items()},
           {k: v[1] for k, v in bird.items()}, "the customer's sessions never reset (since)")


def main():
    chk = Checker("cp-bgp-restart")
    lab = Lab("restart", sys.argv[1:], onprem4=CUSTOMER[:2], onprem6=CUSTOMER[2:])
    return lab.run(chk, kill_bgpd, kill_zebra, kill_all, kill_cp)


if __name__ == "__main__":
    sys.exit(main())
