{{/*
Envoy's files, as JSON: the same objects as planEnvoy() in tools/src/plan/envoy.ts.
Bootstrap with file-based LDS/CDS/RDS watched in /etc/envoy (a directory mount, so kubelet's atomic ..data
swap reaches Envoy without a restart); a health/metrics listener whose routes are in RDS; one tcp_proxy
listener per service tunnelling with HTTP CONNECT; one cluster per service pointing at its tailnet's loopback
HTTP proxy, checking the target through the tunnel (or the tailnet's /healthz); one health cluster per tailnet.
*/}}
{{/*
An Envoy socket address, as JSON.
Usage: {{ include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" .Values.envoy.adminPort) | fromJson }}
*/}}
{{- define "tailscale-egress.envoy.socket" -}}
{{- toJson (dict "socket_address" (dict "address" .address "port_value" (int .port))) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.pathSource" -}}
{{- toJson (dict "resource_api_version" "V3" "path_config_source" (dict "path" (printf "/etc/envoy/%s" .) "watched_directory" (dict "path" "/etc/envoy"))) -}}
{{- end -}}

{{/* Envoy's form of a values duration. */}}
{{- define "tailscale-egress.envoy.dur" -}}
{{- include "tailscale-egress.plan.envoyDuration" (include "tailscale-egress.plan.durationMs" . | atoi) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.bootstrap" -}}
{{- $name := include "tailscale-egress.helpers.fullname" . -}}
{{- $limit := dict
  "@type" "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig"
  "max_active_downstream_connections" (int .Values.envoy.maxDownstreamConnections) -}}
{{- $tags := list
  (dict "tag_name" "tailnet" "regex" "^cluster\\.(([a-z0-9-]+)_)[a-z0-9-]+\\.")
  (dict "tag_name" "service" "regex" "^cluster\\.[a-z0-9-]+_(([a-z0-9-]+)\\.)")
  (dict "tag_name" "tailnet" "regex" "^tcp\\.(([a-z0-9-]+)\\.)[a-z0-9-]+\\.")
  (dict "tag_name" "service" "regex" "^tcp\\.[a-z0-9-]+\\.(([a-z0-9-]+)\\.)") -}}
{{- toJson (dict
  "node" (dict "id" $name "cluster" $name)
  "admin" (dict "address" (include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" .Values.envoy.adminPort) | fromJson))
  "dynamic_resources" (dict
    "lds_config" (include "tailscale-egress.envoy.pathSource" "lds.json" | fromJson)
    "cds_config" (include "tailscale-egress.envoy.pathSource" "cds.json" | fromJson))
  "stats_config" (dict "stats_tags" $tags)
  "overload_manager" (dict "resource_monitors" (list (dict "name" "envoy.resource_monitors.global_downstream_max_connections" "typed_config" $limit)))) -}}
{{- end -}}

{{/*
A service's tcp_proxy listener. idleTimeout is in Envoy's form, converted once by the caller; Envoy's own
default (3600s) is left out. Filter and logger names are free labels, kept short (planEnvoy says why).
Usage: {{ include "tailscale-egress.envoy.listener" (dict "root" $ "service" $plannedService "idleTimeout" $idle) }}
*/}}
{{- define "tailscale-egress.envoy.listener" -}}
{{- $v := .root.Values -}}
{{- $svc := .service -}}
{{- $tcp := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"
  "stat_prefix" $svc.statPrefix
  "cluster" $svc.cluster
  "tunneling_config" (dict "hostname" $svc.target) -}}
{{- if ne .idleTimeout "3600s" }}{{ $_ := set $tcp "idle_timeout" .idleTimeout }}{{ end -}}
{{- if $v.envoy.accessLog -}}
{{- $format := dict
  "start_time" "%START_TIME%"
  "tailnet" $svc.tailnet
  "service" $svc.portName
  "listen_port" (int $svc.listenPort)
  "target" $svc.target
  "downstream" "%DOWNSTREAM_REMOTE_ADDRESS%"
  "response_flags" "%RESPONSE_FLAGS%"
  "upstream_failure" "%UPSTREAM_TRANSPORT_FAILURE_REASON%"
  "termination" "%CONNECTION_TERMINATION_DETAILS%"
  "bytes_received" "%BYTES_RECEIVED%"
  "bytes_sent" "%BYTES_SENT%"
  "duration_ms" "%DURATION%" -}}
{{- $_ := set $tcp "access_log" (list (dict
  "name" "stdout"
  "typed_config" (dict
    "@type" "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"
    "log_format" (dict "json_format" $format)))) -}}
{{- end -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.listener.v3.Listener"
  "name" (printf "listener-%d" (int $svc.listenPort))
  "address" (dict "socket_address" (dict "address" "0.0.0.0" "port_value" (int $svc.listenPort)))
  "per_connection_buffer_limit_bytes" (int $v.envoy.bufferLimitBytes)
  "filter_chains" (list (dict "filters" (list (dict "name" "tcp_proxy" "typed_config" $tcp))))) -}}
{{- end -}}

{{/*
The health port's routes (RDS). /ready/<tailnet>/<service> routes to the service's cluster: 503 from Envoy when
its target is down, else the tailnet proxy's 400, which the health listener turns into 200.
Usage: {{ include "tailscale-egress.envoy.healthRoutes" (dict "root" $ "plan" $plan) }}
*/}}
{{- define "tailscale-egress.envoy.healthRoutes" -}}
{{- $v := .root.Values -}}
{{- $plan := .plan -}}
{{- $fault := "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault" -}}
{{- $drain := dict "@type" $fault "delay" (dict
  "fixed_delay" (printf "%ds" (int $v.termination.drainSeconds))
  "percentage" (dict "numerator" 100 "denominator" "HUNDRED")) -}}
{{- $routes := list
  (dict "match" (dict "path" "/live") "direct_response" (dict "status" 200 "body" (dict "inline_string" "live\n")))
  (dict "match" (dict "path" "/ready") "route" (dict "cluster" "envoy-admin" "timeout" "2s"))
  (dict "match" (dict "path" "/stats/prometheus") "route" (dict "cluster" "envoy-admin" "timeout" "10s"))
  (dict
    "match" (dict "path" "/drain-wait")
    "direct_response" (dict "status" 200 "body" (dict "inline_string" "drained\n"))
    "typed_per_filter_config" (dict "envoy.filters.http.fault" $drain)) -}}
{{- /* Streamed as JSON text, keys in Go's sorted order: appending to $routes per service would be quadratic. */ -}}
{"@type":"type.googleapis.com/envoy.config.route.v3.RouteConfiguration","name":"health","virtual_hosts":[{"domains":["*"],"name":"health","routes":[
{{- range $i, $r := $routes }}{{ if $i }},{{ end }}{{ toJson $r }}{{ end -}}
{{- $start := 0 -}}
{{- range $plan.tailnets -}}
{{- $cluster := printf "health-%s" .name -}}
,{{ toJson (dict
  "match" (dict "path" (printf "/ready/%s" .name))
  "route" (dict "cluster" $cluster "prefix_rewrite" "/healthz" "timeout" "2s")) -}}
,{{ toJson (dict
  "match" (dict "path" (printf "/metrics/%s" .name))
  "route" (dict "cluster" $cluster "prefix_rewrite" "/metrics" "timeout" "10s")) -}}
{{- $end := add $start (len (index $v.tailnets (int .index)).services) -}}
{{- range (slice $plan.services $start $end) -}}
,{{ toJson (dict "match" (dict "path" (printf "/ready/%s/%s" .tailnet .portName)) "route" (dict "cluster" .cluster "timeout" "2s")) -}}
{{- end -}}
{{- $start = $end -}}
{{- end -}}
]}]}
{{- end -}}

{{/*
The health and metrics listener; its routes come from rds.json. The custom_response filter turns the tailnet
proxy's 400 to a /ready/<tailnet>/<service> GET into 200 (planEnvoy's healthRoutes says why).
Usage: {{ include "tailscale-egress.envoy.healthListener" . }}
*/}}
{{- define "tailscale-egress.envoy.healthListener" -}}
{{- $v := .Values -}}
{{- $status := dict "single_predicate" (dict
  "input" (dict "name" "status" "typed_config" (dict "@type" "type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput"))
  "value_match" (dict "exact" "400")) -}}
{{- $path := dict "single_predicate" (dict
  "input" (dict "name" "path" "typed_config" (dict "@type" "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput" "header_name" ":path"))
  "value_match" (dict "prefix" "/ready/")) -}}
{{- $ready := dict
  "@type" "type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy"
  "status_code" 200
  "body" (dict "inline_string" "ready\n") -}}
{{- $custom := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse"
  "custom_response_matcher" (dict "matcher_list" (dict "matchers" (list (dict
    "predicate" (dict "and_matcher" (dict "predicate" (list $status $path)))
    "on_match" (dict "action" (dict "name" "ready" "typed_config" $ready)))))) -}}
{{- $hcm := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
  "stat_prefix" "health"
  "rds" (dict "config_source" (include "tailscale-egress.envoy.pathSource" "rds.json" | fromJson) "route_config_name" "health")
  "http_filters" (list
    (dict "name" "envoy.filters.http.custom_response" "typed_config" $custom)
    (dict "name" "envoy.filters.http.fault" "typed_config" (dict "@type" "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"))
    (dict "name" "envoy.filters.http.router" "typed_config" (dict "@type" "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"))) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.listener.v3.Listener"
  "name" "health"
  "address" (include "tailscale-egress.envoy.socket" (dict "address" "0.0.0.0" "port" $v.envoy.healthPort) | fromJson)
  "ignore_global_conn_limit" true
  "per_connection_buffer_limit_bytes" (int $v.envoy.bufferLimitBytes)
  "filter_chains" (list (dict "filters" (list (dict "name" "envoy.filters.network.http_connection_manager" "typed_config" $hcm))))) -}}
{{- end -}}

{{/* The tailnet's check: containerboot's /healthz. */}}
{{- define "tailscale-egress.envoy.tailnetHealthCheck" -}}
{{- $hc := .Values.envoy.healthCheck -}}
{{- toJson (dict
  "timeout" (include "tailscale-egress.envoy.dur" $hc.timeout)
  "interval" (include "tailscale-egress.envoy.dur" $hc.interval)
  "no_traffic_interval" (include "tailscale-egress.envoy.dur" $hc.interval)
  "unhealthy_threshold" (int $hc.unhealthyThreshold)
  "healthy_threshold" (int $hc.healthyThreshold)
  "http_health_check" (dict "path" "/healthz")) -}}
{{- end -}}

{{/*
A service's cluster: CONNECT tunnels to its tailnet's proxy, checking the target through the tunnel (a fresh
CONNECT per check, passed on HTTP/1.1 200), or with targetCheck false the tailnet's /healthz.
Usage: {{ include "tailscale-egress.envoy.serviceCluster" (dict "root" $ "service" $plannedService "tailnet" $plannedTailnet "tailnetCheck" $json) }}
*/}}
{{- define "tailscale-egress.envoy.serviceCluster" -}}
{{- $root := .root -}}
{{- $svc := .service -}}
{{- $tn := .tailnet -}}
{{- $cb := $root.Values.envoy.circuitBreakers -}}
{{- $endpoint := dict "address" (dict "socket_address" (dict "address" "127.0.0.1" "port_value" (int $tn.proxyPort))) -}}
{{- $check := dict -}}
{{- if $svc.targetCheck -}}
{{- $tc := $root.Values.envoy.targetCheck -}}
{{- $check = dict
  "timeout" (include "tailscale-egress.envoy.dur" $tc.timeout)
  "interval" (include "tailscale-egress.envoy.dur" $tc.interval)
  "no_traffic_interval" (include "tailscale-egress.envoy.dur" $tc.interval)
  "unhealthy_threshold" (int $tc.unhealthyThreshold)
  "healthy_threshold" (int $tc.healthyThreshold)
  "reuse_connection" false
  "tcp_health_check" (dict
    "send" (dict "text" (printf "%x" (printf "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" $svc.target $svc.target)))
    "receive" (list (dict "text" (printf "%x" "HTTP/1.1 200")))) -}}
{{- else -}}
{{- $_ := set $endpoint "health_check_config" (dict "port_value" (int $tn.localPort)) -}}
{{- $check = .tailnetCheck | fromJson -}}
{{- end -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  "name" $svc.cluster
  "connect_timeout" $svc.connectTimeout
  "per_connection_buffer_limit_bytes" (int $root.Values.envoy.bufferLimitBytes)
  "load_assignment" (dict "cluster_name" $svc.cluster "endpoints" (list (dict "lb_endpoints" (list (dict "endpoint" $endpoint)))))
  "health_checks" (list $check)
  "common_lb_config" (dict "healthy_panic_threshold" (dict "value" 0))
  "circuit_breakers" (dict "thresholds" (list (dict
    "max_connections" (int $cb.maxConnections)
    "max_pending_requests" (int $cb.maxPendingRequests)
    "max_requests" (int $cb.maxRequests))))) -}}
{{- end -}}

{{/*
containerboot's /healthz and /metrics of a tailnet.
Usage: {{ include "tailscale-egress.envoy.healthCluster" (dict "root" $ "tailnet" $plannedTailnet) }}
*/}}
{{- define "tailscale-egress.envoy.healthCluster" -}}
{{- $root := .root -}}
{{- $tn := .tailnet -}}
{{- $name := printf "health-%s" $tn.name -}}
{{- $endpoint := dict "endpoint" (dict "address" (include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" $tn.localPort) | fromJson)) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  "name" $name
  "type" "STATIC"
  "connect_timeout" "1s"
  "load_assignment" (dict "cluster_name" $name "endpoints" (list (dict "lb_endpoints" (list $endpoint))))
  "health_checks" (list (.tailnetCheck | fromJson))
  "common_lb_config" (dict "healthy_panic_threshold" (dict "value" 0))) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.adminCluster" -}}
{{- $socket := include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" .Values.envoy.adminPort) -}}
{{- $endpoint := dict "endpoint" (dict "address" ($socket | fromJson)) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  "name" "envoy-admin"
  "type" "STATIC"
  "connect_timeout" "1s"
  "load_assignment" (dict "cluster_name" "envoy-admin" "endpoints" (list (dict "lb_endpoints" (list $endpoint))))) -}}
{{- end -}}

{{/*
A DiscoveryResponse as text, one resource per line. version_info is a digest of the compact JSON array of
the resources (exactly what toJson of the list would give, and what the CLI hashes).
Call with the resources' compact JSON, joined by ",\n    ".
*/}}
{{- define "tailscale-egress.envoy.discovery" -}}
{{- $version := printf "[%s]" (replace ",\n    " "," .) | sha256sum | trunc 16 -}}
{
  "version_info": {{ $version | quote }},
  "resources": [
    {{ . }}
  ]
}
{{- end -}}

{{/* LDS resources, streamed (no list is built: appending is quadratic at 5,500 listeners). */}}
{{- define "tailscale-egress.envoy.listeners" -}}
{{- include "tailscale-egress.plan.ensure" . -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- include "tailscale-egress.envoy.healthListener" . -}}
{{- $idle := include "tailscale-egress.envoy.dur" .Values.envoy.idleTimeout -}}
{{- range $plan.services }},
    {{ include "tailscale-egress.envoy.listener" (dict "root" $ "service" . "idleTimeout" $idle) }}
{{- end -}}
{{- end -}}

{{/* CDS resources, streamed. */}}
{{- define "tailscale-egress.envoy.clusters" -}}
{{- include "tailscale-egress.plan.ensure" . -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- $tailnetCheck := include "tailscale-egress.envoy.tailnetHealthCheck" . -}}
{{- include "tailscale-egress.envoy.adminCluster" . -}}
{{- range $plan.tailnets }},
    {{ include "tailscale-egress.envoy.healthCluster" (dict "root" $ "tailnet" . "tailnetCheck" $tailnetCheck) }}
{{- end -}}
{{- $tailnets := dict -}}
{{- range $plan.tailnets }}{{ $_ := set $tailnets .name . }}{{ end -}}
{{- range $plan.services }},
    {{ include "tailscale-egress.envoy.serviceCluster" (dict "root" $ "service" . "tailnet" (get $tailnets .tailnet) "tailnetCheck" $tailnetCheck) }}
{{- end -}}
{{- end -}}

{{/* The Envoy files, as a dict of file name to text. templates/configmap.yaml spreads them over three ConfigMaps. */}}
{{- define "tailscale-egress.envoy.files" -}}
{{- include "tailscale-egress.plan.ensure" . -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- toJson (dict
  "envoy.json" (include "tailscale-egress.envoy.bootstrap" . | fromJson | toPrettyJson)
  "rds.json" (include "tailscale-egress.envoy.discovery" (include "tailscale-egress.envoy.healthRoutes" (dict "root" . "plan" $plan)))
  "lds.json" (include "tailscale-egress.envoy.discovery" (include "tailscale-egress.envoy.listeners" .))
  "cds.json" (include "tailscale-egress.envoy.discovery" (include "tailscale-egress.envoy.clusters" .))) -}}
{{- end -}}

{{/* The Envoy files, rendered once per release and kept in .Values like the plan. */}}
{{- define "tailscale-egress.envoy.ensureFiles" -}}
{{- if not (hasKey .Values "tailscale-egress/envoyFiles") -}}
{{- $_ := set .Values "tailscale-egress/envoyFiles" (include "tailscale-egress.envoy.files" . | fromJson) -}}
{{- end -}}
{{- end -}}

{{/* The Envoy ConfigMaps: name suffix and files, as in ENVOY_CONFIGMAPS of tools/src/plan/configmap.ts. */}}
{{- define "tailscale-egress.envoy.configMaps" -}}
{{- toJson (list
  (dict "suffix" "envoy" "files" (list "envoy.json" "rds.json"))
  (dict "suffix" "envoy-lds" "files" (list "lds.json"))
  (dict "suffix" "envoy-cds" "files" (list "cds.json"))) -}}
{{- end -}}

{{/* Bytes of each Envoy ConfigMap's data as the API server counts them, by suffix: each file plus the newline
that YAML's literal block adds (the same sums as envoyConfigMapBytes in tools/src/plan/configmap.ts). */}}
{{- define "tailscale-egress.envoy.configMapBytes" -}}
{{- include "tailscale-egress.envoy.ensureFiles" . -}}
{{- $files := index .Values "tailscale-egress/envoyFiles" -}}
{{- $sizes := dict -}}
{{- range (include "tailscale-egress.envoy.configMaps" . | fromJsonArray) -}}
{{- $n := 0 -}}
{{- range .files }}{{ $n = add $n (len (index $files .)) 1 }}{{ end -}}
{{- $_ := set $sizes .suffix $n -}}
{{- end -}}
{{- toJson $sizes -}}
{{- end -}}

{{/* The Envoy CPU limit envoy.concurrency is derived from, as text: empty when envoy.concurrency is set or there is no limit. */}}
{{- define "tailscale-egress.envoy.derivingCpuLimit" -}}
{{- if not (hasKey .Values.envoy "concurrency") -}}
{{- dig "limits" "cpu" "" (.Values.envoy.resources | default dict) | toString -}}
{{- end -}}
{{- end -}}

{{/*
Envoy's worker threads (--concurrency): envoy.concurrency, else the CPU limit rounded up to whole cores (at
least 1), else 2. tools/src/plan/concurrency.ts computes the same.
*/}}
{{- define "tailscale-egress.envoy.concurrency" -}}
{{- $cpu := include "tailscale-egress.envoy.derivingCpuLimit" . -}}
{{- if hasKey .Values.envoy "concurrency" -}}
{{- int .Values.envoy.concurrency -}}
{{- else if not $cpu -}}
2
{{- else if hasSuffix "m" $cpu -}}
{{- max 1 (div (add (trimSuffix "m" $cpu | atoi) 999) 1000) -}}
{{- else -}}
{{- max 1 (ceil (float64 $cpu) | int) -}}
{{- end -}}
{{- end -}}
{{/*
One of the Envoy ConfigMaps (see "tailscale-egress.envoy.configMaps"); the pod mounts all three into
/etc/envoy as one projected volume, so kubelet swaps them together.
Usage: {{ include "tailscale-egress.envoy.configMap" (dict "root" $ "suffix" "envoy-lds") }}
*/}}
{{- define "tailscale-egress.envoy.configMap" -}}
{{- $root := .root -}}
{{- $suffix := .suffix -}}
{{- include "tailscale-egress.envoy.ensureFiles" $root -}}
{{- $files := index $root.Values "tailscale-egress/envoyFiles" -}}
{{- range (include "tailscale-egress.envoy.configMaps" $root | fromJsonArray) }}
{{- if eq .suffix $suffix -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "tailscale-egress.helpers.fullname" $root }}-{{ .suffix }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "tailscale-egress.helpers.labels" $root | nindent 4 }}
data:
  {{- range $file := .files }}
  {{ $file }}: |
    {{- index $files $file | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}
