{{/*
Cross-field rules that JSON Schema cannot express clearly. Same rules, order and messages as
tools/src/values/rules.ts; the chart fails on the first one broken, before anything is rendered.
*/}}
{{- define "tailscale-egress.validate.rules" -}}
{{- $v := .Values -}}
{{- $full := include "tailscale-egress.helpers.fullname" . -}}
{{- $tagRe := "^tag:[A-Za-z0-9][-A-Za-z0-9_]*$" -}}
{{- if gt (len $full) 52 -}}
{{- fail (printf (print
  "fullnameOverride: the full name %q is %d characters; it names the StatefulSet and must be at most 52 "
  "(set a shorter release name or fullnameOverride)") $full (len $full)) -}}
{{- end -}}
{{- range $i, $tag := $v.tailscale.tags -}}
{{- if not (regexMatch $tagRe $tag) -}}
{{- fail (printf "tailscale.tags[%d]: %q must be an ACL tag of the form tag:<name> (e.g. tag:f5xc-egress)" $i $tag) -}}
{{- end -}}
{{- end -}}
{{- if and $v.rbac.create (eq $v.tailscale.state "kubeSecret") (not $v.serviceAccount.create) (not $v.serviceAccount.name) -}}
{{- fail (print
  "serviceAccount.name: rbac.create would bind the state Secrets' Role to the namespace's \"default\" ServiceAccount, "
  "which every other pod there shares: with serviceAccount.create: false, name the ServiceAccount the pod runs as, "
  "or set rbac.create: false and bring your own Role and RoleBinding") -}}
{{- end -}}
{{- $seenTailnet := dict -}}
{{- $seenSlot := dict -}}
{{- range $t, $tn := $v.tailnets -}}
{{- $p := printf "tailnets[%d]" $t -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $tn.name) -}}
{{- fail (printf "%s.name: %q is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit" $p $tn.name) -}}
{{- end -}}
{{- if hasKey $seenTailnet $tn.name -}}
{{- fail (printf "%s.name: %q is already the name of tailnets[%v]; tailnet names must be unique" $p $tn.name (get $seenTailnet $tn.name)) -}}
{{- end -}}
{{- $_ := set $seenTailnet $tn.name $t -}}
{{- $names := list (printf "ts-%s" $tn.name) (printf "ts-%s-run" $tn.name) -}}
{{- if eq $v.tailscale.state "kubeSecret" }}{{ $names = append $names (printf "%s-%d-%s-state" $full (sub (int $v.replicas) 1) $tn.name) }}{{ end -}}
{{- $longest := "" -}}
{{- range $names }}{{ if gt (len .) (len $longest) }}{{ $longest = . }}{{ end }}{{ end -}}
{{- if gt (len $longest) 63 -}}
{{- fail (printf
  "%s.name: %q makes the name %q %d characters long; names must be at most 63 (shorten the tailnet name or fullnameOverride)"
  $p $tn.name $longest (len $longest)) -}}
{{- end -}}
{{- $slot := $t -}}
{{- if hasKey $tn "slot" }}{{ $slot = int $tn.slot }}{{ end -}}
{{- if hasKey $seenSlot (toString $slot) -}}
{{- fail (printf "%s.slot: slot %d is already used by tailnets[%v]; each tailnet needs its own slot (0..55)" $p $slot (get $seenSlot (toString $slot))) -}}
{{- end -}}
{{- $_ := set $seenSlot (toString $slot) $t -}}
{{- $creds := list -}}
{{- range (list "authKey" "existingSecret" "oauth") }}{{ if hasKey $tn . }}{{ $creds = append $creds . }}{{ end }}{{ end -}}
{{- if ne (len $creds) 1 -}}
{{- $given := ternary (printf "%s are set" (join " and " $creds)) "no credentials" (gt (len $creds) 0) -}}
{{- fail (printf "%s: %s: set exactly one of authKey, existingSecret and oauth" $p $given) -}}
{{- end -}}
{{- if hasKey $tn "oauth" -}}
{{- $o := $tn.oauth -}}
{{- $inline := or (hasKey $o "clientId") (hasKey $o "clientSecret") -}}
{{- $bad := not (and (hasKey $o "clientId") (hasKey $o "clientSecret")) -}}
{{- if hasKey $o "existingSecret" }}{{ $bad = $inline }}{{ end -}}
{{- if $bad -}}
{{- fail (printf "%s.oauth: give either clientId and clientSecret (kept in the chart's Secret) or existingSecret" $p) -}}
{{- end -}}
{{- if and (hasKey $o "clientSecret") (not (hasPrefix "tskey-client-" $o.clientSecret)) -}}
{{- fail (printf (print
  "%s.oauth.clientSecret: must be a Tailscale OAuth client secret (tskey-client-...); "
  "containerboot would use any other value as an auth key") $p) -}}
{{- end -}}
{{- if not ($tn.tags | default $v.tailscale.tags) -}}
{{- fail (printf "%s.oauth: OAuth credentials mint tagged auth keys and need ACL tags: set %s.tags or tailscale.tags" $p $p) -}}
{{- end -}}
{{- end -}}
{{- if and (hasKey $tn "loginServer") (not (regexMatch "^https?://[^\\s/?#]+(/[^\\s]*)?$" $tn.loginServer)) -}}
{{- fail (printf "%s.loginServer: %q is not an http(s) URL (e.g. https://headscale.example.com)" $p $tn.loginServer) -}}
{{- end -}}
{{- range $i, $tag := ($tn.tags | default list) -}}
{{- if not (regexMatch $tagRe $tag) -}}
{{- fail (printf "%s.tags[%d]: %q must be an ACL tag of the form tag:<name> (e.g. tag:f5xc-egress)" $p $i $tag) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $tn "connectTimeout" -}}
{{- include "tailscale-egress.validate.timeout" (dict "path" (printf "%s.connectTimeout" $p) "value" $tn.connectTimeout) -}}
{{- end -}}
{{- range $s, $svc := $tn.services -}}
{{- $sp := printf "%s.services[%d]" $p $s -}}
{{- $dns := "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?$" -}}
{{- $ipv6 := "^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$" -}}
{{- if or (gt (len $svc.host) 253) (not (or (regexMatch $dns $svc.host) (regexMatch $ipv6 $svc.host))) -}}
{{- fail (printf (print
  "%s.host: %q must be a bare host name or IP address, without scheme, path, port or spaces "
  "(e.g. web.corp.ts.net, 100.64.0.5 or fd7a:115c:a1e0::5)") $sp $svc.host) -}}
{{- end -}}
{{- if eq ($svc.protocol | default "tcp") "udp" -}}
{{- fail (printf "%s.protocol: udp is not supported: traffic is carried in an HTTP CONNECT tunnel, which cannot carry UDP; use tcp" $sp) -}}
{{- end -}}
{{- if hasKey $svc "connectTimeout" -}}
{{- include "tailscale-egress.validate.timeout" (dict "path" (printf "%s.connectTimeout" $sp) "value" $svc.connectTimeout) -}}
{{- end -}}
{{- if hasKey $svc "name" -}}
{{- $n := $svc.name -}}
{{- if or (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $n)) (gt (len $n) 15) (not (regexMatch "[a-z]" $n)) (contains "--" $n) -}}
{{- fail (printf (print
  "%s.name: %q is not a valid port name: use at most 15 lowercase letters, digits and '-', with at least one letter, "
  "no '--', starting and ending with a letter or digit") $sp $n) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- include "tailscale-egress.validate.timeout" (dict "path" "envoy.connectTimeout" "value" $v.envoy.connectTimeout) -}}
{{- include "tailscale-egress.validate.timeout" (dict "path" "envoy.targetCheck.interval" "value" $v.envoy.targetCheck.interval) -}}
{{- include "tailscale-egress.validate.timeout" (dict "path" "envoy.targetCheck.timeout" "value" $v.envoy.targetCheck.timeout) -}}
{{- $promRule := "must be a Prometheus duration (a whole number and one unit of ms, s, m, h, d, w or y)" -}}
{{- range $name, $a := $v.metrics.prometheusRule.alerts -}}
{{- if not (regexMatch "^[0-9]+(ms|s|m|h|d|w|y)$" (toString $a.for)) -}}
{{- fail (printf "metrics.prometheusRule.alerts.%s.for: %q %s, such as 0s, 30s, 5m or 1h" $name (toString $a.for) $promRule) -}}
{{- end -}}
{{- if and (hasKey $a "window") (not (regexMatch "^0*[1-9][0-9]*(ms|s|m|h|d|w|y)$" (toString $a.window))) -}}
{{- fail (printf "metrics.prometheusRule.alerts.%s.window: %q %s greater than 0, such as 30s, 5m or 1h" $name (toString $a.window) $promRule) -}}
{{- end -}}
{{- end -}}
{{- $cpu := include "tailscale-egress.envoy.derivingCpuLimit" . -}}
{{- if and $cpu (not (regexMatch "^([0-9]+m|[0-9]+(\\.[0-9]+)?)$" $cpu)) -}}
{{- fail (printf (print
  "envoy.resources.limits.cpu: %q is not a CPU quantity envoy.concurrency can be derived from: "
  "use millicores or cores (e.g. 500m, 2 or 1.5), or set envoy.concurrency") $cpu) -}}
{{- end -}}
{{- /* Ports: every port the pod binds is distinct and within range. */ -}}
{{- include "tailscale-egress.plan.ensure" . -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- $owners := dict -}}
{{- range $plan.reserved -}}
{{- include "tailscale-egress.validate.claimPort" (dict "owners" $owners "port" (int .port) "owner" .owner "path" .owner) -}}
{{- end -}}
{{- range $plan.tailnets -}}
{{- include "tailscale-egress.validate.claimPort" (dict
  "owners" $owners
  "port" (int .proxyPort)
  "owner" (printf "the HTTP proxy of %s (%q)" .path .name)
  "path" (printf "%s.slot" .path)) -}}
{{- include "tailscale-egress.validate.claimPort" (dict
  "owners" $owners
  "port" (int .localPort)
  "owner" (printf "the health and metrics port of %s (%q)" .path .name)
  "path" (printf "%s.slot" .path)) -}}
{{- end -}}
{{- $portNames := dict "health" "envoy.healthPort" -}}
{{- range $svc := $plan.services -}}
{{- $port := int $svc.listenPort -}}
{{- /* The common case costs two map operations; messages are built only when something is wrong. */ -}}
{{- if or (gt $port 65535) (hasKey $owners (toString $port)) -}}
{{- include "tailscale-egress.validate.claimPort" (dict "owners" $owners "port" $port "owner" $svc "path" $svc.path) -}}
{{- end -}}
{{- $_ := set $owners (toString $port) $svc -}}
{{- if hasKey $portNames $svc.portName -}}
{{- fail (printf "%s.name: port name %q is already used by %s; service names must be unique across all tailnets"
  $svc.path $svc.portName (get $portNames $svc.portName)) -}}
{{- end -}}
{{- $_ := set $portNames $svc.portName $svc.path -}}
{{- end -}}
{{- include "tailscale-egress.validate.sizes" . -}}
{{- end -}}

{{/*
The API server refuses a ConfigMap or Secret whose data values add up to more than 1 MiB (1048576 bytes).
Checked here, after every other rule, so that whatever `helm template` accepts, the API server accepts.
Same check and message as tools/src/values/sizes.ts. The alternative size without access logs is rendered
only when the check fails.
*/}}
{{- define "tailscale-egress.validate.sizes" -}}
{{- $limit := 1048576 -}}
{{- $sizes := include "tailscale-egress.envoy.configMapBytes" . | fromJson -}}
{{- $over := "" -}}
{{- range (include "tailscale-egress.envoy.configMaps" . | fromJsonArray) -}}
{{- if and (not $over) (gt (int (get $sizes .suffix)) $limit) }}{{ $over = .suffix }}{{ end -}}
{{- end -}}
{{- if $over -}}
{{- $bytes := int (get $sizes $over) -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- $services := len $plan.services -}}
{{- $saving := "envoy.accessLog is already false" -}}
{{- if .Values.envoy.accessLog -}}
{{- $_ := set .Values.envoy "accessLog" false -}}
{{- $_ := unset .Values "tailscale-egress/envoyFiles" -}}
{{- $without := int (get (include "tailscale-egress.envoy.configMapBytes" . | fromJson) $over) -}}
{{- $saving = printf "envoy.accessLog: false would save %d bytes (%d left)" (sub $bytes $without) $without -}}
{{- if eq $without $bytes }}{{ $saving = "envoy.accessLog does not change its size" }}{{ end -}}
{{- end -}}
{{- fail (printf (print
  "tailnets: the Envoy ConfigMap %s-%s would hold %d bytes of data, over the %d bytes that the Kubernetes API accepts "
  "in one ConfigMap (%d services in %d tailnets; about %d such services fit). "
  "Put fewer services in this release, or split the tailnets across releases; %s")
  (include "tailscale-egress.helpers.fullname" .) $over $bytes $limit $services (len $plan.tailnets)
  (div (mul $services $limit) $bytes) $saving) -}}
{{- end -}}
{{- $secret := 0 -}}
{{- range .Values.tailnets -}}
{{- $secret = add $secret (len (.authKey | default "")) -}}
{{- with .oauth }}{{ $secret = add $secret (len (.clientId | default "")) (len (.clientSecret | default "")) }}{{ end -}}
{{- end -}}
{{- if gt $secret $limit -}}
{{- fail (printf (print
  "tailnets: the auth-key Secret would hold %d bytes of data, over the %d bytes that the Kubernetes API accepts "
  "in one Secret; give the keys with existingSecret instead") $secret $limit) -}}
{{- end -}}
{{- end -}}

{{/*
Records in owners (a dict of port to owner) that a port is bound, failing when it is out of range or already
bound. An owner is a description or a planned service; path is the values field the message names.
Usage: {{ include "tailscale-egress.validate.claimPort" (dict "owners" $owners "port" 10550 "owner" "the HTTP proxy" "path" "tailnets[0].slot") }}
*/}}
{{- define "tailscale-egress.validate.claimPort" -}}
{{- $owners := .owners -}}
{{- $port := .port -}}
{{- $owner := include "tailscale-egress.validate.portOwner" .owner -}}
{{- $path := .path -}}
{{- if gt $port 65535 -}}
{{- fail (printf "%s: port %d of %s is above 65535" $path $port $owner) -}}
{{- end -}}
{{- if hasKey $owners (toString $port) -}}
{{- $other := include "tailscale-egress.validate.portOwner" (get $owners (toString $port)) -}}
{{- fail (printf "%s: port %d of %s collides with %s; every port in the pod must be distinct" $path $port $owner $other) -}}
{{- end -}}
{{- $_ := set $owners (toString $port) $owner -}}
{{- end -}}

{{/* A port's owner as text: a description as is, or a planned service with its path, tailnet and target. */}}
{{- define "tailscale-egress.validate.portOwner" -}}
{{- if kindIs "string" . -}}
{{- . -}}
{{- else -}}
{{- printf "%s (tailnet %q, host %s:%d)" .path .tailnet .host (int .port) -}}
{{- end -}}
{{- end -}}

{{/*
Fails unless value is a duration greater than 0 written as 500ms or 1.5s; path is the values field it came from.
Usage: {{ include "tailscale-egress.validate.timeout" (dict "path" "envoy.connectTimeout" "value" .Values.envoy.connectTimeout) }}
*/}}
{{- define "tailscale-egress.validate.timeout" -}}
{{- $path := .path -}}
{{- $text := .value -}}
{{- if or (not (regexMatch "^([0-9]+ms|[0-9]+(\\.[0-9]{1,3})?s)$" $text)) (lt (include "tailscale-egress.plan.durationMs" $text | atoi) 1) -}}
{{- fail (printf "%s: %q must be a duration greater than 0, such as 500ms, 5s or 1.5s" $path $text) -}}
{{- end -}}
{{- end -}}