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

{{/*
Labels of the CloudNativePG objects: no app.kubernetes.io/name, so that should the operator be set to
pass Cluster labels on to its pods (INHERITED_LABELS), the PostgreSQL pods still never match the
selector of Coffer's Service, PodDisruptionBudget or NetworkPolicy.
*/}}
{{- define "coffer.databaseLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: coffer
app.kubernetes.io/component: database
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

{{/* The CloudNativePG Cluster's name: database.cloudnativepg.clusterName, else <fullname>-db. */}}
{{- define "coffer.cnpg.clusterName" -}}
{{- default (printf "%s-db" (include "coffer.fullname" .) | trunc 50 | trimSuffix "-") .Values.database.cloudnativepg.clusterName -}}
{{- end -}}

{{/* The Secret with the application user's credentials: CloudNativePG's <cluster>-app unless named. */}}
{{- define "coffer.cnpg.appSecret" -}}
{{- default (printf "%s-app" (include "coffer.cnpg.clusterName" .)) .Values.database.cloudnativepg.appSecret -}}
{{- end -}}

{{/*
A URI on one of the Cluster's services; user, password and database are spliced in by Kubernetes.
The role is checked on each new connection too (target_session_attrs): in the moment of a failover a
service may still lead to the instance being demoted, and Coffer then closes that connection rather
than keep it in its pool.
*/}}
{{- define "coffer.cnpg.uri" -}}
{{- $target := get (dict "rw" "?target_session_attrs=read-write" "ro" "?target_session_attrs=prefer-standby") .service -}}
{{- printf "postgresql://$(CNPG_APP_USERNAME):$(CNPG_APP_PASSWORD)@%s-%s:5432/$(CNPG_APP_DBNAME)%s" (include "coffer.cnpg.clusterName" .root) .service $target -}}
{{- end -}}

{{/*
Whether the pods migrate at start. With the hook Job they need not, except when the chart also
creates the CloudNativePG Cluster: a pre-install hook would run before the Cluster (and its Secret)
exist, so on install the pods migrate, and the Job runs on upgrades only (see migration-job.yaml).
*/}}
{{- define "coffer.migrateOnStart" -}}
{{- $cnpg := .Values.database.cloudnativepg -}}
{{- ternary "true" "false" (or (not .Values.migrations.job.enabled) (and $cnpg.enabled $cnpg.createCluster)) -}}
{{- end -}}

{{/* Env entries that read the secrets: the database URIs and, with auth, the Redis password. */}}
{{- define "coffer.secretEnv" -}}
{{- if .Values.database.cloudnativepg.enabled -}}
{{- $secret := include "coffer.cnpg.appSecret" . -}}
{{- /* Kubernetes expands $(VAR) only from variables defined earlier in the list. */ -}}
- name: CNPG_APP_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: username
- name: CNPG_APP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: password
- name: CNPG_APP_DBNAME
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: dbname
- name: COFFER_PG_PRIMARY
  value: {{ include "coffer.cnpg.uri" (dict "root" . "service" "rw") | quote }}
- name: COFFER_PG_REPLICA
  value: {{ include "coffer.cnpg.uri" (dict "root" . "service" .Values.database.cloudnativepg.readService) | quote }}
{{- else -}}
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
{{- end }}
{{- if .Values.redis.auth.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "redis.auth.existingSecret is required when redis.auth.enabled is true" .Values.redis.auth.existingSecret }}
      key: {{ .Values.redis.auth.passwordKey }}
{{- end }}
- name: COFFER_REDIS_NODES
  value: {{ include "coffer.redisNodes" . | quote }}
{{- if .Values.apiKeys.existingSecret }}
- name: COFFER_API_KEY_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.apiKeys.existingSecret }}
      key: {{ .Values.apiKeys.secretKey }}
{{- end }}
{{- end -}}
