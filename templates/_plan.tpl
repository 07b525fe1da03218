{{/*
The port plan, as JSON: the same object as planPorts() in tools/src/plan/ports.ts.
Service s of tailnet slot t listens on 10000 + t*1000 + s (or its listenPort); the tailnet's HTTP proxy
is on 127.0.0.1:(10550 + t). Each service gets its own cluster, <tailnet>_<portName>.
*/}}
{{- define "tailscale-egress.plan.compute" -}}
{{- /* Written as a stream of JSON text: appending to a list copies it, which is quadratic at 5,500 ports. */ -}}
{{- $v := .Values -}}
{{- $defaultMs := include "tailscale-egress.plan.durationMs" $v.envoy.connectTimeout | atoi -}}
{{- $tailnets := list -}}
{{- range $t, $tn := $v.tailnets -}}
{{- $slot := $t -}}
{{- if hasKey $tn "slot" }}{{ $slot = int $tn.slot }}{{ end -}}
{{- $tnMs := $defaultMs -}}
{{- if hasKey $tn "connectTimeout" }}{{ $tnMs = include "tailscale-egress.plan.durationMs" $tn.connectTimeout | atoi }}{{ end -}}
{{- $tailnets = append $tailnets (dict
  "path" (printf "tailnets[%d]" $t)
  "name" $tn.name
  "index" $t
  "slot" $slot
  "proxyPort" (add 10550 $slot)
  "localPort" (add (int $v.tailscale.localPortBase) $slot)
  "ms" $tnMs) -}}
{{- end -}}
{"tailnets":{{ toJson $tailnets }},"services":[
{{- $first := true -}}
{{- range $tn := $tailnets -}}
{{- $values := index $v.tailnets (int $tn.index) -}}
{{- range $s, $svc := $values.services -}}
{{- $listenPort := add 10000 (mul $tn.slot 1000) $s -}}
{{- if hasKey $svc "listenPort" }}{{ $listenPort = int $svc.listenPort }}{{ end -}}
{{- $portName := printf "tcp-%d" $listenPort -}}
{{- if hasKey $svc "name" }}{{ $portName = $svc.name }}{{ end -}}
{{- $ms := $tn.ms -}}
{{- if hasKey $svc "connectTimeout" }}{{ $ms = include "tailscale-egress.plan.durationMs" $svc.connectTimeout | atoi }}{{ end -}}
{{- $host := ternary (printf "[%s]" $svc.host) $svc.host (contains ":" $svc.host) -}}
{{- $check := $v.envoy.targetCheck.enabled -}}
{{- if hasKey $svc "targetCheck" }}{{ $check = $svc.targetCheck }}{{ end -}}
{{- if not $first }},{{ end }}{{ $first = false -}}
{{- toJson (dict
  "path" (printf "tailnets[%d].services[%d]" (int $tn.index) $s)
  "tailnet" $tn.name
  "index" $s
  "listenPort" $listenPort
  "portName" $portName
  "host" $svc.host
  "port" (int $svc.port)
  "target" (printf "%s:%d" $host (int $svc.port))
  "statPrefix" (printf "%s.%s" $tn.name $portName)
  "cluster" (printf "%s_%s" $tn.name $portName)
  "connectTimeout" (include "tailscale-egress.plan.envoyDuration" $ms)
  "targetCheck" $check) -}}
{{- end -}}
{{- end -}}
],"reserved":{{ toJson (list
  (dict "name" "envoy-admin" "port" (int $v.envoy.adminPort) "owner" "envoy.adminPort")
  (dict "name" "health" "port" (int $v.envoy.healthPort) "owner" "envoy.healthPort")) }}}
{{- end -}}

{{/*
The plan object, computed once per render: Helm shares the root chart's .Values map between templates,
so the first template that needs the plan stores it there under "tailscale-egress/plan" and the others
reuse it (at 55 x 100 ports it is the bulk of the rendering time). Callers include this, then read
(index .Values "tailscale-egress/plan").
*/}}
{{- define "tailscale-egress.plan.ensure" -}}
{{- if not (hasKey .Values "tailscale-egress/plan") -}}
{{- $_ := set .Values "tailscale-egress/plan" (include "tailscale-egress.plan.compute" . | fromJson) -}}
{{- end -}}
{{- end -}}

{{/* Milliseconds of a duration written as 500ms or 1.5s (templates/_validate.tpl refuses any other form). */}}
{{- define "tailscale-egress.plan.durationMs" -}}
{{- if hasSuffix "ms" . -}}
{{- trimSuffix "ms" . | atoi -}}
{{- else -}}
{{- round (mulf (trimSuffix "s" . | float64) 1000) 0 | int -}}
{{- end -}}
{{- end -}}

{{/* Envoy's protobuf JSON duration for a number of milliseconds: 5s or 0.500s. */}}
{{- define "tailscale-egress.plan.envoyDuration" -}}
{{- $ms := int . -}}
{{- if eq (mod $ms 1000) 0 -}}
{{- printf "%ds" (div $ms 1000) -}}
{{- else -}}
{{- printf "%d.%03ds" (div $ms 1000) (mod $ms 1000) -}}
{{- end -}}
{{- end -}}