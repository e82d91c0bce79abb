{{/* A pod template: (tuple $env $component $imageKey $labelsGroup). */}}
{{- define "service.pod" -}}
{{- $env := index . 0 -}}
{{- $component := index . 1 -}}
metadata:
  labels:
{{ tuple $env $component | include "toolkit.selector" | indent 4 }}
  annotations:
    configmap-bin-hash: {{ tuple "configmap-bin.yaml" $env | include "toolkit.hash" }}
    configmap-etc-hash: {{ tuple "secret-etc.yaml" $env | include "toolkit.hash" }}
spec:
  serviceAccountName: {{ $env.Release.Name }}
{{- tuple $env (index . 3) | include "toolkit.node_selector" | indent 2 }}
  containers:
    - name: {{ $env.Chart.Name }}-{{ $component }}
      image: {{ tuple $env (index . 2) | include "toolkit.image" }}
      imagePullPolicy: {{ $env.Values.images.pull_policy | default "IfNotPresent" }}
      command: ["/tmp/start.sh"]
      volumeMounts:
        - name: etc
          mountPath: /etc/{{ $env.Chart.Name }}
          readOnly: true
        - name: bin
          mountPath: /tmp/start.sh
          subPath: start.sh
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
