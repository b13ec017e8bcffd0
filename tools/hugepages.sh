#!/usr/bin/env bash
# Reserve N (default 1024) 2 MB hugepages and mount hugetlbfs on /dev/hugepages.
# Idempotent: only grows the reservation when fewer pages are free than asked.
# Warns (does not fail) when the kernel grants fewer pages than asked.
set -euo pipefail

want=${1:-1024}
if ! [[ "$want" =~ ^[0-9]+$ ]]; then
	echo "usage: $0 [N]   (N = number of 2 MB hugepages, default 1024)" >&2
	exit 2
fi

nr=/proc/sys/vm/nr_hugepages
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

if [[ ! -w $nr && $(id -u) -ne 0 ]]; then
	echo "hugepages: must run as root ($0 $want in a root shell, or sudo $0 $want)" >&2
	exit 1
fi

size_kb=$(meminfo Hugepagesize)
if [[ "${size_kb:-0}" != 2048 ]]; then
	echo "hugepages: warning: default hugepage size is ${size_kb:-unknown} kB, not 2048 kB" >&2
fi

total=$(meminfo HugePages_Total)
free=$(meminfo HugePages_Free)
if (( free >= want )); then
	echo "hugepages: $free free of $total reserved (wanted $want free): nothing to do"
else
	target=$(( total + want - free ))
	echo "hugepages: $free free of $total reserved; raising the reservation to $target"
	echo "$target" > "$nr" || true
	total=$(meminfo HugePages_Total)
	free=$(meminfo HugePages_Free)
	if (( free < want )); then
		echo "hugepages: warning: got only $free free pages of $want asked (total $total);" \
			"erdp runs with --no-huge or a smaller -m" >&2
	else
		echo "hugepages: $free free of $total reserved"
	fi
fi

if mountpoint -q /dev/hugepages 2>/dev/null || grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
	echo "hugepages: hugetlbfs already mounted on /dev/hugepages"
else
	mkdir -p /dev/hugepages
	if mount -t hugetlbfs nodev /dev/hugepages; then
		echo "hugepages: mounted hugetlbfs on /dev/hugepages"
	else
		echo "hugepages: warning: could not mount hugetlbfs on /dev/hugepages" >&2
	fi
fi
