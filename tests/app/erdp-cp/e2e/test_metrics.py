# SPDX-License-Identifier: BSD-3-Clause
"""cp-metrics: erdp-cp's OpenMetrics / Prometheus endpoint (--metrics).

erdp replays the e2e standard scenario once on every port (no infinite_rx:
its counters stop), so a scrape can be compared value by value:

- the exposition passes `promtool check metrics` (Debian's prometheus) and,
  asked for with Accept: application/openmetrics-text, prometheus_client's
  strict OpenMetrics parser (python3-prometheus-client);
- every port, circuit, peering and peering-link counter (packets and bytes by
  direction, local, drops by reason), worker and control-channel counter
  equals erdp's telemetry read at the same time (/erdp/port,NAME, the paged
  /erdp/circuits, /erdp/peerings and /erdp/links, /erdp/workers, /erdp/ctl),
  and port counters equal what the scenario implies (erdptest.Model);
- erdp-cp's own values equal erdpctl status and show routes, and follow a
  route added with erdpctl;
- with erdp stopped the endpoint still answers: erdp_up 0, erdp-cp's own
  metrics, erdp_cp_dataplane_up 0;
- nothing a client does stalls erdp-cp: while 28 connections hold half a
  request and one never reads its answer, erdpctl status and other scrapes are
  answered (checked while those connections are still open: no wall time);
  they are closed by the server's timeout later; malformed requests get a 4xx
  answer; a bad --metrics or a taken address is an error naming the option.
"""
import os
import re
import socket
import subprocess
import sys

from cptest import Checker, Env, WAIT_S, wait_for  # cptest puts ../../erdp/e2e on the path
import erdptest as et  # noqa: E402
import std_scenario  # noqa: E402

from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
from prometheus_client.parser import text_string_to_metric_families as prom_parse

OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
SLOW_CLIENTS = 28  # below erdp-cp's 32 connections of one address: others are still served


def main():
    chk = Checker("cp-metrics")
    env = Env("metrics", sys.argv[1:])
    env.sc = std_scenario.build(et.standard_topo("qinq"))
    write_config(env)
    return env.run(chk, start, counters_match, cp_values, formats, hostile_clients, options,
                   without_erdp)


def write_config(env):
    """Every port with input replays it once (rx_pcap, no infinite_rx); the others are sinks."""
    topo, devices = env.sc.topo, {}
    for i, p in enumerate(topo.ports):
        frames = env.sc.inputs.get(p["name"], [])
        pcap = os.path.join(env.dir, "p%d.pcap" % i)
        et.write_pcap(pcap, frames)
        devices[p["name"]] = ("net_pcap%d,rx_pcap=%s" % (i, pcap) if frames
                              else "net_null%d,no-rx=1" % i)
    env.topo_now = topo
    env.devices = devices
    with open(env.config, "w") as f:
        f.write(et.render_config(topo, devices))


# ---- scraping -------------------------------------------------------------------

def scrape(env, accept=None, port=None):
    """(HTTP status, headers dict, body) of GET /metrics with curl."""
    cmd = ["curl", "-sS", "--max-time", str(WAIT_S), "-D", "-",
           "http://127.0.0.1:%d/metrics" % (port or env.metrics_port)]
    if accept:
        cmd += ["-H", "Accept: " + accept]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT_S + 5)
    if r.returncode != 0:
        return None, {}, r.stderr.decode(errors="replace")
    head, _, body = r.stdout.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = dict(x.split(": ", 1) for x in lines[1:] if ": " in x)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def samples(body):
    """{(sample name, frozenset of label pairs): value} of a Prometheus text document."""
    out = {}
    for fam in prom_parse(body):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(m, name, **labels):
    return m.get((name, frozenset(labels.items())))


def promtool(body):
    r = subprocess.run(["promtool", "check", "metrics"], input=body.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=WAIT_S)
    return r.returncode, r.stdout.decode(errors="replace")


# ---- steps ----------------------------------------------------------------------

def port_counters(env, name):
    """A port's counters from erdp's telemetry, flat: rx_packets.., drops {reason: n}."""
    o = (env.tel("/erdp/port,%s" % name) or {}).get("object", {})
    return {k: o.get(k) for k in et.COUNTERS + ["drops"]}


RX_KEYS = ["rx_packets", "rx_bytes", "drops"]  # what the scenario fixes (tx: which link is erdp's pick)


def start(chk, env):
    env.start_erdp()
    model = et.Model(env.sc.topo)
    model.account(env.sc)
    env.model = model
    # Every frame received and handled: rx and drops are the scenario's, and the
    # ICMP errors it sent are out (two readings in a row alike); nothing changes after.
    want = {p: {k: c[k] for k in RX_KEYS} for p, c in model.ports.items()}
    last = [None]

    def settled():
        now = {p: port_counters(env, p) for p in want}
        ok = all({k: now[p][k] for k in RX_KEYS} == w for p, w in want.items()) and now == last[0]
        last[0] = now
        return ok
    try:
        wait_for(settled, "erdp's port counters to reach the scenario's", step=0.2)
    except TimeoutError:
        for p, w in want.items():
            chk.eq({k: port_counters(env, p)[k] for k in RX_KEYS}, w, "port %s counters vs the scenario" % p)
        raise
    env.start_cp(args=["--metrics", "127.0.0.1:0"])
    env.metrics_port = int(wait_for(lambda: metrics_port(env), "erdp-cp to log its metrics address"))
    env.wait_synced()


def metrics_port(env):
    with open(env.logs[-1]) as f:
        m = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", f.read())
    return m.group(1) if m else None


def tel_list(env, cmd, key):
    out, start = [], 0
    while True:
        r = env.tel("%s,%d" % (cmd, start)) or {}
        out += [r[key][k] for k in sorted(r.get(key, {}), key=int)]
        if "next" not in r:
            return out
        start = r["next"]


def check_object(chk, m, what, prefix, labels, tel, all_reasons):
    """One object's metrics against its telemetry entry."""
    for d in ("rx", "tx"):
        for unit in ("packets", "bytes"):
            chk.eq(value(m, "%s_%s_total" % (prefix, unit), direction=d, **labels),
                   tel.get("%s_%s" % (d, unit)), "%s %s_%s" % (what, d, unit))
    chk.eq(value(m, prefix + "_local_packets_total", **labels), tel.get("local_packets"),
           what + " local_packets")
    drops = tel.get("drops", {})
    for reason in et.DROP_REASONS:
        got = value(m, prefix + "_drops_total", reason=reason, **labels)
        want = drops.get(reason, 0)
        if all_reasons or want:
            chk.eq(got, want, "%s drops %s" % (what, reason))
        else:
            chk.check(got is None, "%s drops %s: a zero reason is listed (%r)" % (what, reason, got))


def counters_match(chk, env):
    status, headers, body = scrape(env)
    with open(os.path.join(env.dir, "scrape.txt"), "w") as f:  # kept when the test fails
        f.write(body)
    chk.eq(status, 200, "scrape: HTTP status")
    chk.eq(headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8", "scrape: content type")
    rc, out = promtool(body)
    chk.eq(rc, 0, "promtool check metrics: %s" % out)
    m = samples(body)
    chk.eq(value(m, "erdp_up"), 1, "erdp_up")
    t = env.sc.topo
    for p in t.ports:
        tel = env.tel("/erdp/port,%s" % p["name"])["object"]
        check_object(chk, m, "port " + p["name"], "erdp_port", {"port": p["name"]}, tel, True)
        want = env.model.ports[p["name"]]
        for k in ("rx_packets", "rx_bytes"):
            d, unit = k.split("_")
            chk.eq(value(m, "erdp_port_%s_total" % unit, port=p["name"], direction=d), want[k],
                   "port %s %s: metrics vs the scenario" % (p["name"], k))
        for reason, n in want["drops"].items():
            chk.eq(value(m, "erdp_port_drops_total", port=p["name"], reason=reason), n,
                   "port %s drops %s: metrics vs the scenario" % (p["name"], reason))
        chk.eq(value(m, "erdp_port_info", port=p["name"], role=p["role"],
                     device=env.devices[p["name"]]), 1, "port %s info" % p["name"])
        chk.eq(value(m, "erdp_port_up", port=p["name"]), 1, "port %s up" % p["name"])
    for c in tel_list(env, "/erdp/circuits", "circuits"):
        check_object(chk, m, "circuit " + c["name"], "erdp_circuit", {"circuit": c["name"]}, c, False)
        chk.eq(value(m, "erdp_circuit_info", circuit=c["name"], s_tag=str(c["s_tag"])), 1,
               "circuit %s info" % c["name"])
        chk.eq(value(m, "erdp_circuit_bandwidth_bytes_per_second", circuit=c["name"]),
               c["bandwidth_mbps"] * 125000, "circuit %s bandwidth" % c["name"])
    n_peering = n_link = 0
    for p in tel_list(env, "/erdp/peerings", "peerings"):
        labels = {"circuit": p["name"].split("/")[0], "peering": p["name"]}
        check_object(chk, m, "peering " + p["name"], "erdp_peering", labels, p, False)
        chk.eq(value(m, "erdp_peering_info", type=p["type"], vlan=str(p["vlan"]), vrf=p["vrf"], **labels),
               1, "peering %s info" % p["name"])
        n_peering += 1
    for e in tel_list(env, "/erdp/links", "links"):
        labels = {"circuit": e["name"].split("/")[0], "peering": e["name"], "link": e["link"]}
        check_object(chk, m, "link %s %s" % (e["name"], e["link"]), "erdp_peering_link", labels, e, False)
        chk.eq(value(m, "erdp_peering_link_admin_up", **labels), 1, "link %s %s admin" % (e["name"], e["link"]))
        n_link += 1
    chk.eq((n_peering, n_link), (len(t.peerings), 2 * len(t.peerings)), "peerings and links listed")
    workers = env.tel("/erdp/workers")
    for k, w in workers.items():
        if not isinstance(w, dict):
            continue
        lc = str(w["lcore"])
        for key in ("rx_packets", "busy_cycles", "idle_polls", "loops"):
            got = value(m, "erdp_worker_%s_total" % key, lcore=lc)
            if key in ("idle_polls", "loops"):  # a worker keeps polling: they only grow
                chk.check(got is not None and got <= env.tel("/erdp/workers")[k][key],
                          "worker %s idle_polls %r" % (lc, got))
            else:
                chk.eq(got, w[key], "worker %s %s" % (lc, key))
        chk.check(abs(value(m, "erdp_worker_busy_seconds_total", lcore=lc) - w["busy_cycles"] / workers["tsc_hz"])
                  < 1e-6, "worker %s busy seconds" % lc)
    ctl = env.tel("/erdp/ctl")
    chk.eq(value(m, "erdp_control_messages_applied_total"), ctl["applied"], "control applied")
    chk.eq(value(m, "erdp_routes"), ctl["routes"], "erdp's routes")
    chk.eq(value(m, "erdp_control_up"), 1, "control channel up")
    for k, v in ctl.items():
        if k.startswith("rejected_"):
            chk.eq(value(m, "erdp_control_messages_rejected_total", reason=k[len("rejected_"):]), v,
                   "control rejected " + k)


def cp_values(chk, env):
    st = env.status()
    m = samples(scrape(env)[2])
    chk.eq(value(m, "erdp_cp_dataplane_up"), 1, "erdp_cp_dataplane_up")
    for name, key in (("erdp_cp_full_syncs_total", "full_syncs"), ("erdp_cp_messages_sent_total", "messages_sent"),
                      ("erdp_cp_messages_acknowledged_total", "messages_acknowledged"),
                      ("erdp_cp_messages_rejected_total", "messages_rejected"),
                      ("erdp_cp_messages_queued", "messages_queued"),
                      ("erdp_cp_messages_in_flight", "messages_in_flight")):
        chk.eq(value(m, name), st[key], "%s vs erdpctl status %s" % (name, key))
    chk.eq(value(m, "erdp_cp_info", instance=env.prefix), 1, "erdp_cp_info")
    total = 0
    for vrf in env.sc.topo.vrfs:
        rc, j, _ = env.ctl_json("show", "routes", vrf, "--limit", "1")
        r = j["result"] if rc == 0 and j else {}
        for fam in ("ipv4", "ipv6"):
            chk.eq(value(m, "erdp_cp_routes", vrf=vrf, family=fam), r.get(fam + "_routes"),
                   "erdp_cp_routes %s %s vs show routes" % (vrf, fam))
            total += r.get(fam + "_routes", 0)
    chk.eq(total, st["routes"], "routes per VRF add up to status routes")
    # A change shows: erdp-cp's RIB and erdp's table.
    before = value(m, "erdp_cp_routes", vrf="contoso-private", family="ipv4")
    erdp_before = value(m, "erdp_routes")
    rc, _, err = env.ctl("route", "add", "contoso-private", "10.250.0.0/16", "gateway:gw-contoso")
    chk.eq(rc, 0, "route add: " + err)

    def moved():
        m2 = samples(scrape(env)[2])
        return (value(m2, "erdp_cp_routes", vrf="contoso-private", family="ipv4") == before + 1 and
                value(m2, "erdp_routes") == erdp_before + 1 and
                value(m2, "erdp_cp_gateway_routes", gateway="gw-contoso") is not None)
    try:
        wait_for(moved, "the new route in erdp_cp_routes and erdp_routes")
        chk.check(True, "route add shows in the metrics")
    except TimeoutError as e:
        chk.check(False, str(e))


def formats(chk, env):
    status, headers, body = scrape(env, accept=OPENMETRICS)
    chk.eq(status, 200, "OpenMetrics scrape: status")
    chk.eq(headers.get("content-type"), "application/openmetrics-text; version=1.0.0; charset=utf-8",
           "OpenMetrics content type")
    chk.check(body.endswith("# EOF\n"), "OpenMetrics ends with # EOF")
    try:
        fams = {f.name: f for f in om_parse(body)}
        chk.eq(fams["erdp_port_packets"].type, "counter", "OpenMetrics: counter family without _total")
        chk.check(any(s.name == "erdp_port_packets_total" for s in fams["erdp_port_packets"].samples),
                  "OpenMetrics: counter samples with _total")
    except Exception as e:  # noqa: BLE001 - the parser's verdict is the check
        chk.check(False, "OpenMetrics parser refused the document: %r" % e)
    r = subprocess.run(["curl", "-sS", "-I", "http://127.0.0.1:%d/metrics" % env.metrics_port],
                       stdout=subprocess.PIPE, timeout=WAIT_S)
    chk.check(r.stdout.startswith(b"HTTP/1.1 200"), "HEAD /metrics: %r" % r.stdout[:40])
    for method, path, want in (("GET", "/", 404), ("GET", "/metrics/x", 404), ("POST", "/metrics", 405),
                               ("DELETE", "/metrics", 405)):
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
                            "http://127.0.0.1:%d%s" % (env.metrics_port, path)],
                           stdout=subprocess.PIPE, timeout=WAIT_S)
        chk.eq(r.stdout.decode(), str(want), "%s %s: status" % (method, path))


def raw(env, data, read=True):
    """Send data on a new connection; the first line of the answer ('' if closed at once).

    The server may answer and close before it has read everything (a header too
    large): errors sending are not the server's failure, its answer is what counts.
    """
    s = socket.create_connection(("127.0.0.1", env.metrics_port), timeout=WAIT_S)
    if not read:
        s.sendall(data)
        return s
    buf = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while b"\r\n" not in buf:
            d = s.recv(4096)
            if not d:
                break
            buf += d
    except OSError:  # reset after the answer: keep what came
        pass
    finally:
        s.close()
    return buf.split(b"\r\n")[0].decode(errors="replace")


def still_open(s):
    """True while the server has not closed s (nothing to read yet)."""
    s.setblocking(False)
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        s.setblocking(True)


def hostile_clients(chk, env):
    # Half requests: a request line and part of the headers, never the blank line.
    slow = [raw(env, b"GET /metrics HTTP/1.1\r\nHost: x\r\nUser-Agent: slow", read=False)
            for _ in range(SLOW_CLIENTS)]
    # A client that asks and never reads its (large) answer.
    deaf = raw(env, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", read=False)
    rc, _, err = env.ctl("--timeout", str(WAIT_S), "status")
    chk.eq(rc, 0, "erdpctl status while %d clients hold half a request: %s" % (SLOW_CLIENTS, err))
    status, _, body = scrape(env)
    chk.eq(status, 200, "a scrape while they do")
    chk.check("erdp_up 1" in body, "that scrape is complete")
    chk.check(all(still_open(s) for s in slow), "the slow clients were still connected throughout")
    for data, what in ((b"\x00\x01\x02 garbage\r\n\r\n", "binary garbage"),
                       (b"GET /metrics\r\n\r\n", "no HTTP version"),
                       (b"GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 without Host"),
                       (b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
                        "64 KiB header"),
                       (b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n", "HTTP/9.9")):
        line = raw(env, data)
        chk.check(line == "" or re.match(r"HTTP/1\.[01] (4\d\d|505)", line),
                  "%s: answered %r, want a 4xx (or the connection closed)" % (what, line))
    chk.eq(env.cp.poll(), None, "erdp-cp is running after the malformed requests")
    # The server ends what clients left hanging (libmicrohttpd's connection timeout).
    try:
        wait_for(lambda: not any(still_open(s) for s in slow), "erdp-cp to close the half requests")
        chk.check(True, "half requests closed by the server")
    except TimeoutError as e:
        chk.check(False, str(e))
    for s in slow + [deaf]:
        s.close()
    status, _, _ = scrape(env)
    chk.eq(status, 200, "a scrape after all that")


def options(chk, env):
    for arg in ("bogus", "127.0.0.1:99999", "[::1", "1.2.3:80"):
        r = subprocess.run([env.cp_exe, "-c", env.config, "--instance", "nothere", "--socket",
                            os.path.join(env.dir, "x.sock"), "--metrics", arg],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=WAIT_S)
        out = r.stdout.decode(errors="replace")
        chk.eq(r.returncode, 1, "--metrics %s: exit status (%s)" % (arg, out.strip()))
        chk.check("--metrics" in out, "--metrics %s: the error names the option: %r" % (arg, out))
    r = subprocess.run([env.cp_exe, "-c", env.config, "--instance", "nothere", "--socket",
                        os.path.join(env.dir, "y.sock"), "--metrics", "127.0.0.1:%d" % env.metrics_port],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=WAIT_S)
    out = r.stdout.decode(errors="replace")
    chk.eq(r.returncode, 1, "an address in use, given with --metrics: exit status (%s)" % out.strip())
    chk.check("Address already in use" in out, "... and says so: %r" % out)


def without_erdp(chk, env):
    env.stop(env.erdp)

    def down():
        m = samples(scrape(env)[2])
        return value(m, "erdp_up") == 0 and value(m, "erdp_cp_dataplane_up") == 0 and m
    try:
        m = wait_for(down, "erdp_up 0 and erdp_cp_dataplane_up 0")
    except TimeoutError as e:
        chk.check(False, str(e))
        return
    chk.check(not any(k[0].startswith("erdp_port_") for k in m), "no port metrics without erdp")
    chk.check(value(m, "erdp_cp_routes", vrf="contoso-private", family="ipv4") is not None,
              "erdp-cp's own metrics without erdp")
    rc, out = promtool(scrape(env)[2])
    chk.eq(rc, 0, "promtool without erdp: %s" % out)


if __name__ == "__main__":
    sys.exit(main())
