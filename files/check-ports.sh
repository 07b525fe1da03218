#!/bin/sh
# Checks that each tailnet is ready, then connects to its TCP endpoints, and reports which fail. Used by the
# chart's `helm test` pod (templates/tests/test-connection.yaml, busybox sh + wget + nc) and runnable anywhere
# with sh, nc and wget or curl, or with bash and timeout where nc is missing (bash's /dev/tcp):
#   sh files/check-ports.sh [-w SECONDS] [NAME=]HOST:PORT ... [-r TAILNET=URL [NAME=]HOST:PORT ...] ...
# e.g. sh files/check-ports.sh -w 2 health=127.0.0.1:10501 \
#        -r corp=http://127.0.0.1:10501/ready/corp web=127.0.0.1:10000 db=127.0.0.1:10001
# -r TAILNET=URL: the endpoints after it, up to the next -r, belong to TAILNET. URL (Envoy's /ready/<tailnet>,
# 200 while that tailnet's node is up, else 503) is fetched first, with wget -T or curl -m SECONDS; if it
# fails, each of them is reported FAIL "(tailnet TAILNET not ready)" without a connection attempt.
# Then, for each endpoint given a NAME, URL/NAME (Envoy's /ready/<tailnet>/<service>: 200 while the service's
# target accepts tunnels, else 503) is fetched before connecting; if it fails, the endpoint is reported FAIL
# "(target of TAILNET/NAME not ready)" without a connection attempt (Envoy would accept and close it at once).
# Endpoints before the first -r belong to no tailnet. SECONDS (default 3) bounds each request and connection.
# Prints one line per endpoint (ok/FAIL, name, host:port) and a summary naming the failed ones as
# TAILNET/NAME, the tailnets not ready and the targets not ready; exits 1 if any failed, 2 on bad usage.
# IPv6 hosts are written in brackets: [fd7a:115c:a1e0::1]:443.
set -u
usage() {
  echo "usage: check-ports.sh [-w SECONDS] [NAME=]HOST:PORT ... [-r TAILNET=URL [NAME=]HOST:PORT ...] ..." >&2
  exit 2
}
secs=3
if [ "${1:-}" = "-w" ]; then secs=${2:?-w needs seconds}; shift 2; fi
[ $# -gt 0 ] || usage
if command -v nc >/dev/null 2>&1 && nc --help 2>&1 | grep -q -e '^[[:space:]]*-z'; then
  probe() { nc -z -w "$secs" "$1" "$2" </dev/null >/dev/null 2>&1; }
elif command -v nc >/dev/null 2>&1; then
  # An nc built without -z (Debian's busybox): connect, send nothing, and close at once on stdin's EOF.
  probe() { nc -w "$secs" "$1" "$2" </dev/null >/dev/null 2>&1; }
elif [ -n "${BASH_VERSION:-}" ] && command -v timeout >/dev/null 2>&1; then
  # shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash, from the arguments after the script
  probe() { timeout "$secs" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }
else
  echo "check-ports: needs nc, or bash with timeout" >&2; exit 2
fi
# ready URL: succeeds only on a 2xx answer within $secs. Chosen at the first -r, so plain port lists need no HTTP client.
pick_ready() {
  if command -v wget >/dev/null 2>&1 && wget --help 2>&1 | grep -q -e '-T SEC' -e '--timeout'; then
    ready() { wget -q -T "$secs" -O /dev/null "$1" >/dev/null 2>&1; }
  elif command -v curl >/dev/null 2>&1; then
    ready() { curl -fs -m "$secs" -o /dev/null "$1" >/dev/null 2>&1; }
  elif command -v wget >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
    # A wget built without -T (Debian's busybox, which crashes on it): bounded by timeout instead.
    ready() { timeout "$secs" wget -q -O /dev/null "$1" >/dev/null 2>&1; }
  else
    echo "check-ports: -r needs wget or curl" >&2; exit 2
  fi
  picked=1
}
picked=""
total=0
failed=""
tailnet=""
up=1
tailnets=0
down=""
targets=""
while [ $# -gt 0 ]; do
  arg=$1
  shift
  if [ "$arg" = "-r" ]; then
    case ${1:-} in ?*=?*) ;; *) usage ;; esac
    tailnet=${1%%=*}
    url=${1#*=}
    shift
    [ -n "$picked" ] || pick_ready
    tailnets=$((tailnets + 1))
    if ready "$url"; then up=1; else up=0; down="$down $tailnet"; fi
    continue
  fi
  named=""
  case $arg in *=*) name=${arg%%=*}; addr=${arg#*=}; named=1 ;; *) name=$arg; addr=$arg ;; esac
  port=${addr##*:}
  host=${addr%:*}
  host=${host#[}
  host=${host%]}
  total=$((total + 1))
  if [ "$up" = 0 ]; then
    why=" (tailnet $tailnet not ready)"
  elif [ -n "$tailnet" ] && [ -n "$named" ] && ! ready "$url/$name"; then
    why=" (target of $tailnet/$name not ready)"
    targets="$targets $tailnet/$name"
  elif probe "$host" "$port"; then
    echo "ok    $name $addr"
    continue
  else
    why=""
  fi
  echo "FAIL  $name $addr$why"
  failed="$failed ${tailnet:+$tailnet/}$name"
done
[ "$total" -gt 0 ] || usage
if [ -n "$failed$down" ]; then
  # shellcheck disable=SC2086 # split on purpose: $failed is a space-separated list of names
  set -- $failed
  echo "$# of $total port(s) failed:$failed${down:+; tailnet(s) not ready:$down}${targets:+; target(s) not ready:$targets}"
  exit 1
fi
[ "$tailnets" -eq 0 ] || ready_note=", $tailnets tailnet(s) ready"
echo "all $total port(s) accept connections${ready_note:-}"
