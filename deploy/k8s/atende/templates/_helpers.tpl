{{/* Names: "<release>-atende", or the release name when it already says atende; each service adds "-<service>". */}}
{{- define "atende.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "atende.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: atende
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector of one component's pods; call with (dict "root" $ "name" $name). */}}
{{- define "atende.selector" -}}
app.kubernetes.io/name: atende
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "atende.image" -}}
{{- $image := .root.Values.image -}}
{{- $tag := $image.tag | default .root.Chart.AppVersion -}}
{{- if eq (toString $tag) "latest" -}}{{- fail "image.tag: name a version, never latest" -}}{{- end -}}
{{- printf "%s%s/%s:%s" $image.registry $image.repository .name $tag -}}
{{- end -}}

{{/* The port that serves /healthz, /readyz and /metrics: the internal one when the service has it. */}}
{{- define "atende.healthPort" -}}
{{- if .internalPort }}internal{{ else }}http{{ end -}}
{{- end -}}

{{/* Every secret key one service reads: the common ones and its own. */}}
{{- define "atende.secretKeys" -}}
{{- $keys := concat .root.Values.secrets.common (.svc.secretKeys | default list) | uniq -}}
{{- toJson $keys -}}
{{- end -}}

{{/* Environment shared by every service and the migration Job: stores, bus, secrets provider. */}}
{{- define "atende.commonEnv" -}}
{{- $v := .root.Values -}}
- name: ENVIRONMENT
  value: {{ $v.environment | quote }}
- name: HTTP_HOST
  value: "0.0.0.0"
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $v.kafka.bootstrapServers | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ $v.kafka.topicPrefix | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $v.kafka.securityProtocol | quote }}
{{- with $v.kafka.saslMechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ . | quote }}
{{- end }}
{{- with $v.kafka.saslUsername }}
- name: KAFKA_SASL_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if $v.kafka.caSecret }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/atende/kafka-ca/ca.crt
{{- end }}
{{ include "atende.storeUrl" (dict "root" .root "name" "REDIS_URL" "store" $v.redis "value" $v.redis.url) }}
{{ include "atende.storeUrl" (dict "root" .root "name" "MONGODB_URI" "store" $v.mongodb "value" $v.mongodb.uri) }}
- name: MONGODB_DATABASE
  value: {{ $v.mongodb.database | quote }}
{{- with $v.otelEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: SECRETS_PROVIDER
  value: {{ $v.secrets.provider | quote }}
{{- if eq $v.secrets.provider "file" }}
- name: SECRETS_DIR
  value: /var/run/secrets/atende
{{- else if eq $v.secrets.provider "env" }}
{{- range (include "atende.secretKeys" . | fromJsonArray) }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.secrets.existingSecret }}
      key: {{ . }}
{{- end }}
{{- end }}
{{- range $name, $value := $v.secrets.providerSettings }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $field, $ref := .svc.secretRefs }}
- name: {{ $field }}_SECRET_REF
  value: {{ $ref | quote }}
{{- end }}
{{- end -}}

{{/* A store URL as a value, or (with credentials in it) from a key of the existing Secret. */}}
{{- define "atende.storeUrl" -}}
- name: {{ .name }}
{{- if .store.secretKey }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.secrets.existingSecret }}
      key: {{ .store.secretKey }}
{{- else }}
  value: {{ .value | quote }}
{{- end }}
{{- end -}}

{{/* Volumes of the secrets provider and of Kafka's CA, shared by the services and the Job. */}}
{{- define "atende.secretVolumes" -}}
{{- $v := .root.Values -}}
{{- if eq $v.secrets.provider "file" }}
- name: secrets
  secret:
    secretName: {{ $v.secrets.existingSecret }}
    defaultMode: 0440
    # Only this service's keys: a compromised pod reads nothing that another service needs.
    items:
    {{- range (include "atende.secretKeys" . | fromJsonArray) }}
      - key: {{ . }}
        path: {{ . }}
    {{- end }}
{{- end }}
{{- with $v.kafka.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ . }}
    defaultMode: 0444
{{- end }}
{{- end -}}

{{- define "atende.secretMounts" -}}
{{- if eq .root.Values.secrets.provider "file" }}
- name: secrets
  mountPath: /var/run/secrets/atende
  readOnly: true
{{- end }}
{{- if .root.Values.kafka.caSecret }}
- name: kafka-ca
  mountPath: /etc/atende/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* The restricted Pod Security profile (docs/deployment/KUBERNETES.md): uid 10001 as in the Dockerfile. */}}
{{- define "atende.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "atende.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
