#!/bin/sh
# Creates or replaces the F5 XC objects listed at the end through the F5 XC config API, health checks
# first (the origin pools refer to them). Written by `tailnet-egress f5xc --out`: regenerate, do not edit.
#
#   F5XC_API_URL=https://<tenant>.console.ves.volterra.io F5XC_API_TOKEN=<API token> sh apply.sh
#
# Each object: POST /api/config/namespaces/<ns>/<collection> with its JSON file; when the name exists
# (HTTP 409), PUT /api/config/namespaces/<ns>/<collection>/<name> replaces it. Stops at the first failure
# and prints the API's answer. It never deletes anything: to remove these objects, delete exactly the
# names listed below (console, or curl -X DELETE .../<collection>/<name>), origin pools first.
set -eu

if [ "$#" -ne 0 ]; then
  echo "usage: F5XC_API_URL=https://<tenant>.console.ves.volterra.io F5XC_API_TOKEN=<token> sh $0" >&2
  exit 2
fi
: "${F5XC_API_URL:?set F5XC_API_URL to the tenant URL, e.g. https://<tenant>.console.ves.volterra.io}"
: "${F5XC_API_TOKEN:?set F5XC_API_TOKEN to an F5 XC API token}"
case $F5XC_API_URL in
  https://*) ;;
  http://127.0.0.1:* | http://localhost:*) ;; # a local test server; anything else would send the token in clear
  *) echo "apply.sh: F5XC_API_URL must start with https:// (got $F5XC_API_URL)" >&2; exit 2 ;;
esac
nl='
'
case $F5XC_API_TOKEN in
  *\"* | *\\* | *"$nl"*) echo "apply.sh: F5XC_API_TOKEN must not contain quotes, backslashes or newlines" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
base=${F5XC_API_URL%/}/api/config/namespaces
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# request METHOD URL FILE: prints the HTTP status and leaves the answer in $body. The token reaches curl on
# stdin (-K -), never on its command line, so it does not show in the process list.
request() {
  printf 'header = "Authorization: APIToken %s"\n' "$F5XC_API_TOKEN" |
    curl -sS -K - -X "$1" -H 'Content-Type: application/json' --data-binary "@$3" \
      --connect-timeout 10 --max-time 60 -o "$body" -w '%{http_code}' "$2"
}

fail() {
  echo "apply.sh: $1 $2 answered HTTP $3:" >&2
  cat "$body" >&2
  echo >&2
  exit 1
}

# apply COLLECTION NAMESPACE NAME FILE
apply() {
  url=$base/$2/$1
  code=$(request POST "$url" "$here/$4")
  case $code in
    2??) echo "created  $1/$3" ;;
    409)
      code=$(request PUT "$url/$3" "$here/$4")
      case $code in
        2??) echo "replaced $1/$3" ;;
        *) fail PUT "$url/$3" "$code" ;;
      esac
      ;;
    *) fail POST "$url" "$code" ;;
  esac
}

apply healthchecks egress tailscale-egress-corp-tcp-10000-ready healthcheck/tailscale-egress-corp-tcp-10000-ready.json
apply healthchecks egress tailscale-egress-corp-db-ready healthcheck/tailscale-egress-corp-db-ready.json
apply healthchecks egress tailscale-egress-lab-tcp-11000-ready healthcheck/tailscale-egress-lab-tcp-11000-ready.json
apply origin_pools egress tailscale-egress-corp-tcp-10000 origin_pool/tailscale-egress-corp-tcp-10000.json
apply origin_pools egress tailscale-egress-corp-db origin_pool/tailscale-egress-corp-db.json
apply origin_pools egress tailscale-egress-lab-tcp-11000 origin_pool/tailscale-egress-lab-tcp-11000.json
