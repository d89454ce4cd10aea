{{/* Chart name, overridable. */}}
{{- define "coffer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or the release name alone when it already contains the chart name. */}}
{{- define "coffer.fullname" -}}
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

{{- define "coffer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coffer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "coffer.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "coffer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: coffer
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "coffer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "coffer.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "coffer.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
Seconds Kubernetes waits between starting the stop (preStop, then SIGTERM) and SIGKILL: the preStop
sleep, then Coffer's own delay and drain (rounded up to whole seconds), then a margin that must
exceed the 10 s Coffer allows itself past delay plus drain before it ends on its own.
*/}}
{{- define "coffer.terminationGracePeriodSeconds" -}}
{{- $stopMs := add .Values.config.shutdownDelayMs .Values.config.drainTimeoutMs -}}
{{- $stopSeconds := div (add $stopMs 999) 1000 -}}
{{- add .Values.preStopSleepSeconds $stopSeconds .Values.terminationGraceMarginSeconds -}}
{{- end -}}

{{/* The Redis seed URIs; with auth, the password is spliced in by Kubernetes from $(REDIS_PASSWORD). */}}
{{- define "coffer.redisNodes" -}}
{{- $userinfo := ternary ":$(REDIS_PASSWORD)@" "" .Values.redis.auth.enabled -}}
{{- $uris := list -}}
{{- range .Values.redis.nodes -}}
{{- $uris = append $uris (printf "redis://%s%s" $userinfo .) -}}
{{- end -}}
{{- join "," $uris -}}
{{- end -}}

{{/* Env entries that read the secrets: the database URIs and, with auth, the Redis password. */}}
{{- define "coffer.secretEnv" -}}
- name: COFFER_PG_PRIMARY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.primaryUriKey }}
- name: COFFER_PG_REPLICA
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: {{ .Values.database.replicaUriKey }}
{{- if .Values.redis.auth.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "redis.auth.existingSecret is required when redis.auth.enabled is true" .Values.redis.auth.existingSecret }}
      key: {{ .Values.redis.auth.passwordKey }}
{{- end }}
- name: COFFER_REDIS_NODES
  value: {{ include "coffer.redisNodes" . | quote }}
{{- end -}}
