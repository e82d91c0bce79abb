{{/* A Job: (tuple $env $name $hook $imageKey $readsJobAnnotations). */}}
{{- define "service.job" -}}
{{- $env := index . 0 -}}
{{- $name := index . 1 -}}
{{- $hook := index . 2 -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ $env.Release.Name }}-{{ $name | replace "_" "-" }}
  namespace: {{ $env.Release.Namespace }}
  labels:
{{ tuple $env $name | include "toolkit.labels" | indent 4 }}
{{- $ann := dict }}
{{- if index . 4 }}
{{- $ann = tuple $env $name | include "toolkit.job_annotations" | fromYaml }}
{{- end }}
{{- if $hook }}
{{- $_ := set $ann "helm.sh/hook" $hook }}
{{- $_ := set $ann "helm.sh/hook-delete-policy" "before-hook-creation" }}
{{- end }}
{{- if $ann }}
  annotations:
{{ toYaml $ann | indent 4 }}
{{- end }}
spec:
  backoffLimit: 1000
  template:
    metadata:
      labels:
{{ tuple $env $name | include "toolkit.selector" | indent 8 }}
    spec:
      serviceAccountName: {{ $env.Release.Name }}
      restartPolicy: OnFailure
{{- tuple $env $env.Values.labels.job | include "toolkit.node_selector" | indent 6 }}
      containers:
        - name: {{ $name | replace "_" "-" }}
          image: {{ tuple $env (index . 3) | include "toolkit.image" }}
          command: ["/tmp/db-sync.sh"]
          volumeMounts:
            - name: etc
              mountPath: /etc/{{ $env.Chart.Name }}
              readOnly: true
            - name: bin
              mountPath: /tmp/db-sync.sh
              subPath: db-sync.sh
              readOnly: true
      volumes:
        - name: etc
          secret:
            secretName: {{ $env.Release.Name }}-etc
            defaultMode: 0444
        - name: bin
          configMap:
            name: {{ $env.Release.Name }}-bin
            defaultMode: 0555
{{- end -}}
