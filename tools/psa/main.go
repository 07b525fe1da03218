// psa-check evaluates the pods of rendered manifests against a Kubernetes Pod Security Standards level,
// using the Pod Security admission library itself (the checks the API server runs).
//
//	helm template ... | psa-check -level restricted -version latest
//
// It prints one JSON object per pod-bearing manifest and exits 1 when any is not allowed.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

type result struct {
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons,omitempty"`
}

func main() {
	level := flag.String("level", "restricted", "Pod Security Standards level: privileged, baseline or restricted")
	version := flag.String("version", "latest", "policy version, e.g. v1.23 or latest")
	flag.Parse()

	lv, err := psaapi.ParseLevel(*level)
	check(err)
	ver, err := psaapi.ParseVersion(*version)
	check(err)
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	check(err)

	docs, err := splitDocs(os.Stdin)
	check(err)
	failed := false
	enc := json.NewEncoder(os.Stdout)
	for _, doc := range docs {
		meta, spec, kind, name, ok, err := podOf(doc)
		check(err)
		if !ok {
			continue
		}
		res := result{Kind: kind, Name: name, Allowed: true}
		for _, r := range evaluator.EvaluatePod(psaapi.LevelVersion{Level: lv, Version: ver}, meta, spec) {
			if !r.Allowed {
				res.Allowed = false
				res.Reasons = append(res.Reasons, r.ForbiddenReason+": "+r.ForbiddenDetail)
			}
		}
		failed = failed || !res.Allowed
		check(enc.Encode(res))
	}
	if failed {
		os.Exit(1)
	}
}

func splitDocs(r io.Reader) ([][]byte, error) {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line + "\n")
	}
	docs = append(docs, cur.Bytes())
	return docs, sc.Err()
}

func podOf(doc []byte) (*metav1.ObjectMeta, *corev1.PodSpec, string, string, bool, error) {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind == "" {
		return nil, nil, "", "", false, nil
	}
	var tpl *corev1.PodTemplateSpec
	switch head.Kind {
	case "Pod":
		var p corev1.Pod
		if err := yaml.UnmarshalStrict(doc, &p); err != nil {
			return nil, nil, "", "", false, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
		}
		return &p.ObjectMeta, &p.Spec, head.Kind, head.Metadata.Name, true, nil
	case "StatefulSet":
		var s appsv1.StatefulSet
		if err := yaml.UnmarshalStrict(doc, &s); err != nil {
			return nil, nil, "", "", false, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
		}
		tpl = &s.Spec.Template
	case "Deployment":
		var d appsv1.Deployment
		if err := yaml.UnmarshalStrict(doc, &d); err != nil {
			return nil, nil, "", "", false, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
		}
		tpl = &d.Spec.Template
	case "Job":
		var j batchv1.Job
		if err := yaml.UnmarshalStrict(doc, &j); err != nil {
			return nil, nil, "", "", false, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
		}
		tpl = &j.Spec.Template
	default:
		return nil, nil, "", "", false, nil
	}
	return &tpl.ObjectMeta, &tpl.Spec, head.Kind, head.Metadata.Name, true, nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "psa-check:", err)
		os.Exit(2)
	}
}
