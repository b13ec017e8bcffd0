#!/usr/bin/env bash
# Install dependencies, reserve hugepages, build erdp, generate demo traffic
# and run the demo configuration (config/erdp.conf) for DURATION seconds (10).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

echo "== quickstart: dependencies"
tools/install-deps.sh

echo "== quickstart: hugepages"
tools/hugepages.sh 1024

echo "== quickstart: build"
if [[ ! -f build/build.ninja ]]; then
	meson setup build
fi
ninja -C build

echo "== quickstart: demo traffic"
/usr/bin/python3 tools/gen-demo-traffic.py --out build/demo

duration=${DURATION:-10}
echo "== quickstart: running build/app/erdp/erdp -c config/erdp.conf --duration $duration"
exec "$root/build/app/erdp/erdp" -c config/erdp.conf --duration "$duration"
