{{/*
The port plan, as JSON: the same object as planPorts() in tools/src/plan/ports.ts.
Service s of tailnet slot t listens on 10000 + t*1000 + s (or its listenPort); the tailnet's HTTP proxy
is on 127.0.0.1:(10550 + t). Services get the cluster ts-<tailnet>, or ts-<tailnet>-ct<ms>ms when their
connect timeout differs from the tailnet's.
*/}}
{{- define "tailscale-egress.plan" -}}
{{- $v := .Values -}}
{{- $defaultMs := include "tailscale-egress.durationMs" $v.envoy.connectTimeout | atoi -}}
{{- $tailnets := list -}}
{{- $services := list -}}
{{- $clusters := list -}}
{{- $seen := dict -}}
{{- range $t, $tn := $v.tailnets -}}
{{- $slot := $t -}}
{{- if hasKey $tn "slot" }}{{ $slot = int $tn.slot }}{{ end -}}
{{- $proxyPort := add 10550 $slot -}}
{{- $base := printf "ts-%s" $tn.name -}}
{{- $tnMs := $defaultMs -}}
{{- if hasKey $tn "connectTimeout" }}{{ $tnMs = include "tailscale-egress.durationMs" $tn.connectTimeout | atoi }}{{ end -}}
{{- $clusters = append $clusters (dict "name" $base "tailnet" $tn.name "proxyPort" $proxyPort "connectTimeout" (include "tailscale-egress.envoyDuration" $tnMs)) -}}
{{- $_ := set $seen $base true -}}
{{- $tnServices := list -}}
{{- range $s, $svc := $tn.services -}}
{{- $listenPort := add 10000 (mul $slot 1000) $s -}}
{{- if hasKey $svc "listenPort" }}{{ $listenPort = int $svc.listenPort }}{{ end -}}
{{- $portName := printf "tcp-%d" $listenPort -}}
{{- if hasKey $svc "name" }}{{ $portName = $svc.name }}{{ end -}}
{{- $ms := $tnMs -}}
{{- if hasKey $svc "connectTimeout" }}{{ $ms = include "tailscale-egress.durationMs" $svc.connectTimeout | atoi }}{{ end -}}
{{- $cluster := $base -}}
{{- if ne $ms $tnMs -}}
{{- $cluster = printf "%s-ct%dms" $base $ms -}}
{{- if not (hasKey $seen $cluster) -}}
{{- $clusters = append $clusters (dict "name" $cluster "tailnet" $tn.name "proxyPort" $proxyPort "connectTimeout" (include "tailscale-egress.envoyDuration" $ms)) -}}
{{- $_ := set $seen $cluster true -}}
{{- end -}}
{{- end -}}
{{- $host := ternary (printf "[%s]" $svc.host) $svc.host (contains ":" $svc.host) -}}
{{- $entry := dict "path" (printf "tailnets[%d].services[%d]" $t $s) "tailnet" $tn.name "index" $s "listenPort" $listenPort "portName" $portName "host" $svc.host "port" (int $svc.port) "target" (printf "%s:%d" $host (int $svc.port)) "statPrefix" (printf "%s.%s" $tn.name $portName) "cluster" $cluster "connectTimeout" (include "tailscale-egress.envoyDuration" $ms) -}}
{{- $tnServices = append $tnServices $entry -}}
{{- $services = append $services $entry -}}
{{- end -}}
{{- $tailnets = append $tailnets (dict "path" (printf "tailnets[%d]" $t) "name" $tn.name "index" $t "slot" $slot "proxyPort" $proxyPort "cluster" $base "services" $tnServices) -}}
{{- end -}}
{{- $reserved := list (dict "name" "envoy-admin" "port" (int $v.envoy.adminPort) "owner" "envoy.adminPort") -}}
{{- toJson (dict "tailnets" $tailnets "services" $services "clusters" $clusters "reserved" $reserved) -}}
{{- end -}}

{{/* Milliseconds of a duration written as 500ms or 1.5s (templates/_validate.tpl refuses any other form). */}}
{{- define "tailscale-egress.durationMs" -}}
{{- if hasSuffix "ms" . -}}
{{- trimSuffix "ms" . | atoi -}}
{{- else -}}
{{- round (mulf (trimSuffix "s" . | float64) 1000) 0 | int -}}
{{- end -}}
{{- end -}}

{{/* Envoy's protobuf JSON duration for a number of milliseconds: 5s or 0.500s. */}}
{{- define "tailscale-egress.envoyDuration" -}}
{{- $ms := int . -}}
{{- if eq (mod $ms 1000) 0 -}}
{{- printf "%ds" (div $ms 1000) -}}
{{- else -}}
{{- printf "%d.%03ds" (div $ms 1000) (mod $ms 1000) -}}
{{- end -}}
{{- end -}}
