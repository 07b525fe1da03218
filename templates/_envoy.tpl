{{/*
Envoy's files, as JSON: the same objects as planEnvoy() in tools/src/plan/envoy.ts.
Bootstrap with file-based LDS/CDS watched in /etc/envoy (a directory mount, so kubelet's atomic ..data
swap reaches Envoy without a restart); one tcp_proxy listener per service tunnelling with HTTP CONNECT;
one cluster per tailnet (plus one per extra connect timeout) pointing at its loopback HTTP proxy.
*/}}
{{- define "tailscale-egress.envoy.socket" -}}
{{- toJson (dict "socket_address" (dict "address" (index . 0) "port_value" (int (index . 1)))) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.pathSource" -}}
{{- toJson (dict "resource_api_version" "V3" "path_config_source" (dict "path" (printf "/etc/envoy/%s" .) "watched_directory" (dict "path" "/etc/envoy"))) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.bootstrap" -}}
{{- $name := include "tailscale-egress.fullname" . -}}
{{- toJson (dict
  "node" (dict "id" $name "cluster" $name)
  "admin" (dict "address" (include "tailscale-egress.envoy.socket" (list "127.0.0.1" .Values.envoy.adminPort) | fromJson))
  "dynamic_resources" (dict
    "lds_config" (include "tailscale-egress.envoy.pathSource" "lds.json" | fromJson)
    "cds_config" (include "tailscale-egress.envoy.pathSource" "cds.json" | fromJson))) -}}
{{- end -}}

{{/* Call with a planned service. */}}
{{- define "tailscale-egress.envoy.listener" -}}
{{- $tcp := dict
  "@type" "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"
  "stat_prefix" .statPrefix
  "cluster" .cluster
  "tunneling_config" (dict "hostname" .target) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.listener.v3.Listener"
  "name" (printf "listener-%d" (int .listenPort))
  "address" (include "tailscale-egress.envoy.socket" (list "0.0.0.0" .listenPort) | fromJson)
  "filter_chains" (list (dict "filters" (list (dict "name" "envoy.filters.network.tcp_proxy" "typed_config" $tcp))))) -}}
{{- end -}}

{{/* Call with a planned cluster. */}}
{{- define "tailscale-egress.envoy.cluster" -}}
{{- $endpoint := dict "endpoint" (dict "address" (include "tailscale-egress.envoy.socket" (list "127.0.0.1" .proxyPort) | fromJson)) -}}
{{- toJson (dict
  "@type" "type.googleapis.com/envoy.config.cluster.v3.Cluster"
  "name" .name
  "type" "STATIC"
  "connect_timeout" .connectTimeout
  "load_assignment" (dict "cluster_name" .name "endpoints" (list (dict "lb_endpoints" (list $endpoint))))
  "typed_extension_protocol_options" (dict "envoy.extensions.upstreams.http.v3.HttpProtocolOptions" (dict
    "@type" "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    "explicit_http_config" (dict "http_protocol_options" (dict))))) -}}
{{- end -}}

{{/* A DiscoveryResponse; version_info is a digest of the resources. Call with a list of resources. */}}
{{- define "tailscale-egress.envoy.discovery" -}}
{{- toJson (dict "version_info" (sha256sum (toJson .) | trunc 16) "resources" .) -}}
{{- end -}}

{{- define "tailscale-egress.envoy.files" -}}
{{- $plan := include "tailscale-egress.plan" . | fromJson -}}
{{- $listeners := list -}}
{{- range $plan.services }}{{ $listeners = append $listeners (include "tailscale-egress.envoy.listener" . | fromJson) }}{{ end -}}
{{- $clusters := list -}}
{{- range $plan.clusters }}{{ $clusters = append $clusters (include "tailscale-egress.envoy.cluster" . | fromJson) }}{{ end -}}
{{- toJson (dict
  "envoy.json" (include "tailscale-egress.envoy.bootstrap" . | fromJson)
  "lds.json" (include "tailscale-egress.envoy.discovery" $listeners | fromJson)
  "cds.json" (include "tailscale-egress.envoy.discovery" $clusters | fromJson)) -}}
{{- end -}}
