{{/*
Envoy's files, as JSON: the same objects as planEnvoy() in tools/src/plan/envoy.ts.
Bootstrap with file-based LDS/CDS watched in /etc/envoy (a directory mount, so kubelet's atomic ..data
swap reaches Envoy without a restart); a health/metrics listener; one tcp_proxy listener per service
tunnelling with HTTP CONNECT; one cluster per tailnet (plus one per extra connect timeout) pointing at its
loopback HTTP proxy and health-checked on containerboot's /healthz.
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
{{- toJson (dict
  "node" (dict "id" $name "cluster" $name)
  "admin" (dict "address" (include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" .Values.envoy.adminPort) | fromJson))
  "dynamic_resources" (dict
    "lds_config" (include "tailscale-egress.envoy.pathSource" "lds.json" | fromJson)
    "cds_config" (include "tailscale-egress.envoy.pathSource" "cds.json" | fromJson))
  "overload_manager" (dict "resource_monitors" (list (dict "name" "envoy.resource_monitors.global_downstream_max_connections" "typed_config" $limit)))) -}}
{{- end -}}

{{/*
A service's tcp_proxy listener. idleTimeout is in Envoy's form, converted once by the caller.
Usage: {{ include "tailscale-egress.envoy.listener" (dict "root" $ "service" $plannedService "idleTimeout" $idle) }}
*/}}
{{- define "tailscale-egress.envoy.listener" -}}
{{- $v := .root.Values -}}
{{- $svc := .service -}}
{{- $tcp := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"
  "stat_prefix" $svc.statPrefix
  "cluster" $svc.cluster
  "tunneling_config" (dict "hostname" $svc.target)
  "idle_timeout" .idleTimeout -}}
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
  "name" "envoy.access_loggers.stdout"
  "typed_config" (dict
    "@type" "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"
    "log_format" (dict "json_format" $format)))) -}}
{{- end -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.listener.v3.Listener"
  "name" (printf "listener-%d" (int $svc.listenPort))
  "address" (dict "socket_address" (dict "address" "0.0.0.0" "port_value" (int $svc.listenPort)))
  "per_connection_buffer_limit_bytes" (int $v.envoy.bufferLimitBytes)
  "filter_chains" (list (dict "filters" (list (dict "name" "envoy.filters.network.tcp_proxy" "typed_config" $tcp))))) -}}
{{- end -}}

{{/*
The health and metrics listener.
Usage: {{ include "tailscale-egress.envoy.healthListener" (dict "root" $ "plan" $plan) }}
*/}}
{{- define "tailscale-egress.envoy.healthListener" -}}
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
{{- range $plan.tailnets -}}
{{- $cluster := printf "health-%s" .name -}}
{{- $routes = append $routes (dict
  "match" (dict "path" (printf "/ready/%s" .name))
  "route" (dict "cluster" $cluster "prefix_rewrite" "/healthz" "timeout" "2s")) -}}
{{- $routes = append $routes (dict
  "match" (dict "path" (printf "/metrics/%s" .name))
  "route" (dict "cluster" $cluster "prefix_rewrite" "/metrics" "timeout" "10s")) -}}
{{- end -}}
{{- $hcm := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
  "stat_prefix" "health"
  "route_config" (dict "name" "health" "virtual_hosts" (list (dict "name" "health" "domains" (list "*") "routes" $routes)))
  "http_filters" (list
    (dict "name" "envoy.filters.http.fault" "typed_config" (dict "@type" $fault))
    (dict "name" "envoy.filters.http.router" "typed_config" (dict "@type" "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"))) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.listener.v3.Listener"
  "name" "health"
  "address" (include "tailscale-egress.envoy.socket" (dict "address" "0.0.0.0" "port" $v.envoy.healthPort) | fromJson)
  "ignore_global_conn_limit" true
  "per_connection_buffer_limit_bytes" (int $v.envoy.bufferLimitBytes)
  "filter_chains" (list (dict "filters" (list (dict "name" "envoy.filters.network.http_connection_manager" "typed_config" $hcm))))) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.healthChecks" -}}
{{- $hc := .Values.envoy.healthCheck -}}
{{- toJson (list (dict
  "timeout" (include "tailscale-egress.envoy.dur" $hc.timeout)
  "interval" (include "tailscale-egress.envoy.dur" $hc.interval)
  "no_traffic_interval" (include "tailscale-egress.envoy.dur" $hc.interval)
  "unhealthy_threshold" (int $hc.unhealthyThreshold)
  "healthy_threshold" (int $hc.healthyThreshold)
  "http_health_check" (dict "path" "/healthz"))) -}}
{{- end -}}

{{/*
A tailnet's data cluster.
Usage: {{ include "tailscale-egress.envoy.cluster" (dict "root" $ "cluster" $plannedCluster) }}
*/}}
{{- define "tailscale-egress.envoy.cluster" -}}
{{- $root := .root -}}
{{- $c := .cluster -}}
{{- $cb := $root.Values.envoy.circuitBreakers -}}
{{- $endpoint := dict "endpoint" (dict
  "address" (include "tailscale-egress.envoy.socket" (dict "address" "127.0.0.1" "port" $c.proxyPort) | fromJson)
  "health_check_config" (dict "port_value" (int $c.localPort))) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  "name" $c.name
  "type" "STATIC"
  "connect_timeout" $c.connectTimeout
  "per_connection_buffer_limit_bytes" (int $root.Values.envoy.bufferLimitBytes)
  "load_assignment" (dict "cluster_name" $c.name "endpoints" (list (dict "lb_endpoints" (list $endpoint))))
  "health_checks" (include "tailscale-egress.envoy.healthChecks" $root | fromJsonArray)
  "common_lb_config" (dict "healthy_panic_threshold" (dict "value" 0))
  "circuit_breakers" (dict "thresholds" (list (dict
    "max_connections" (int $cb.maxConnections)
    "max_pending_requests" (int $cb.maxPendingRequests)
    "max_requests" (int $cb.maxRequests))))
  "typed_extension_protocol_options" (dict "envoy.extensions.upstreams.http.v3.HttpProtocolOptions" (dict
    "@type" "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    "explicit_http_config" (dict "http_protocol_options" (dict))))) -}}
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
  "health_checks" (include "tailscale-egress.envoy.healthChecks" $root | fromJsonArray)
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
{{- include "tailscale-egress.envoy.healthListener" (dict "root" . "plan" $plan) -}}
{{- $idle := include "tailscale-egress.envoy.dur" .Values.envoy.idleTimeout -}}
{{- range $plan.services }},
    {{ include "tailscale-egress.envoy.listener" (dict "root" $ "service" . "idleTimeout" $idle) }}
{{- end -}}
{{- end -}}

{{/* CDS resources, streamed. */}}
{{- define "tailscale-egress.envoy.clusters" -}}
{{- include "tailscale-egress.plan.ensure" . -}}
{{- $plan := index .Values "tailscale-egress/plan" -}}
{{- include "tailscale-egress.envoy.adminCluster" . -}}
{{- range $plan.tailnets }},
    {{ include "tailscale-egress.envoy.healthCluster" (dict "root" $ "tailnet" .) }}
{{- end -}}
{{- range $plan.clusters }},
    {{ include "tailscale-egress.envoy.cluster" (dict "root" $ "cluster" .) }}
{{- end -}}
{{- end -}}

{{/* The three files of the Envoy ConfigMap, as a dict of file name to text. */}}
{{- define "tailscale-egress.envoy.files" -}}
{{- toJson (dict
  "envoy.json" (include "tailscale-egress.envoy.bootstrap" . | fromJson | toPrettyJson)
  "lds.json" (include "tailscale-egress.envoy.discovery" (include "tailscale-egress.envoy.listeners" .))
  "cds.json" (include "tailscale-egress.envoy.discovery" (include "tailscale-egress.envoy.clusters" .))) -}}
{{- end -}}

{{/* The Envoy files, rendered once per release and kept in .Values like the plan. */}}
{{- define "tailscale-egress.envoy.ensureFiles" -}}
{{- if not (hasKey .Values "tailscale-egress/envoyFiles") -}}
{{- $_ := set .Values "tailscale-egress/envoyFiles" (include "tailscale-egress.envoy.files" . | fromJson) -}}
{{- end -}}
{{- end -}}

{{/* Bytes of the ConfigMap's data as the API server counts them: each file plus the newline that YAML's
literal block adds (the same sum as dataBytes in tools/src/plan/configmap.ts). */}}
{{- define "tailscale-egress.envoy.configMapBytes" -}}
{{- include "tailscale-egress.envoy.ensureFiles" . -}}
{{- $n := 0 -}}
{{- range $name, $text := index .Values "tailscale-egress/envoyFiles" }}{{ $n = add $n (len $text) 1 }}{{ end -}}
{{- $n -}}
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