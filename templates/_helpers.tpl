{{/*
Names, labels and images. Every helper in templates/ is named tailscale-egress.<file>.<name>, where
<file> is the file it lives in without the underscore and extension (here: tailscale-egress.helpers.*).
tools/src/plan/names.ts implements the same names for the CLI.
*/}}

{{- define "tailscale-egress.helpers.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tailscale-egress.helpers.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tailscale-egress.helpers.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tailscale-egress.helpers.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tailscale-egress.helpers.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tailscale-egress.helpers.labels" -}}
helm.sh/chart: {{ include "tailscale-egress.helpers.chart" . }}
{{ include "tailscale-egress.helpers.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: egress
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "tailscale-egress.helpers.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tailscale-egress.helpers.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
"true" when the Service keeps the pod while it is not Ready: service.publishNotReadyAddresses, else true with one
replica (no other pod to route to) and false with more. Empty means false.
Usage: {{ include "tailscale-egress.helpers.publishNotReadyAddresses" . }}
*/}}
{{- define "tailscale-egress.helpers.publishNotReadyAddresses" -}}
{{- $set := .Values.service.publishNotReadyAddresses -}}
{{- if kindIs "bool" $set -}}
{{- if $set }}true{{ end -}}
{{- else if eq (int .Values.replicas) 1 -}}
true
{{- end -}}
{{- end -}}

{{/*
Image reference: (global.imageRegistry or registry)/repository, then @digest or :tag.
Usage: {{ include "tailscale-egress.helpers.image" (dict "root" $ "image" .Values.envoy.image) }}
*/}}
{{- define "tailscale-egress.helpers.image" -}}
{{- $root := .root -}}
{{- $img := .image -}}
{{- $registry := default $img.registry (($root.Values.global).imageRegistry) -}}
{{- $repo := ternary (printf "%s/%s" $registry $img.repository) $img.repository (ne $registry "") -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $repo $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo $img.tag -}}
{{- end -}}
{{- end -}}

{{/*
The Secret holding a tailnet's auth key, as JSON (dict "name" .. "key" ..).
Usage: {{ include "tailscale-egress.helpers.authSecretRef" (dict "root" $ "tailnet" $tailnetValues) | fromJson }}
*/}}
{{- define "tailscale-egress.helpers.authSecretRef" -}}
{{- $root := .root -}}
{{- $tn := .tailnet -}}
{{- if $tn.existingSecret -}}
{{- toJson (dict "name" $tn.existingSecret.name "key" (default "authkey" $tn.existingSecret.key)) -}}
{{- else -}}
{{- toJson (dict "name" (printf "%s-auth" (include "tailscale-egress.helpers.fullname" $root)) "key" $tn.name) -}}
{{- end -}}
{{- end -}}

{{/*
The Secret and keys holding a tailnet's OAuth client, as JSON (dict "name" .. "idKey" .. "secretKey" ..).
Usage: {{ include "tailscale-egress.helpers.oauthSecretRef" (dict "root" $ "tailnet" $tailnetValues) | fromJson }}
*/}}
{{- define "tailscale-egress.helpers.oauthSecretRef" -}}
{{- $root := .root -}}
{{- $tn := .tailnet -}}
{{- with $tn.oauth.existingSecret -}}
{{- toJson (dict "name" .name "idKey" (default "client_id" .clientIdKey) "secretKey" (default "client_secret" .clientSecretKey)) -}}
{{- else -}}
{{- toJson (dict
  "name" (printf "%s-auth" (include "tailscale-egress.helpers.fullname" $root))
  "idKey" (printf "%s.oauth-client-id" $tn.name)
  "secretKey" (printf "%s.oauth-client-secret" $tn.name)) -}}
{{- end -}}
{{- end -}}

{{/* State Secret names of every pod ordinal and tailnet (kubeSecret state only), as a JSON list. */}}
{{- define "tailscale-egress.helpers.stateSecretNames" -}}
{{- $full := include "tailscale-egress.helpers.fullname" . -}}
{{- $names := list -}}
{{- if eq .Values.tailscale.state "kubeSecret" -}}
{{- range $o := until (int .Values.replicas) -}}
{{- range $tn := $.Values.tailnets -}}
{{- $names = append $names (printf "%s-%d-%s-state" $full $o $tn.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}


{{/*
An httpGet probe on Envoy's health port, with the timings of one entry of envoy.probes or tailscale.probes.
Usage: {{ include "tailscale-egress.helpers.probe" (dict "root" $ "path" "/live" "probe" .Values.envoy.probes.liveness) }}
*/}}
{{- define "tailscale-egress.helpers.probe" -}}
{{- $root := .root -}}
{{- $t := .probe -}}
httpGet:
  path: {{ .path }}
  port: {{ $root.Values.envoy.healthPort }}
periodSeconds: {{ $t.periodSeconds }}
timeoutSeconds: {{ $t.timeoutSeconds }}
failureThreshold: {{ $t.failureThreshold }}
{{- end -}}