{{/* Helpers in the style of openstack-helm's helm-toolkit, written for
     stackc's tests. */}}

{{/* Labels of every object: (tuple $env $component). */}}
{{- define "toolkit.labels" -}}
{{- $env := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $env.Chart.Name ($env.Chart.Version | replace "+" "_") }}
release_group: {{ $env.Release.Name }}
application: {{ $env.Chart.Name }}
component: {{ index . 1 }}
app.kubernetes.io/name: {{ $env.Chart.Name }}
app.kubernetes.io/component: {{ index . 1 }}
app.kubernetes.io/instance: {{ $env.Release.Name }}
{{- end -}}

{{/* Selector labels: (tuple $env $component). */}}
{{- define "toolkit.selector" -}}
{{- $env := index . 0 -}}
application: {{ $env.Chart.Name }}
component: {{ index . 1 }}
release_group: {{ $env.Release.Name }}
{{- end -}}

{{/* A map of sections to an oslo.config file: lists are joined with
     commas, {type: multistring, values: [...]} repeats the key,
     {type: csv, values: [...]} joins them, null values are left out. */}}
{{- define "toolkit.oslo_conf" -}}
{{- range $section, $options := . }}
{{- if kindIs "map" $options }}
[{{ $section }}]
{{- range $key, $value := $options }}
{{- if kindIs "slice" $value }}
{{ $key }} = {{ join "," $value }}
{{- else if kindIs "map" $value }}
{{- if eq (toString $value.type) "multistring" }}
{{- range $item := $value.values }}
{{ $key }} = {{ $item }}
{{- end }}
{{- else }}
{{ $key }} = {{ join "," $value.values }}
{{- end }}
{{- else if not (kindIs "invalid" $value) }}
{{ $key }} = {{ $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{ end -}}

{{/* The sha256 of another template of the calling chart:
     (tuple "secret-etc.yaml" $env). */}}
{{- define "toolkit.hash" -}}
{{- $env := index . 1 -}}
{{- $path := printf "%s/templates/%s" $env.Chart.Name (index . 0) -}}
{{- include $path $env | sha256sum | quote -}}
{{- end -}}

{{/* An image: (tuple $env "key"); the chart's own API image when the key
     is missing. */}}
{{- define "toolkit.image" -}}
{{- $env := index . 0 -}}
{{- $tags := $env.Values.images.tags | default dict -}}
{{- $own := printf "%s_api" $env.Chart.Name -}}
{{- $first := "" -}}
{{- range $k := keys $tags | sortAlpha }}{{ if not $first }}{{ $first = index $tags $k }}{{ end }}{{ end -}}
{{- index $tags (index . 1) | default (index $tags $own) | default $first | default "docker.io/library/busybox:1.36" -}}
{{- end -}}

{{/* The in-cluster host of an endpoint: (tuple $env "oslo_db"). */}}
{{- define "toolkit.host" -}}
{{- $env := index . 0 -}}
{{- $ep := index $env.Values.endpoints (index . 1) | default dict -}}
{{- $hosts := $ep.hosts | default dict -}}
{{- printf "%s.%s.svc.%s" ($hosts.default | default (index . 1)) $env.Release.Namespace ($env.Values.endpoints.cluster_domain_suffix | default "cluster.local") -}}
{{- end -}}

{{/* A URL with credentials: (tuple $env "oslo_db" "nova" "mysql+pymysql" 3306). */}}
{{- define "toolkit.authenticated_url" -}}
{{- $env := index . 0 -}}
{{- $type := index . 1 -}}
{{- $user := index . 2 -}}
{{- $ep := index $env.Values.endpoints $type | default dict -}}
{{- $auth := index ($ep.auth | default dict) $user | default dict -}}
{{- $path := $ep.path | default (printf "/%s" $env.Chart.Name) -}}
{{- if kindIs "map" $path }}{{ $path = $path.default | default (printf "/%s" $env.Chart.Name) }}{{ end -}}
{{- printf "%s://%s:%s@%s:%v%s" (index . 3) ($auth.username | default $user) ($auth.password | default "password") (tuple $env $type | include "toolkit.host") (index . 4) $path -}}
{{- end -}}

{{/* Job annotations: annotations.job.default, then annotations.job.<job>
     (a YAML map): (tuple $env "db_sync"). */}}
{{- define "toolkit.job_annotations" -}}
{{- $env := index . 0 -}}
{{- $jobs := $env.Values.annotations.job | default dict -}}
{{- merge (deepCopy (index $jobs (index . 1) | default dict)) (deepCopy ($jobs.default | default dict)) | toYaml -}}
{{- end -}}

{{/* A node selector from labels.<group>: (tuple $env $group). */}}
{{- define "toolkit.node_selector" -}}
{{- $sel := index . 1 -}}
{{- if and (kindIs "map" $sel) $sel.node_selector_key }}
nodeSelector:
  {{ $sel.node_selector_key }}: {{ $sel.node_selector_value }}
{{- end -}}
{{- end -}}
