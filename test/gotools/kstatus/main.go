// kstatus prints what sigs.k8s.io/cli-utils' kstatus (the library Flux, kpt and Config Sync use to
// judge custom resources) computes for each object read from stdin: one JSON object, or a
// Kubernetes List / JSON array of them. Output: one JSON line per object,
// {"name":…,"status":"Current|InProgress|Failed|Terminating|…","message":…}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sjson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	// apimachinery's decoder keeps integers as int64 (encoding/json would make them float64, and
	// kstatus then could not read metadata.generation / status.observedGeneration).
	var doc interface{}
	if err := k8sjson.Unmarshal(raw, &doc); err != nil {
		fail(fmt.Errorf("stdin is not JSON: %w", err))
	}
	var objects []interface{}
	switch v := doc.(type) {
	case []interface{}:
		objects = v
	case map[string]interface{}:
		if items, ok := v["items"].([]interface{}); ok {
			objects = items
		} else {
			objects = []interface{}{v}
		}
	default:
		fail(fmt.Errorf("stdin holds neither an object nor a list"))
	}
	out := json.NewEncoder(os.Stdout)
	for _, o := range objects {
		m, ok := o.(map[string]interface{})
		if !ok {
			fail(fmt.Errorf("list item is not an object"))
		}
		u := &unstructured.Unstructured{Object: m}
		res, err := status.Compute(u)
		if err != nil {
			fail(fmt.Errorf("%s: %w", u.GetName(), err))
		}
		if err := out.Encode(verdict{Name: u.GetName(), Status: res.Status.String(), Message: res.Message}); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kstatus:", err)
	os.Exit(1)
}
