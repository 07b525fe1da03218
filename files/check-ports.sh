#!/bin/sh
# Connects to each TCP endpoint and reports which fail. Used by the chart's `helm test` pod
# (templates/tests/test-connection.yaml, busybox sh + nc) and runnable anywhere with sh and nc, or with
# bash and timeout where nc is missing (bash's /dev/tcp):
#   sh files/check-ports.sh [-w SECONDS] [NAME=]HOST:PORT ...
# e.g. bash files/check-ports.sh -w 2 web=127.0.0.1:10000 db=127.0.0.1:10001
# Prints one line per endpoint (ok/FAIL, name, host:port) and exits 1 if any failed, 2 on bad usage.
# IPv6 hosts are written in brackets: [fd7a:115c:a1e0::1]:443.
set -u
secs=3
if [ "${1:-}" = "-w" ]; then secs=${2:?-w needs seconds}; shift 2; fi
[ $# -gt 0 ] || { echo "usage: check-ports.sh [-w SECONDS] [NAME=]HOST:PORT ..." >&2; exit 2; }
if command -v nc >/dev/null 2>&1; then
  probe() { nc -z -w "$secs" "$1" "$2" </dev/null >/dev/null 2>&1; }
elif [ -n "${BASH_VERSION:-}" ] && command -v timeout >/dev/null 2>&1; then
  # shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash, from the arguments after the script
  probe() { timeout "$secs" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }
else
  echo "check-ports: needs nc, or bash with timeout" >&2; exit 2
fi
total=0
failed=""
for arg in "$@"; do
  case $arg in *=*) name=${arg%%=*}; addr=${arg#*=} ;; *) name=$arg; addr=$arg ;; esac
  port=${addr##*:}
  host=${addr%:*}
  host=${host#[}
  host=${host%]}
  total=$((total + 1))
  if probe "$host" "$port"; then
    echo "ok    $name $addr"
  else
    echo "FAIL  $name $addr"
    failed="$failed $name"
  fi
done
if [ -n "$failed" ]; then
  # shellcheck disable=SC2086 # split on purpose: $failed is a space-separated list of names
  set -- $failed
  echo "$# of $total port(s) failed:$failed"
  exit 1
fi
echo "all $total port(s) accept connections"
