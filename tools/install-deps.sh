#!/usr/bin/env bash
# Install the packages erdp needs to build, run and test on Debian 12.
# Idempotent: does nothing when every package is already installed.
# erdp-cp's metrics endpoint: libmicrohttpd-dev (HTTP server); its test:
# curl, promtool and python3-prometheus-client (OpenMetrics parser). promtool
# comes with Debian's prometheus package (19 MB, 96 MB installed), which also
# installs a Prometheus server; on a systemd host it starts on :9090
# (systemctl disable --now prometheus if it is not wanted).
set -euo pipefail

PACKAGES=(
	build-essential gcc meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev dpdk-doc libconfig-dev libpcap-dev libjansson-dev libsqlite3-dev
	sqlite3
	python3-scapy tcpdump iproute2 iputils-ping ethtool linux-perf
	lua5.3 nftables
	libmicrohttpd-dev curl prometheus python3-prometheus-client
	libmnl-dev frr bird2
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ "$status" != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root to install them ($0 in a root shell, or sudo $0)" >&2
	exit 1
fi

echo "install-deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
echo "install-deps: done"
