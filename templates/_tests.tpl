{{/*
The `helm test` hook's labels and pod spec (templates/tests/test-connection.yaml renders it as a Job or a Pod).
*/}}

{{/*
Labels of the `helm test` Job (or Pod) and its pod: app.kubernetes.io/name differs from the workload's, so the
release Service never selects the test.
Usage: {{ include "tailscale-egress.tests.labels" . }}
*/}}
{{- define "tailscale-egress.tests.labels" -}}
helm.sh/chart: {{ include "tailscale-egress.helpers.chart" . }}
app.kubernetes.io/name: {{ include "tailscale-egress.helpers.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: test
{{- with .Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The `helm test` pod's spec, alike in the Job's template and in the bare Pod: one container running the check,
never restarted, no ServiceAccount token, the chart's restricted securityContext.
Usage: {{ include "tailscale-egress.tests.podSpec" (dict "root" . "command" $command) }}
*/}}
{{- define "tailscale-egress.tests.podSpec" -}}
{{- $root := .root -}}
restartPolicy: Never
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: check-ports
    image: {{ include "tailscale-egress.helpers.image" (dict "root" $root "image" $root.Values.tests.image) }}
    imagePullPolicy: {{ $root.Values.tests.image.pullPolicy }}
    command:
      {{- toYaml .command | nindent 6 }}
    {{- with $root.Values.tests.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $root.Values.securityContext }}
    securityContext:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end -}}
