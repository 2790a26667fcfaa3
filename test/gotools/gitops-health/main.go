// gitops-health evaluates the documented GitOps health checks (docs/gitops/) the way the GitOps tools
// do: the Argo CD Lua under gopher-lua (the VM Argo CD embeds) with Argo CD's library set and object
// conversion, and Flux's healthCheckExprs under cel-go with the environment Flux builds and its
// evaluation order (RFC-0009). Input on stdin, JSON:
//
//	{"lua": "<script>", "flux": {"current": "...", "failed": "...", "inProgress": "..."}, "objects": [ {...}, ... ]}
//
// Output on stdout, one result per object, in order:
//
//	[{"argo": {"status": "Healthy", "message": "..."}, "flux": {"status": "Current"}}, ...]
//
// An engine error (a script error, a non-boolean or failing expression) is what both tools show as
// Unknown with the error as message: {"status": "Unknown", "error": "..."}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type input struct {
	Lua     string            `json:"lua"`
	Flux    fluxExprs         `json:"flux"`
	Objects []json.RawMessage `json:"objects"`
}

type verdict struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

type result struct {
	Argo verdict `json:"argo"`
	Flux verdict `json:"flux"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gitops-health:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req input
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	flux, err := newFluxEvaluator(req.Flux)
	if err != nil {
		return err
	}
	results := make([]result, 0, len(req.Objects))
	for i, raw := range req.Objects {
		obj, err := unstructured(raw)
		if err != nil {
			return fmt.Errorf("object %d: %w", i, err)
		}
		results = append(results, result{Argo: argoHealth(req.Lua, obj), Flux: flux.evaluate(obj)})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// unstructured decodes an object as Kubernetes' unstructured JSON does: integers become int64,
// other numbers float64 (both engines see what the controllers would hand them).
func unstructured(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v).(map[string]any), nil
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = convertNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = convertNumbers(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}
