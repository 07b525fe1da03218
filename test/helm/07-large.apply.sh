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

apply healthchecks egress tailscale-egress-tn00-ready healthcheck/tailscale-egress-tn00-ready.json
apply healthchecks egress tailscale-egress-tn01-ready healthcheck/tailscale-egress-tn01-ready.json
apply healthchecks egress tailscale-egress-tn02-ready healthcheck/tailscale-egress-tn02-ready.json
apply healthchecks egress tailscale-egress-tn03-ready healthcheck/tailscale-egress-tn03-ready.json
apply healthchecks egress tailscale-egress-tn04-ready healthcheck/tailscale-egress-tn04-ready.json
apply healthchecks egress tailscale-egress-tn05-ready healthcheck/tailscale-egress-tn05-ready.json
apply healthchecks egress tailscale-egress-tn06-ready healthcheck/tailscale-egress-tn06-ready.json
apply healthchecks egress tailscale-egress-tn07-ready healthcheck/tailscale-egress-tn07-ready.json
apply healthchecks egress tailscale-egress-tn08-ready healthcheck/tailscale-egress-tn08-ready.json
apply healthchecks egress tailscale-egress-tn09-ready healthcheck/tailscale-egress-tn09-ready.json
apply healthchecks egress tailscale-egress-tn10-ready healthcheck/tailscale-egress-tn10-ready.json
apply healthchecks egress tailscale-egress-tn11-ready healthcheck/tailscale-egress-tn11-ready.json
apply origin_pools egress tailscale-egress-tn00-tcp-10000 origin_pool/tailscale-egress-tn00-tcp-10000.json
apply origin_pools egress tailscale-egress-tn00-tcp-10001 origin_pool/tailscale-egress-tn00-tcp-10001.json
apply origin_pools egress tailscale-egress-tn00-tcp-10002 origin_pool/tailscale-egress-tn00-tcp-10002.json
apply origin_pools egress tailscale-egress-tn00-tcp-10003 origin_pool/tailscale-egress-tn00-tcp-10003.json
apply origin_pools egress tailscale-egress-tn00-tcp-10004 origin_pool/tailscale-egress-tn00-tcp-10004.json
apply origin_pools egress tailscale-egress-tn00-tcp-10005 origin_pool/tailscale-egress-tn00-tcp-10005.json
apply origin_pools egress tailscale-egress-tn00-tcp-10006 origin_pool/tailscale-egress-tn00-tcp-10006.json
apply origin_pools egress tailscale-egress-tn00-tcp-10007 origin_pool/tailscale-egress-tn00-tcp-10007.json
apply origin_pools egress tailscale-egress-tn00-tcp-10008 origin_pool/tailscale-egress-tn00-tcp-10008.json
apply origin_pools egress tailscale-egress-tn00-tcp-10009 origin_pool/tailscale-egress-tn00-tcp-10009.json
apply origin_pools egress tailscale-egress-tn00-tcp-10010 origin_pool/tailscale-egress-tn00-tcp-10010.json
apply origin_pools egress tailscale-egress-tn00-tcp-10011 origin_pool/tailscale-egress-tn00-tcp-10011.json
apply origin_pools egress tailscale-egress-tn00-tcp-10012 origin_pool/tailscale-egress-tn00-tcp-10012.json
apply origin_pools egress tailscale-egress-tn00-tcp-10013 origin_pool/tailscale-egress-tn00-tcp-10013.json
apply origin_pools egress tailscale-egress-tn00-tcp-10014 origin_pool/tailscale-egress-tn00-tcp-10014.json
apply origin_pools egress tailscale-egress-tn00-tcp-10015 origin_pool/tailscale-egress-tn00-tcp-10015.json
apply origin_pools egress tailscale-egress-tn00-tcp-10016 origin_pool/tailscale-egress-tn00-tcp-10016.json
apply origin_pools egress tailscale-egress-tn00-tcp-10017 origin_pool/tailscale-egress-tn00-tcp-10017.json
apply origin_pools egress tailscale-egress-tn00-tcp-10018 origin_pool/tailscale-egress-tn00-tcp-10018.json
apply origin_pools egress tailscale-egress-tn00-tcp-10019 origin_pool/tailscale-egress-tn00-tcp-10019.json
apply origin_pools egress tailscale-egress-tn00-tcp-10020 origin_pool/tailscale-egress-tn00-tcp-10020.json
apply origin_pools egress tailscale-egress-tn00-tcp-10021 origin_pool/tailscale-egress-tn00-tcp-10021.json
apply origin_pools egress tailscale-egress-tn00-tcp-10022 origin_pool/tailscale-egress-tn00-tcp-10022.json
apply origin_pools egress tailscale-egress-tn00-tcp-10023 origin_pool/tailscale-egress-tn00-tcp-10023.json
apply origin_pools egress tailscale-egress-tn00-tcp-10024 origin_pool/tailscale-egress-tn00-tcp-10024.json
apply origin_pools egress tailscale-egress-tn00-tcp-10025 origin_pool/tailscale-egress-tn00-tcp-10025.json
apply origin_pools egress tailscale-egress-tn00-tcp-10026 origin_pool/tailscale-egress-tn00-tcp-10026.json
apply origin_pools egress tailscale-egress-tn00-tcp-10027 origin_pool/tailscale-egress-tn00-tcp-10027.json
apply origin_pools egress tailscale-egress-tn00-tcp-10028 origin_pool/tailscale-egress-tn00-tcp-10028.json
apply origin_pools egress tailscale-egress-tn00-tcp-10029 origin_pool/tailscale-egress-tn00-tcp-10029.json
apply origin_pools egress tailscale-egress-tn00-tcp-10030 origin_pool/tailscale-egress-tn00-tcp-10030.json
apply origin_pools egress tailscale-egress-tn00-tcp-10031 origin_pool/tailscale-egress-tn00-tcp-10031.json
apply origin_pools egress tailscale-egress-tn00-tcp-10032 origin_pool/tailscale-egress-tn00-tcp-10032.json
apply origin_pools egress tailscale-egress-tn00-tcp-10033 origin_pool/tailscale-egress-tn00-tcp-10033.json
apply origin_pools egress tailscale-egress-tn00-tcp-10034 origin_pool/tailscale-egress-tn00-tcp-10034.json
apply origin_pools egress tailscale-egress-tn00-tcp-10035 origin_pool/tailscale-egress-tn00-tcp-10035.json
apply origin_pools egress tailscale-egress-tn00-tcp-10036 origin_pool/tailscale-egress-tn00-tcp-10036.json
apply origin_pools egress tailscale-egress-tn00-tcp-10037 origin_pool/tailscale-egress-tn00-tcp-10037.json
apply origin_pools egress tailscale-egress-tn00-tcp-10038 origin_pool/tailscale-egress-tn00-tcp-10038.json
apply origin_pools egress tailscale-egress-tn00-tcp-10039 origin_pool/tailscale-egress-tn00-tcp-10039.json
apply origin_pools egress tailscale-egress-tn01-tcp-11000 origin_pool/tailscale-egress-tn01-tcp-11000.json
apply origin_pools egress tailscale-egress-tn01-tcp-11001 origin_pool/tailscale-egress-tn01-tcp-11001.json
apply origin_pools egress tailscale-egress-tn01-tcp-11002 origin_pool/tailscale-egress-tn01-tcp-11002.json
apply origin_pools egress tailscale-egress-tn01-tcp-11003 origin_pool/tailscale-egress-tn01-tcp-11003.json
apply origin_pools egress tailscale-egress-tn01-tcp-11004 origin_pool/tailscale-egress-tn01-tcp-11004.json
apply origin_pools egress tailscale-egress-tn01-tcp-11005 origin_pool/tailscale-egress-tn01-tcp-11005.json
apply origin_pools egress tailscale-egress-tn01-tcp-11006 origin_pool/tailscale-egress-tn01-tcp-11006.json
apply origin_pools egress tailscale-egress-tn01-tcp-11007 origin_pool/tailscale-egress-tn01-tcp-11007.json
apply origin_pools egress tailscale-egress-tn01-tcp-11008 origin_pool/tailscale-egress-tn01-tcp-11008.json
apply origin_pools egress tailscale-egress-tn01-tcp-11009 origin_pool/tailscale-egress-tn01-tcp-11009.json
apply origin_pools egress tailscale-egress-tn01-tcp-11010 origin_pool/tailscale-egress-tn01-tcp-11010.json
apply origin_pools egress tailscale-egress-tn01-tcp-11011 origin_pool/tailscale-egress-tn01-tcp-11011.json
apply origin_pools egress tailscale-egress-tn01-tcp-11012 origin_pool/tailscale-egress-tn01-tcp-11012.json
apply origin_pools egress tailscale-egress-tn01-tcp-11013 origin_pool/tailscale-egress-tn01-tcp-11013.json
apply origin_pools egress tailscale-egress-tn01-tcp-11014 origin_pool/tailscale-egress-tn01-tcp-11014.json
apply origin_pools egress tailscale-egress-tn01-tcp-11015 origin_pool/tailscale-egress-tn01-tcp-11015.json
apply origin_pools egress tailscale-egress-tn01-tcp-11016 origin_pool/tailscale-egress-tn01-tcp-11016.json
apply origin_pools egress tailscale-egress-tn01-tcp-11017 origin_pool/tailscale-egress-tn01-tcp-11017.json
apply origin_pools egress tailscale-egress-tn01-tcp-11018 origin_pool/tailscale-egress-tn01-tcp-11018.json
apply origin_pools egress tailscale-egress-tn01-tcp-11019 origin_pool/tailscale-egress-tn01-tcp-11019.json
apply origin_pools egress tailscale-egress-tn01-tcp-11020 origin_pool/tailscale-egress-tn01-tcp-11020.json
apply origin_pools egress tailscale-egress-tn01-tcp-11021 origin_pool/tailscale-egress-tn01-tcp-11021.json
apply origin_pools egress tailscale-egress-tn01-tcp-11022 origin_pool/tailscale-egress-tn01-tcp-11022.json
apply origin_pools egress tailscale-egress-tn01-tcp-11023 origin_pool/tailscale-egress-tn01-tcp-11023.json
apply origin_pools egress tailscale-egress-tn01-tcp-11024 origin_pool/tailscale-egress-tn01-tcp-11024.json
apply origin_pools egress tailscale-egress-tn01-tcp-11025 origin_pool/tailscale-egress-tn01-tcp-11025.json
apply origin_pools egress tailscale-egress-tn01-tcp-11026 origin_pool/tailscale-egress-tn01-tcp-11026.json
apply origin_pools egress tailscale-egress-tn01-tcp-11027 origin_pool/tailscale-egress-tn01-tcp-11027.json
apply origin_pools egress tailscale-egress-tn01-tcp-11028 origin_pool/tailscale-egress-tn01-tcp-11028.json
apply origin_pools egress tailscale-egress-tn01-tcp-11029 origin_pool/tailscale-egress-tn01-tcp-11029.json
apply origin_pools egress tailscale-egress-tn01-tcp-11030 origin_pool/tailscale-egress-tn01-tcp-11030.json
apply origin_pools egress tailscale-egress-tn01-tcp-11031 origin_pool/tailscale-egress-tn01-tcp-11031.json
apply origin_pools egress tailscale-egress-tn01-tcp-11032 origin_pool/tailscale-egress-tn01-tcp-11032.json
apply origin_pools egress tailscale-egress-tn01-tcp-11033 origin_pool/tailscale-egress-tn01-tcp-11033.json
apply origin_pools egress tailscale-egress-tn01-tcp-11034 origin_pool/tailscale-egress-tn01-tcp-11034.json
apply origin_pools egress tailscale-egress-tn01-tcp-11035 origin_pool/tailscale-egress-tn01-tcp-11035.json
apply origin_pools egress tailscale-egress-tn01-tcp-11036 origin_pool/tailscale-egress-tn01-tcp-11036.json
apply origin_pools egress tailscale-egress-tn01-tcp-11037 origin_pool/tailscale-egress-tn01-tcp-11037.json
apply origin_pools egress tailscale-egress-tn01-tcp-11038 origin_pool/tailscale-egress-tn01-tcp-11038.json
apply origin_pools egress tailscale-egress-tn01-tcp-11039 origin_pool/tailscale-egress-tn01-tcp-11039.json
apply origin_pools egress tailscale-egress-tn02-tcp-12000 origin_pool/tailscale-egress-tn02-tcp-12000.json
apply origin_pools egress tailscale-egress-tn02-tcp-12001 origin_pool/tailscale-egress-tn02-tcp-12001.json
apply origin_pools egress tailscale-egress-tn02-tcp-12002 origin_pool/tailscale-egress-tn02-tcp-12002.json
apply origin_pools egress tailscale-egress-tn02-tcp-12003 origin_pool/tailscale-egress-tn02-tcp-12003.json
apply origin_pools egress tailscale-egress-tn02-tcp-12004 origin_pool/tailscale-egress-tn02-tcp-12004.json
apply origin_pools egress tailscale-egress-tn02-tcp-12005 origin_pool/tailscale-egress-tn02-tcp-12005.json
apply origin_pools egress tailscale-egress-tn02-tcp-12006 origin_pool/tailscale-egress-tn02-tcp-12006.json
apply origin_pools egress tailscale-egress-tn02-tcp-12007 origin_pool/tailscale-egress-tn02-tcp-12007.json
apply origin_pools egress tailscale-egress-tn02-tcp-12008 origin_pool/tailscale-egress-tn02-tcp-12008.json
apply origin_pools egress tailscale-egress-tn02-tcp-12009 origin_pool/tailscale-egress-tn02-tcp-12009.json
apply origin_pools egress tailscale-egress-tn02-tcp-12010 origin_pool/tailscale-egress-tn02-tcp-12010.json
apply origin_pools egress tailscale-egress-tn02-tcp-12011 origin_pool/tailscale-egress-tn02-tcp-12011.json
apply origin_pools egress tailscale-egress-tn02-tcp-12012 origin_pool/tailscale-egress-tn02-tcp-12012.json
apply origin_pools egress tailscale-egress-tn02-tcp-12013 origin_pool/tailscale-egress-tn02-tcp-12013.json
apply origin_pools egress tailscale-egress-tn02-tcp-12014 origin_pool/tailscale-egress-tn02-tcp-12014.json
apply origin_pools egress tailscale-egress-tn02-tcp-12015 origin_pool/tailscale-egress-tn02-tcp-12015.json
apply origin_pools egress tailscale-egress-tn02-tcp-12016 origin_pool/tailscale-egress-tn02-tcp-12016.json
apply origin_pools egress tailscale-egress-tn02-tcp-12017 origin_pool/tailscale-egress-tn02-tcp-12017.json
apply origin_pools egress tailscale-egress-tn02-tcp-12018 origin_pool/tailscale-egress-tn02-tcp-12018.json
apply origin_pools egress tailscale-egress-tn02-tcp-12019 origin_pool/tailscale-egress-tn02-tcp-12019.json
apply origin_pools egress tailscale-egress-tn02-tcp-12020 origin_pool/tailscale-egress-tn02-tcp-12020.json
apply origin_pools egress tailscale-egress-tn02-tcp-12021 origin_pool/tailscale-egress-tn02-tcp-12021.json
apply origin_pools egress tailscale-egress-tn02-tcp-12022 origin_pool/tailscale-egress-tn02-tcp-12022.json
apply origin_pools egress tailscale-egress-tn02-tcp-12023 origin_pool/tailscale-egress-tn02-tcp-12023.json
apply origin_pools egress tailscale-egress-tn02-tcp-12024 origin_pool/tailscale-egress-tn02-tcp-12024.json
apply origin_pools egress tailscale-egress-tn02-tcp-12025 origin_pool/tailscale-egress-tn02-tcp-12025.json
apply origin_pools egress tailscale-egress-tn02-tcp-12026 origin_pool/tailscale-egress-tn02-tcp-12026.json
apply origin_pools egress tailscale-egress-tn02-tcp-12027 origin_pool/tailscale-egress-tn02-tcp-12027.json
apply origin_pools egress tailscale-egress-tn02-tcp-12028 origin_pool/tailscale-egress-tn02-tcp-12028.json
apply origin_pools egress tailscale-egress-tn02-tcp-12029 origin_pool/tailscale-egress-tn02-tcp-12029.json
apply origin_pools egress tailscale-egress-tn02-tcp-12030 origin_pool/tailscale-egress-tn02-tcp-12030.json
apply origin_pools egress tailscale-egress-tn02-tcp-12031 origin_pool/tailscale-egress-tn02-tcp-12031.json
apply origin_pools egress tailscale-egress-tn02-tcp-12032 origin_pool/tailscale-egress-tn02-tcp-12032.json
apply origin_pools egress tailscale-egress-tn02-tcp-12033 origin_pool/tailscale-egress-tn02-tcp-12033.json
apply origin_pools egress tailscale-egress-tn02-tcp-12034 origin_pool/tailscale-egress-tn02-tcp-12034.json
apply origin_pools egress tailscale-egress-tn02-tcp-12035 origin_pool/tailscale-egress-tn02-tcp-12035.json
apply origin_pools egress tailscale-egress-tn02-tcp-12036 origin_pool/tailscale-egress-tn02-tcp-12036.json
apply origin_pools egress tailscale-egress-tn02-tcp-12037 origin_pool/tailscale-egress-tn02-tcp-12037.json
apply origin_pools egress tailscale-egress-tn02-tcp-12038 origin_pool/tailscale-egress-tn02-tcp-12038.json
apply origin_pools egress tailscale-egress-tn02-tcp-12039 origin_pool/tailscale-egress-tn02-tcp-12039.json
apply origin_pools egress tailscale-egress-tn03-tcp-13000 origin_pool/tailscale-egress-tn03-tcp-13000.json
apply origin_pools egress tailscale-egress-tn03-tcp-13001 origin_pool/tailscale-egress-tn03-tcp-13001.json
apply origin_pools egress tailscale-egress-tn03-tcp-13002 origin_pool/tailscale-egress-tn03-tcp-13002.json
apply origin_pools egress tailscale-egress-tn03-tcp-13003 origin_pool/tailscale-egress-tn03-tcp-13003.json
apply origin_pools egress tailscale-egress-tn03-tcp-13004 origin_pool/tailscale-egress-tn03-tcp-13004.json
apply origin_pools egress tailscale-egress-tn03-tcp-13005 origin_pool/tailscale-egress-tn03-tcp-13005.json
apply origin_pools egress tailscale-egress-tn03-tcp-13006 origin_pool/tailscale-egress-tn03-tcp-13006.json
apply origin_pools egress tailscale-egress-tn03-tcp-13007 origin_pool/tailscale-egress-tn03-tcp-13007.json
apply origin_pools egress tailscale-egress-tn03-tcp-13008 origin_pool/tailscale-egress-tn03-tcp-13008.json
apply origin_pools egress tailscale-egress-tn03-tcp-13009 origin_pool/tailscale-egress-tn03-tcp-13009.json
apply origin_pools egress tailscale-egress-tn03-tcp-13010 origin_pool/tailscale-egress-tn03-tcp-13010.json
apply origin_pools egress tailscale-egress-tn03-tcp-13011 origin_pool/tailscale-egress-tn03-tcp-13011.json
apply origin_pools egress tailscale-egress-tn03-tcp-13012 origin_pool/tailscale-egress-tn03-tcp-13012.json
apply origin_pools egress tailscale-egress-tn03-tcp-13013 origin_pool/tailscale-egress-tn03-tcp-13013.json
apply origin_pools egress tailscale-egress-tn03-tcp-13014 origin_pool/tailscale-egress-tn03-tcp-13014.json
apply origin_pools egress tailscale-egress-tn03-tcp-13015 origin_pool/tailscale-egress-tn03-tcp-13015.json
apply origin_pools egress tailscale-egress-tn03-tcp-13016 origin_pool/tailscale-egress-tn03-tcp-13016.json
apply origin_pools egress tailscale-egress-tn03-tcp-13017 origin_pool/tailscale-egress-tn03-tcp-13017.json
apply origin_pools egress tailscale-egress-tn03-tcp-13018 origin_pool/tailscale-egress-tn03-tcp-13018.json
apply origin_pools egress tailscale-egress-tn03-tcp-13019 origin_pool/tailscale-egress-tn03-tcp-13019.json
apply origin_pools egress tailscale-egress-tn03-tcp-13020 origin_pool/tailscale-egress-tn03-tcp-13020.json
apply origin_pools egress tailscale-egress-tn03-tcp-13021 origin_pool/tailscale-egress-tn03-tcp-13021.json
apply origin_pools egress tailscale-egress-tn03-tcp-13022 origin_pool/tailscale-egress-tn03-tcp-13022.json
apply origin_pools egress tailscale-egress-tn03-tcp-13023 origin_pool/tailscale-egress-tn03-tcp-13023.json
apply origin_pools egress tailscale-egress-tn03-tcp-13024 origin_pool/tailscale-egress-tn03-tcp-13024.json
apply origin_pools egress tailscale-egress-tn03-tcp-13025 origin_pool/tailscale-egress-tn03-tcp-13025.json
apply origin_pools egress tailscale-egress-tn03-tcp-13026 origin_pool/tailscale-egress-tn03-tcp-13026.json
apply origin_pools egress tailscale-egress-tn03-tcp-13027 origin_pool/tailscale-egress-tn03-tcp-13027.json
apply origin_pools egress tailscale-egress-tn03-tcp-13028 origin_pool/tailscale-egress-tn03-tcp-13028.json
apply origin_pools egress tailscale-egress-tn03-tcp-13029 origin_pool/tailscale-egress-tn03-tcp-13029.json
apply origin_pools egress tailscale-egress-tn03-tcp-13030 origin_pool/tailscale-egress-tn03-tcp-13030.json
apply origin_pools egress tailscale-egress-tn03-tcp-13031 origin_pool/tailscale-egress-tn03-tcp-13031.json
apply origin_pools egress tailscale-egress-tn03-tcp-13032 origin_pool/tailscale-egress-tn03-tcp-13032.json
apply origin_pools egress tailscale-egress-tn03-tcp-13033 origin_pool/tailscale-egress-tn03-tcp-13033.json
apply origin_pools egress tailscale-egress-tn03-tcp-13034 origin_pool/tailscale-egress-tn03-tcp-13034.json
apply origin_pools egress tailscale-egress-tn03-tcp-13035 origin_pool/tailscale-egress-tn03-tcp-13035.json
apply origin_pools egress tailscale-egress-tn03-tcp-13036 origin_pool/tailscale-egress-tn03-tcp-13036.json
apply origin_pools egress tailscale-egress-tn03-tcp-13037 origin_pool/tailscale-egress-tn03-tcp-13037.json
apply origin_pools egress tailscale-egress-tn03-tcp-13038 origin_pool/tailscale-egress-tn03-tcp-13038.json
apply origin_pools egress tailscale-egress-tn03-tcp-13039 origin_pool/tailscale-egress-tn03-tcp-13039.json
apply origin_pools egress tailscale-egress-tn04-tcp-14000 origin_pool/tailscale-egress-tn04-tcp-14000.json
apply origin_pools egress tailscale-egress-tn04-tcp-14001 origin_pool/tailscale-egress-tn04-tcp-14001.json
apply origin_pools egress tailscale-egress-tn04-tcp-14002 origin_pool/tailscale-egress-tn04-tcp-14002.json
apply origin_pools egress tailscale-egress-tn04-tcp-14003 origin_pool/tailscale-egress-tn04-tcp-14003.json
apply origin_pools egress tailscale-egress-tn04-tcp-14004 origin_pool/tailscale-egress-tn04-tcp-14004.json
apply origin_pools egress tailscale-egress-tn04-tcp-14005 origin_pool/tailscale-egress-tn04-tcp-14005.json
apply origin_pools egress tailscale-egress-tn04-tcp-14006 origin_pool/tailscale-egress-tn04-tcp-14006.json
apply origin_pools egress tailscale-egress-tn04-tcp-14007 origin_pool/tailscale-egress-tn04-tcp-14007.json
apply origin_pools egress tailscale-egress-tn04-tcp-14008 origin_pool/tailscale-egress-tn04-tcp-14008.json
apply origin_pools egress tailscale-egress-tn04-tcp-14009 origin_pool/tailscale-egress-tn04-tcp-14009.json
apply origin_pools egress tailscale-egress-tn04-tcp-14010 origin_pool/tailscale-egress-tn04-tcp-14010.json
apply origin_pools egress tailscale-egress-tn04-tcp-14011 origin_pool/tailscale-egress-tn04-tcp-14011.json
apply origin_pools egress tailscale-egress-tn04-tcp-14012 origin_pool/tailscale-egress-tn04-tcp-14012.json
apply origin_pools egress tailscale-egress-tn04-tcp-14013 origin_pool/tailscale-egress-tn04-tcp-14013.json
apply origin_pools egress tailscale-egress-tn04-tcp-14014 origin_pool/tailscale-egress-tn04-tcp-14014.json
apply origin_pools egress tailscale-egress-tn04-tcp-14015 origin_pool/tailscale-egress-tn04-tcp-14015.json
apply origin_pools egress tailscale-egress-tn04-tcp-14016 origin_pool/tailscale-egress-tn04-tcp-14016.json
apply origin_pools egress tailscale-egress-tn04-tcp-14017 origin_pool/tailscale-egress-tn04-tcp-14017.json
apply origin_pools egress tailscale-egress-tn04-tcp-14018 origin_pool/tailscale-egress-tn04-tcp-14018.json
apply origin_pools egress tailscale-egress-tn04-tcp-14019 origin_pool/tailscale-egress-tn04-tcp-14019.json
apply origin_pools egress tailscale-egress-tn04-tcp-14020 origin_pool/tailscale-egress-tn04-tcp-14020.json
apply origin_pools egress tailscale-egress-tn04-tcp-14021 origin_pool/tailscale-egress-tn04-tcp-14021.json
apply origin_pools egress tailscale-egress-tn04-tcp-14022 origin_pool/tailscale-egress-tn04-tcp-14022.json
apply origin_pools egress tailscale-egress-tn04-tcp-14023 origin_pool/tailscale-egress-tn04-tcp-14023.json
apply origin_pools egress tailscale-egress-tn04-tcp-14024 origin_pool/tailscale-egress-tn04-tcp-14024.json
apply origin_pools egress tailscale-egress-tn04-tcp-14025 origin_pool/tailscale-egress-tn04-tcp-14025.json
apply origin_pools egress tailscale-egress-tn04-tcp-14026 origin_pool/tailscale-egress-tn04-tcp-14026.json
apply origin_pools egress tailscale-egress-tn04-tcp-14027 origin_pool/tailscale-egress-tn04-tcp-14027.json
apply origin_pools egress tailscale-egress-tn04-tcp-14028 origin_pool/tailscale-egress-tn04-tcp-14028.json
apply origin_pools egress tailscale-egress-tn04-tcp-14029 origin_pool/tailscale-egress-tn04-tcp-14029.json
apply origin_pools egress tailscale-egress-tn04-tcp-14030 origin_pool/tailscale-egress-tn04-tcp-14030.json
apply origin_pools egress tailscale-egress-tn04-tcp-14031 origin_pool/tailscale-egress-tn04-tcp-14031.json
apply origin_pools egress tailscale-egress-tn04-tcp-14032 origin_pool/tailscale-egress-tn04-tcp-14032.json
apply origin_pools egress tailscale-egress-tn04-tcp-14033 origin_pool/tailscale-egress-tn04-tcp-14033.json
apply origin_pools egress tailscale-egress-tn04-tcp-14034 origin_pool/tailscale-egress-tn04-tcp-14034.json
apply origin_pools egress tailscale-egress-tn04-tcp-14035 origin_pool/tailscale-egress-tn04-tcp-14035.json
apply origin_pools egress tailscale-egress-tn04-tcp-14036 origin_pool/tailscale-egress-tn04-tcp-14036.json
apply origin_pools egress tailscale-egress-tn04-tcp-14037 origin_pool/tailscale-egress-tn04-tcp-14037.json
apply origin_pools egress tailscale-egress-tn04-tcp-14038 origin_pool/tailscale-egress-tn04-tcp-14038.json
apply origin_pools egress tailscale-egress-tn04-tcp-14039 origin_pool/tailscale-egress-tn04-tcp-14039.json
apply origin_pools egress tailscale-egress-tn05-tcp-15000 origin_pool/tailscale-egress-tn05-tcp-15000.json
apply origin_pools egress tailscale-egress-tn05-tcp-15001 origin_pool/tailscale-egress-tn05-tcp-15001.json
apply origin_pools egress tailscale-egress-tn05-tcp-15002 origin_pool/tailscale-egress-tn05-tcp-15002.json
apply origin_pools egress tailscale-egress-tn05-tcp-15003 origin_pool/tailscale-egress-tn05-tcp-15003.json
apply origin_pools egress tailscale-egress-tn05-tcp-15004 origin_pool/tailscale-egress-tn05-tcp-15004.json
apply origin_pools egress tailscale-egress-tn05-tcp-15005 origin_pool/tailscale-egress-tn05-tcp-15005.json
apply origin_pools egress tailscale-egress-tn05-tcp-15006 origin_pool/tailscale-egress-tn05-tcp-15006.json
apply origin_pools egress tailscale-egress-tn05-tcp-15007 origin_pool/tailscale-egress-tn05-tcp-15007.json
apply origin_pools egress tailscale-egress-tn05-tcp-15008 origin_pool/tailscale-egress-tn05-tcp-15008.json
apply origin_pools egress tailscale-egress-tn05-tcp-15009 origin_pool/tailscale-egress-tn05-tcp-15009.json
apply origin_pools egress tailscale-egress-tn05-tcp-15010 origin_pool/tailscale-egress-tn05-tcp-15010.json
apply origin_pools egress tailscale-egress-tn05-tcp-15011 origin_pool/tailscale-egress-tn05-tcp-15011.json
apply origin_pools egress tailscale-egress-tn05-tcp-15012 origin_pool/tailscale-egress-tn05-tcp-15012.json
apply origin_pools egress tailscale-egress-tn05-tcp-15013 origin_pool/tailscale-egress-tn05-tcp-15013.json
apply origin_pools egress tailscale-egress-tn05-tcp-15014 origin_pool/tailscale-egress-tn05-tcp-15014.json
apply origin_pools egress tailscale-egress-tn05-tcp-15015 origin_pool/tailscale-egress-tn05-tcp-15015.json
apply origin_pools egress tailscale-egress-tn05-tcp-15016 origin_pool/tailscale-egress-tn05-tcp-15016.json
apply origin_pools egress tailscale-egress-tn05-tcp-15017 origin_pool/tailscale-egress-tn05-tcp-15017.json
apply origin_pools egress tailscale-egress-tn05-tcp-15018 origin_pool/tailscale-egress-tn05-tcp-15018.json
apply origin_pools egress tailscale-egress-tn05-tcp-15019 origin_pool/tailscale-egress-tn05-tcp-15019.json
apply origin_pools egress tailscale-egress-tn05-tcp-15020 origin_pool/tailscale-egress-tn05-tcp-15020.json
apply origin_pools egress tailscale-egress-tn05-tcp-15021 origin_pool/tailscale-egress-tn05-tcp-15021.json
apply origin_pools egress tailscale-egress-tn05-tcp-15022 origin_pool/tailscale-egress-tn05-tcp-15022.json
apply origin_pools egress tailscale-egress-tn05-tcp-15023 origin_pool/tailscale-egress-tn05-tcp-15023.json
apply origin_pools egress tailscale-egress-tn05-tcp-15024 origin_pool/tailscale-egress-tn05-tcp-15024.json
apply origin_pools egress tailscale-egress-tn05-tcp-15025 origin_pool/tailscale-egress-tn05-tcp-15025.json
apply origin_pools egress tailscale-egress-tn05-tcp-15026 origin_pool/tailscale-egress-tn05-tcp-15026.json
apply origin_pools egress tailscale-egress-tn05-tcp-15027 origin_pool/tailscale-egress-tn05-tcp-15027.json
apply origin_pools egress tailscale-egress-tn05-tcp-15028 origin_pool/tailscale-egress-tn05-tcp-15028.json
apply origin_pools egress tailscale-egress-tn05-tcp-15029 origin_pool/tailscale-egress-tn05-tcp-15029.json
apply origin_pools egress tailscale-egress-tn05-tcp-15030 origin_pool/tailscale-egress-tn05-tcp-15030.json
apply origin_pools egress tailscale-egress-tn05-tcp-15031 origin_pool/tailscale-egress-tn05-tcp-15031.json
apply origin_pools egress tailscale-egress-tn05-tcp-15032 origin_pool/tailscale-egress-tn05-tcp-15032.json
apply origin_pools egress tailscale-egress-tn05-tcp-15033 origin_pool/tailscale-egress-tn05-tcp-15033.json
apply origin_pools egress tailscale-egress-tn05-tcp-15034 origin_pool/tailscale-egress-tn05-tcp-15034.json
apply origin_pools egress tailscale-egress-tn05-tcp-15035 origin_pool/tailscale-egress-tn05-tcp-15035.json
apply origin_pools egress tailscale-egress-tn05-tcp-15036 origin_pool/tailscale-egress-tn05-tcp-15036.json
apply origin_pools egress tailscale-egress-tn05-tcp-15037 origin_pool/tailscale-egress-tn05-tcp-15037.json
apply origin_pools egress tailscale-egress-tn05-tcp-15038 origin_pool/tailscale-egress-tn05-tcp-15038.json
apply origin_pools egress tailscale-egress-tn05-tcp-15039 origin_pool/tailscale-egress-tn05-tcp-15039.json
apply origin_pools egress tailscale-egress-tn06-tcp-16000 origin_pool/tailscale-egress-tn06-tcp-16000.json
apply origin_pools egress tailscale-egress-tn06-tcp-16001 origin_pool/tailscale-egress-tn06-tcp-16001.json
apply origin_pools egress tailscale-egress-tn06-tcp-16002 origin_pool/tailscale-egress-tn06-tcp-16002.json
apply origin_pools egress tailscale-egress-tn06-tcp-16003 origin_pool/tailscale-egress-tn06-tcp-16003.json
apply origin_pools egress tailscale-egress-tn06-tcp-16004 origin_pool/tailscale-egress-tn06-tcp-16004.json
apply origin_pools egress tailscale-egress-tn06-tcp-16005 origin_pool/tailscale-egress-tn06-tcp-16005.json
apply origin_pools egress tailscale-egress-tn06-tcp-16006 origin_pool/tailscale-egress-tn06-tcp-16006.json
apply origin_pools egress tailscale-egress-tn06-tcp-16007 origin_pool/tailscale-egress-tn06-tcp-16007.json
apply origin_pools egress tailscale-egress-tn06-tcp-16008 origin_pool/tailscale-egress-tn06-tcp-16008.json
apply origin_pools egress tailscale-egress-tn06-tcp-16009 origin_pool/tailscale-egress-tn06-tcp-16009.json
apply origin_pools egress tailscale-egress-tn06-tcp-16010 origin_pool/tailscale-egress-tn06-tcp-16010.json
apply origin_pools egress tailscale-egress-tn06-tcp-16011 origin_pool/tailscale-egress-tn06-tcp-16011.json
apply origin_pools egress tailscale-egress-tn06-tcp-16012 origin_pool/tailscale-egress-tn06-tcp-16012.json
apply origin_pools egress tailscale-egress-tn06-tcp-16013 origin_pool/tailscale-egress-tn06-tcp-16013.json
apply origin_pools egress tailscale-egress-tn06-tcp-16014 origin_pool/tailscale-egress-tn06-tcp-16014.json
apply origin_pools egress tailscale-egress-tn06-tcp-16015 origin_pool/tailscale-egress-tn06-tcp-16015.json
apply origin_pools egress tailscale-egress-tn06-tcp-16016 origin_pool/tailscale-egress-tn06-tcp-16016.json
apply origin_pools egress tailscale-egress-tn06-tcp-16017 origin_pool/tailscale-egress-tn06-tcp-16017.json
apply origin_pools egress tailscale-egress-tn06-tcp-16018 origin_pool/tailscale-egress-tn06-tcp-16018.json
apply origin_pools egress tailscale-egress-tn06-tcp-16019 origin_pool/tailscale-egress-tn06-tcp-16019.json
apply origin_pools egress tailscale-egress-tn06-tcp-16020 origin_pool/tailscale-egress-tn06-tcp-16020.json
apply origin_pools egress tailscale-egress-tn06-tcp-16021 origin_pool/tailscale-egress-tn06-tcp-16021.json
apply origin_pools egress tailscale-egress-tn06-tcp-16022 origin_pool/tailscale-egress-tn06-tcp-16022.json
apply origin_pools egress tailscale-egress-tn06-tcp-16023 origin_pool/tailscale-egress-tn06-tcp-16023.json
apply origin_pools egress tailscale-egress-tn06-tcp-16024 origin_pool/tailscale-egress-tn06-tcp-16024.json
apply origin_pools egress tailscale-egress-tn06-tcp-16025 origin_pool/tailscale-egress-tn06-tcp-16025.json
apply origin_pools egress tailscale-egress-tn06-tcp-16026 origin_pool/tailscale-egress-tn06-tcp-16026.json
apply origin_pools egress tailscale-egress-tn06-tcp-16027 origin_pool/tailscale-egress-tn06-tcp-16027.json
apply origin_pools egress tailscale-egress-tn06-tcp-16028 origin_pool/tailscale-egress-tn06-tcp-16028.json
apply origin_pools egress tailscale-egress-tn06-tcp-16029 origin_pool/tailscale-egress-tn06-tcp-16029.json
apply origin_pools egress tailscale-egress-tn06-tcp-16030 origin_pool/tailscale-egress-tn06-tcp-16030.json
apply origin_pools egress tailscale-egress-tn06-tcp-16031 origin_pool/tailscale-egress-tn06-tcp-16031.json
apply origin_pools egress tailscale-egress-tn06-tcp-16032 origin_pool/tailscale-egress-tn06-tcp-16032.json
apply origin_pools egress tailscale-egress-tn06-tcp-16033 origin_pool/tailscale-egress-tn06-tcp-16033.json
apply origin_pools egress tailscale-egress-tn06-tcp-16034 origin_pool/tailscale-egress-tn06-tcp-16034.json
apply origin_pools egress tailscale-egress-tn06-tcp-16035 origin_pool/tailscale-egress-tn06-tcp-16035.json
apply origin_pools egress tailscale-egress-tn06-tcp-16036 origin_pool/tailscale-egress-tn06-tcp-16036.json
apply origin_pools egress tailscale-egress-tn06-tcp-16037 origin_pool/tailscale-egress-tn06-tcp-16037.json
apply origin_pools egress tailscale-egress-tn06-tcp-16038 origin_pool/tailscale-egress-tn06-tcp-16038.json
apply origin_pools egress tailscale-egress-tn06-tcp-16039 origin_pool/tailscale-egress-tn06-tcp-16039.json
apply origin_pools egress tailscale-egress-tn07-tcp-17000 origin_pool/tailscale-egress-tn07-tcp-17000.json
apply origin_pools egress tailscale-egress-tn07-tcp-17001 origin_pool/tailscale-egress-tn07-tcp-17001.json
apply origin_pools egress tailscale-egress-tn07-tcp-17002 origin_pool/tailscale-egress-tn07-tcp-17002.json
apply origin_pools egress tailscale-egress-tn07-tcp-17003 origin_pool/tailscale-egress-tn07-tcp-17003.json
apply origin_pools egress tailscale-egress-tn07-tcp-17004 origin_pool/tailscale-egress-tn07-tcp-17004.json
apply origin_pools egress tailscale-egress-tn07-tcp-17005 origin_pool/tailscale-egress-tn07-tcp-17005.json
apply origin_pools egress tailscale-egress-tn07-tcp-17006 origin_pool/tailscale-egress-tn07-tcp-17006.json
apply origin_pools egress tailscale-egress-tn07-tcp-17007 origin_pool/tailscale-egress-tn07-tcp-17007.json
apply origin_pools egress tailscale-egress-tn07-tcp-17008 origin_pool/tailscale-egress-tn07-tcp-17008.json
apply origin_pools egress tailscale-egress-tn07-tcp-17009 origin_pool/tailscale-egress-tn07-tcp-17009.json
apply origin_pools egress tailscale-egress-tn07-tcp-17010 origin_pool/tailscale-egress-tn07-tcp-17010.json
apply origin_pools egress tailscale-egress-tn07-tcp-17011 origin_pool/tailscale-egress-tn07-tcp-17011.json
apply origin_pools egress tailscale-egress-tn07-tcp-17012 origin_pool/tailscale-egress-tn07-tcp-17012.json
apply origin_pools egress tailscale-egress-tn07-tcp-17013 origin_pool/tailscale-egress-tn07-tcp-17013.json
apply origin_pools egress tailscale-egress-tn07-tcp-17014 origin_pool/tailscale-egress-tn07-tcp-17014.json
apply origin_pools egress tailscale-egress-tn07-tcp-17015 origin_pool/tailscale-egress-tn07-tcp-17015.json
apply origin_pools egress tailscale-egress-tn07-tcp-17016 origin_pool/tailscale-egress-tn07-tcp-17016.json
apply origin_pools egress tailscale-egress-tn07-tcp-17017 origin_pool/tailscale-egress-tn07-tcp-17017.json
apply origin_pools egress tailscale-egress-tn07-tcp-17018 origin_pool/tailscale-egress-tn07-tcp-17018.json
apply origin_pools egress tailscale-egress-tn07-tcp-17019 origin_pool/tailscale-egress-tn07-tcp-17019.json
apply origin_pools egress tailscale-egress-tn07-tcp-17020 origin_pool/tailscale-egress-tn07-tcp-17020.json
apply origin_pools egress tailscale-egress-tn07-tcp-17021 origin_pool/tailscale-egress-tn07-tcp-17021.json
apply origin_pools egress tailscale-egress-tn07-tcp-17022 origin_pool/tailscale-egress-tn07-tcp-17022.json
apply origin_pools egress tailscale-egress-tn07-tcp-17023 origin_pool/tailscale-egress-tn07-tcp-17023.json
apply origin_pools egress tailscale-egress-tn07-tcp-17024 origin_pool/tailscale-egress-tn07-tcp-17024.json
apply origin_pools egress tailscale-egress-tn07-tcp-17025 origin_pool/tailscale-egress-tn07-tcp-17025.json
apply origin_pools egress tailscale-egress-tn07-tcp-17026 origin_pool/tailscale-egress-tn07-tcp-17026.json
apply origin_pools egress tailscale-egress-tn07-tcp-17027 origin_pool/tailscale-egress-tn07-tcp-17027.json
apply origin_pools egress tailscale-egress-tn07-tcp-17028 origin_pool/tailscale-egress-tn07-tcp-17028.json
apply origin_pools egress tailscale-egress-tn07-tcp-17029 origin_pool/tailscale-egress-tn07-tcp-17029.json
apply origin_pools egress tailscale-egress-tn07-tcp-17030 origin_pool/tailscale-egress-tn07-tcp-17030.json
apply origin_pools egress tailscale-egress-tn07-tcp-17031 origin_pool/tailscale-egress-tn07-tcp-17031.json
apply origin_pools egress tailscale-egress-tn07-tcp-17032 origin_pool/tailscale-egress-tn07-tcp-17032.json
apply origin_pools egress tailscale-egress-tn07-tcp-17033 origin_pool/tailscale-egress-tn07-tcp-17033.json
apply origin_pools egress tailscale-egress-tn07-tcp-17034 origin_pool/tailscale-egress-tn07-tcp-17034.json
apply origin_pools egress tailscale-egress-tn07-tcp-17035 origin_pool/tailscale-egress-tn07-tcp-17035.json
apply origin_pools egress tailscale-egress-tn07-tcp-17036 origin_pool/tailscale-egress-tn07-tcp-17036.json
apply origin_pools egress tailscale-egress-tn07-tcp-17037 origin_pool/tailscale-egress-tn07-tcp-17037.json
apply origin_pools egress tailscale-egress-tn07-tcp-17038 origin_pool/tailscale-egress-tn07-tcp-17038.json
apply origin_pools egress tailscale-egress-tn07-tcp-17039 origin_pool/tailscale-egress-tn07-tcp-17039.json
apply origin_pools egress tailscale-egress-tn08-tcp-18000 origin_pool/tailscale-egress-tn08-tcp-18000.json
apply origin_pools egress tailscale-egress-tn08-tcp-18001 origin_pool/tailscale-egress-tn08-tcp-18001.json
apply origin_pools egress tailscale-egress-tn08-tcp-18002 origin_pool/tailscale-egress-tn08-tcp-18002.json
apply origin_pools egress tailscale-egress-tn08-tcp-18003 origin_pool/tailscale-egress-tn08-tcp-18003.json
apply origin_pools egress tailscale-egress-tn08-tcp-18004 origin_pool/tailscale-egress-tn08-tcp-18004.json
apply origin_pools egress tailscale-egress-tn08-tcp-18005 origin_pool/tailscale-egress-tn08-tcp-18005.json
apply origin_pools egress tailscale-egress-tn08-tcp-18006 origin_pool/tailscale-egress-tn08-tcp-18006.json
apply origin_pools egress tailscale-egress-tn08-tcp-18007 origin_pool/tailscale-egress-tn08-tcp-18007.json
apply origin_pools egress tailscale-egress-tn08-tcp-18008 origin_pool/tailscale-egress-tn08-tcp-18008.json
apply origin_pools egress tailscale-egress-tn08-tcp-18009 origin_pool/tailscale-egress-tn08-tcp-18009.json
apply origin_pools egress tailscale-egress-tn08-tcp-18010 origin_pool/tailscale-egress-tn08-tcp-18010.json
apply origin_pools egress tailscale-egress-tn08-tcp-18011 origin_pool/tailscale-egress-tn08-tcp-18011.json
apply origin_pools egress tailscale-egress-tn08-tcp-18012 origin_pool/tailscale-egress-tn08-tcp-18012.json
apply origin_pools egress tailscale-egress-tn08-tcp-18013 origin_pool/tailscale-egress-tn08-tcp-18013.json
apply origin_pools egress tailscale-egress-tn08-tcp-18014 origin_pool/tailscale-egress-tn08-tcp-18014.json
apply origin_pools egress tailscale-egress-tn08-tcp-18015 origin_pool/tailscale-egress-tn08-tcp-18015.json
apply origin_pools egress tailscale-egress-tn08-tcp-18016 origin_pool/tailscale-egress-tn08-tcp-18016.json
apply origin_pools egress tailscale-egress-tn08-tcp-18017 origin_pool/tailscale-egress-tn08-tcp-18017.json
apply origin_pools egress tailscale-egress-tn08-tcp-18018 origin_pool/tailscale-egress-tn08-tcp-18018.json
apply origin_pools egress tailscale-egress-tn08-tcp-18019 origin_pool/tailscale-egress-tn08-tcp-18019.json
apply origin_pools egress tailscale-egress-tn08-tcp-18020 origin_pool/tailscale-egress-tn08-tcp-18020.json
apply origin_pools egress tailscale-egress-tn08-tcp-18021 origin_pool/tailscale-egress-tn08-tcp-18021.json
apply origin_pools egress tailscale-egress-tn08-tcp-18022 origin_pool/tailscale-egress-tn08-tcp-18022.json
apply origin_pools egress tailscale-egress-tn08-tcp-18023 origin_pool/tailscale-egress-tn08-tcp-18023.json
apply origin_pools egress tailscale-egress-tn08-tcp-18024 origin_pool/tailscale-egress-tn08-tcp-18024.json
apply origin_pools egress tailscale-egress-tn08-tcp-18025 origin_pool/tailscale-egress-tn08-tcp-18025.json
apply origin_pools egress tailscale-egress-tn08-tcp-18026 origin_pool/tailscale-egress-tn08-tcp-18026.json
apply origin_pools egress tailscale-egress-tn08-tcp-18027 origin_pool/tailscale-egress-tn08-tcp-18027.json
apply origin_pools egress tailscale-egress-tn08-tcp-18028 origin_pool/tailscale-egress-tn08-tcp-18028.json
apply origin_pools egress tailscale-egress-tn08-tcp-18029 origin_pool/tailscale-egress-tn08-tcp-18029.json
apply origin_pools egress tailscale-egress-tn08-tcp-18030 origin_pool/tailscale-egress-tn08-tcp-18030.json
apply origin_pools egress tailscale-egress-tn08-tcp-18031 origin_pool/tailscale-egress-tn08-tcp-18031.json
apply origin_pools egress tailscale-egress-tn08-tcp-18032 origin_pool/tailscale-egress-tn08-tcp-18032.json
apply origin_pools egress tailscale-egress-tn08-tcp-18033 origin_pool/tailscale-egress-tn08-tcp-18033.json
apply origin_pools egress tailscale-egress-tn08-tcp-18034 origin_pool/tailscale-egress-tn08-tcp-18034.json
apply origin_pools egress tailscale-egress-tn08-tcp-18035 origin_pool/tailscale-egress-tn08-tcp-18035.json
apply origin_pools egress tailscale-egress-tn08-tcp-18036 origin_pool/tailscale-egress-tn08-tcp-18036.json
apply origin_pools egress tailscale-egress-tn08-tcp-18037 origin_pool/tailscale-egress-tn08-tcp-18037.json
apply origin_pools egress tailscale-egress-tn08-tcp-18038 origin_pool/tailscale-egress-tn08-tcp-18038.json
apply origin_pools egress tailscale-egress-tn08-tcp-18039 origin_pool/tailscale-egress-tn08-tcp-18039.json
apply origin_pools egress tailscale-egress-tn09-tcp-19000 origin_pool/tailscale-egress-tn09-tcp-19000.json
apply origin_pools egress tailscale-egress-tn09-tcp-19001 origin_pool/tailscale-egress-tn09-tcp-19001.json
apply origin_pools egress tailscale-egress-tn09-tcp-19002 origin_pool/tailscale-egress-tn09-tcp-19002.json
apply origin_pools egress tailscale-egress-tn09-tcp-19003 origin_pool/tailscale-egress-tn09-tcp-19003.json
apply origin_pools egress tailscale-egress-tn09-tcp-19004 origin_pool/tailscale-egress-tn09-tcp-19004.json
apply origin_pools egress tailscale-egress-tn09-tcp-19005 origin_pool/tailscale-egress-tn09-tcp-19005.json
apply origin_pools egress tailscale-egress-tn09-tcp-19006 origin_pool/tailscale-egress-tn09-tcp-19006.json
apply origin_pools egress tailscale-egress-tn09-tcp-19007 origin_pool/tailscale-egress-tn09-tcp-19007.json
apply origin_pools egress tailscale-egress-tn09-tcp-19008 origin_pool/tailscale-egress-tn09-tcp-19008.json
apply origin_pools egress tailscale-egress-tn09-tcp-19009 origin_pool/tailscale-egress-tn09-tcp-19009.json
apply origin_pools egress tailscale-egress-tn09-tcp-19010 origin_pool/tailscale-egress-tn09-tcp-19010.json
apply origin_pools egress tailscale-egress-tn09-tcp-19011 origin_pool/tailscale-egress-tn09-tcp-19011.json
apply origin_pools egress tailscale-egress-tn09-tcp-19012 origin_pool/tailscale-egress-tn09-tcp-19012.json
apply origin_pools egress tailscale-egress-tn09-tcp-19013 origin_pool/tailscale-egress-tn09-tcp-19013.json
apply origin_pools egress tailscale-egress-tn09-tcp-19014 origin_pool/tailscale-egress-tn09-tcp-19014.json
apply origin_pools egress tailscale-egress-tn09-tcp-19015 origin_pool/tailscale-egress-tn09-tcp-19015.json
apply origin_pools egress tailscale-egress-tn09-tcp-19016 origin_pool/tailscale-egress-tn09-tcp-19016.json
apply origin_pools egress tailscale-egress-tn09-tcp-19017 origin_pool/tailscale-egress-tn09-tcp-19017.json
apply origin_pools egress tailscale-egress-tn09-tcp-19018 origin_pool/tailscale-egress-tn09-tcp-19018.json
apply origin_pools egress tailscale-egress-tn09-tcp-19019 origin_pool/tailscale-egress-tn09-tcp-19019.json
apply origin_pools egress tailscale-egress-tn09-tcp-19020 origin_pool/tailscale-egress-tn09-tcp-19020.json
apply origin_pools egress tailscale-egress-tn09-tcp-19021 origin_pool/tailscale-egress-tn09-tcp-19021.json
apply origin_pools egress tailscale-egress-tn09-tcp-19022 origin_pool/tailscale-egress-tn09-tcp-19022.json
apply origin_pools egress tailscale-egress-tn09-tcp-19023 origin_pool/tailscale-egress-tn09-tcp-19023.json
apply origin_pools egress tailscale-egress-tn09-tcp-19024 origin_pool/tailscale-egress-tn09-tcp-19024.json
apply origin_pools egress tailscale-egress-tn09-tcp-19025 origin_pool/tailscale-egress-tn09-tcp-19025.json
apply origin_pools egress tailscale-egress-tn09-tcp-19026 origin_pool/tailscale-egress-tn09-tcp-19026.json
apply origin_pools egress tailscale-egress-tn09-tcp-19027 origin_pool/tailscale-egress-tn09-tcp-19027.json
apply origin_pools egress tailscale-egress-tn09-tcp-19028 origin_pool/tailscale-egress-tn09-tcp-19028.json
apply origin_pools egress tailscale-egress-tn09-tcp-19029 origin_pool/tailscale-egress-tn09-tcp-19029.json
apply origin_pools egress tailscale-egress-tn09-tcp-19030 origin_pool/tailscale-egress-tn09-tcp-19030.json
apply origin_pools egress tailscale-egress-tn09-tcp-19031 origin_pool/tailscale-egress-tn09-tcp-19031.json
apply origin_pools egress tailscale-egress-tn09-tcp-19032 origin_pool/tailscale-egress-tn09-tcp-19032.json
apply origin_pools egress tailscale-egress-tn09-tcp-19033 origin_pool/tailscale-egress-tn09-tcp-19033.json
apply origin_pools egress tailscale-egress-tn09-tcp-19034 origin_pool/tailscale-egress-tn09-tcp-19034.json
apply origin_pools egress tailscale-egress-tn09-tcp-19035 origin_pool/tailscale-egress-tn09-tcp-19035.json
apply origin_pools egress tailscale-egress-tn09-tcp-19036 origin_pool/tailscale-egress-tn09-tcp-19036.json
apply origin_pools egress tailscale-egress-tn09-tcp-19037 origin_pool/tailscale-egress-tn09-tcp-19037.json
apply origin_pools egress tailscale-egress-tn09-tcp-19038 origin_pool/tailscale-egress-tn09-tcp-19038.json
apply origin_pools egress tailscale-egress-tn09-tcp-19039 origin_pool/tailscale-egress-tn09-tcp-19039.json
apply origin_pools egress tailscale-egress-tn10-tcp-20000 origin_pool/tailscale-egress-tn10-tcp-20000.json
apply origin_pools egress tailscale-egress-tn10-tcp-20001 origin_pool/tailscale-egress-tn10-tcp-20001.json
apply origin_pools egress tailscale-egress-tn10-tcp-20002 origin_pool/tailscale-egress-tn10-tcp-20002.json
apply origin_pools egress tailscale-egress-tn10-tcp-20003 origin_pool/tailscale-egress-tn10-tcp-20003.json
apply origin_pools egress tailscale-egress-tn10-tcp-20004 origin_pool/tailscale-egress-tn10-tcp-20004.json
apply origin_pools egress tailscale-egress-tn10-tcp-20005 origin_pool/tailscale-egress-tn10-tcp-20005.json
apply origin_pools egress tailscale-egress-tn10-tcp-20006 origin_pool/tailscale-egress-tn10-tcp-20006.json
apply origin_pools egress tailscale-egress-tn10-tcp-20007 origin_pool/tailscale-egress-tn10-tcp-20007.json
apply origin_pools egress tailscale-egress-tn10-tcp-20008 origin_pool/tailscale-egress-tn10-tcp-20008.json
apply origin_pools egress tailscale-egress-tn10-tcp-20009 origin_pool/tailscale-egress-tn10-tcp-20009.json
apply origin_pools egress tailscale-egress-tn10-tcp-20010 origin_pool/tailscale-egress-tn10-tcp-20010.json
apply origin_pools egress tailscale-egress-tn10-tcp-20011 origin_pool/tailscale-egress-tn10-tcp-20011.json
apply origin_pools egress tailscale-egress-tn10-tcp-20012 origin_pool/tailscale-egress-tn10-tcp-20012.json
apply origin_pools egress tailscale-egress-tn10-tcp-20013 origin_pool/tailscale-egress-tn10-tcp-20013.json
apply origin_pools egress tailscale-egress-tn10-tcp-20014 origin_pool/tailscale-egress-tn10-tcp-20014.json
apply origin_pools egress tailscale-egress-tn10-tcp-20015 origin_pool/tailscale-egress-tn10-tcp-20015.json
apply origin_pools egress tailscale-egress-tn10-tcp-20016 origin_pool/tailscale-egress-tn10-tcp-20016.json
apply origin_pools egress tailscale-egress-tn10-tcp-20017 origin_pool/tailscale-egress-tn10-tcp-20017.json
apply origin_pools egress tailscale-egress-tn10-tcp-20018 origin_pool/tailscale-egress-tn10-tcp-20018.json
apply origin_pools egress tailscale-egress-tn10-tcp-20019 origin_pool/tailscale-egress-tn10-tcp-20019.json
apply origin_pools egress tailscale-egress-tn10-tcp-20020 origin_pool/tailscale-egress-tn10-tcp-20020.json
apply origin_pools egress tailscale-egress-tn10-tcp-20021 origin_pool/tailscale-egress-tn10-tcp-20021.json
apply origin_pools egress tailscale-egress-tn10-tcp-20022 origin_pool/tailscale-egress-tn10-tcp-20022.json
apply origin_pools egress tailscale-egress-tn10-tcp-20023 origin_pool/tailscale-egress-tn10-tcp-20023.json
apply origin_pools egress tailscale-egress-tn10-tcp-20024 origin_pool/tailscale-egress-tn10-tcp-20024.json
apply origin_pools egress tailscale-egress-tn10-tcp-20025 origin_pool/tailscale-egress-tn10-tcp-20025.json
apply origin_pools egress tailscale-egress-tn10-tcp-20026 origin_pool/tailscale-egress-tn10-tcp-20026.json
apply origin_pools egress tailscale-egress-tn10-tcp-20027 origin_pool/tailscale-egress-tn10-tcp-20027.json
apply origin_pools egress tailscale-egress-tn10-tcp-20028 origin_pool/tailscale-egress-tn10-tcp-20028.json
apply origin_pools egress tailscale-egress-tn10-tcp-20029 origin_pool/tailscale-egress-tn10-tcp-20029.json
apply origin_pools egress tailscale-egress-tn10-tcp-20030 origin_pool/tailscale-egress-tn10-tcp-20030.json
apply origin_pools egress tailscale-egress-tn10-tcp-20031 origin_pool/tailscale-egress-tn10-tcp-20031.json
apply origin_pools egress tailscale-egress-tn10-tcp-20032 origin_pool/tailscale-egress-tn10-tcp-20032.json
apply origin_pools egress tailscale-egress-tn10-tcp-20033 origin_pool/tailscale-egress-tn10-tcp-20033.json
apply origin_pools egress tailscale-egress-tn10-tcp-20034 origin_pool/tailscale-egress-tn10-tcp-20034.json
apply origin_pools egress tailscale-egress-tn10-tcp-20035 origin_pool/tailscale-egress-tn10-tcp-20035.json
apply origin_pools egress tailscale-egress-tn10-tcp-20036 origin_pool/tailscale-egress-tn10-tcp-20036.json
apply origin_pools egress tailscale-egress-tn10-tcp-20037 origin_pool/tailscale-egress-tn10-tcp-20037.json
apply origin_pools egress tailscale-egress-tn10-tcp-20038 origin_pool/tailscale-egress-tn10-tcp-20038.json
apply origin_pools egress tailscale-egress-tn10-tcp-20039 origin_pool/tailscale-egress-tn10-tcp-20039.json
apply origin_pools egress tailscale-egress-tn11-tcp-21000 origin_pool/tailscale-egress-tn11-tcp-21000.json
apply origin_pools egress tailscale-egress-tn11-tcp-21001 origin_pool/tailscale-egress-tn11-tcp-21001.json
apply origin_pools egress tailscale-egress-tn11-tcp-21002 origin_pool/tailscale-egress-tn11-tcp-21002.json
apply origin_pools egress tailscale-egress-tn11-tcp-21003 origin_pool/tailscale-egress-tn11-tcp-21003.json
apply origin_pools egress tailscale-egress-tn11-tcp-21004 origin_pool/tailscale-egress-tn11-tcp-21004.json
apply origin_pools egress tailscale-egress-tn11-tcp-21005 origin_pool/tailscale-egress-tn11-tcp-21005.json
apply origin_pools egress tailscale-egress-tn11-tcp-21006 origin_pool/tailscale-egress-tn11-tcp-21006.json
apply origin_pools egress tailscale-egress-tn11-tcp-21007 origin_pool/tailscale-egress-tn11-tcp-21007.json
apply origin_pools egress tailscale-egress-tn11-tcp-21008 origin_pool/tailscale-egress-tn11-tcp-21008.json
apply origin_pools egress tailscale-egress-tn11-tcp-21009 origin_pool/tailscale-egress-tn11-tcp-21009.json
apply origin_pools egress tailscale-egress-tn11-tcp-21010 origin_pool/tailscale-egress-tn11-tcp-21010.json
apply origin_pools egress tailscale-egress-tn11-tcp-21011 origin_pool/tailscale-egress-tn11-tcp-21011.json
apply origin_pools egress tailscale-egress-tn11-tcp-21012 origin_pool/tailscale-egress-tn11-tcp-21012.json
apply origin_pools egress tailscale-egress-tn11-tcp-21013 origin_pool/tailscale-egress-tn11-tcp-21013.json
apply origin_pools egress tailscale-egress-tn11-tcp-21014 origin_pool/tailscale-egress-tn11-tcp-21014.json
apply origin_pools egress tailscale-egress-tn11-tcp-21015 origin_pool/tailscale-egress-tn11-tcp-21015.json
apply origin_pools egress tailscale-egress-tn11-tcp-21016 origin_pool/tailscale-egress-tn11-tcp-21016.json
apply origin_pools egress tailscale-egress-tn11-tcp-21017 origin_pool/tailscale-egress-tn11-tcp-21017.json
apply origin_pools egress tailscale-egress-tn11-tcp-21018 origin_pool/tailscale-egress-tn11-tcp-21018.json
apply origin_pools egress tailscale-egress-tn11-tcp-21019 origin_pool/tailscale-egress-tn11-tcp-21019.json
apply origin_pools egress tailscale-egress-tn11-tcp-21020 origin_pool/tailscale-egress-tn11-tcp-21020.json
apply origin_pools egress tailscale-egress-tn11-tcp-21021 origin_pool/tailscale-egress-tn11-tcp-21021.json
apply origin_pools egress tailscale-egress-tn11-tcp-21022 origin_pool/tailscale-egress-tn11-tcp-21022.json
apply origin_pools egress tailscale-egress-tn11-tcp-21023 origin_pool/tailscale-egress-tn11-tcp-21023.json
apply origin_pools egress tailscale-egress-tn11-tcp-21024 origin_pool/tailscale-egress-tn11-tcp-21024.json
apply origin_pools egress tailscale-egress-tn11-tcp-21025 origin_pool/tailscale-egress-tn11-tcp-21025.json
apply origin_pools egress tailscale-egress-tn11-tcp-21026 origin_pool/tailscale-egress-tn11-tcp-21026.json
apply origin_pools egress tailscale-egress-tn11-tcp-21027 origin_pool/tailscale-egress-tn11-tcp-21027.json
apply origin_pools egress tailscale-egress-tn11-tcp-21028 origin_pool/tailscale-egress-tn11-tcp-21028.json
apply origin_pools egress tailscale-egress-tn11-tcp-21029 origin_pool/tailscale-egress-tn11-tcp-21029.json
apply origin_pools egress tailscale-egress-tn11-tcp-21030 origin_pool/tailscale-egress-tn11-tcp-21030.json
apply origin_pools egress tailscale-egress-tn11-tcp-21031 origin_pool/tailscale-egress-tn11-tcp-21031.json
apply origin_pools egress tailscale-egress-tn11-tcp-21032 origin_pool/tailscale-egress-tn11-tcp-21032.json
apply origin_pools egress tailscale-egress-tn11-tcp-21033 origin_pool/tailscale-egress-tn11-tcp-21033.json
apply origin_pools egress tailscale-egress-tn11-tcp-21034 origin_pool/tailscale-egress-tn11-tcp-21034.json
apply origin_pools egress tailscale-egress-tn11-tcp-21035 origin_pool/tailscale-egress-tn11-tcp-21035.json
apply origin_pools egress tailscale-egress-tn11-tcp-21036 origin_pool/tailscale-egress-tn11-tcp-21036.json
apply origin_pools egress tailscale-egress-tn11-tcp-21037 origin_pool/tailscale-egress-tn11-tcp-21037.json
apply origin_pools egress tailscale-egress-tn11-tcp-21038 origin_pool/tailscale-egress-tn11-tcp-21038.json
apply origin_pools egress tailscale-egress-tn11-tcp-21039 origin_pool/tailscale-egress-tn11-tcp-21039.json
