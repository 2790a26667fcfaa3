package main

import (
	"context"
	"fmt"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

type fluxExprs struct {
	Current    string `json:"current"`
	Failed     string `json:"failed"`
	InProgress string `json:"inProgress"`
}

type fluxExpr struct {
	status string
	prog   cel.Program
}

type fluxEvaluator struct{ exprs []fluxExpr }

// newFluxEvaluator parses the expressions in the environment Flux's runtime/cel builds for
// healthCheckExprs: parsed, not compiled (a CRD need not have the usual top-level fields), with the
// optional-types, strings, sets and encoders extensions, in RFC-0009 order inProgress, failed, current.
func newFluxEvaluator(e fluxExprs) (*fluxEvaluator, error) {
	if e.Current == "" {
		return nil, fmt.Errorf("flux: expression current not specified")
	}
	env, err := cel.NewEnv(
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		ext.Strings(),
		ext.Sets(),
		ext.Encoders(),
	)
	if err != nil {
		return nil, err
	}
	ev := &fluxEvaluator{}
	for _, x := range []struct{ status, expr string }{
		{"InProgress", e.InProgress}, {"Failed", e.Failed}, {"Current", e.Current},
	} {
		if x.expr == "" {
			continue
		}
		ast, issues := env.Parse(x.expr)
		if issues != nil && issues.Err() != nil {
			return nil, fmt.Errorf("flux: parsing %s expression: %s", x.status, issues.String())
		}
		prog, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.InterruptCheckFrequency(100))
		if err != nil {
			return nil, fmt.Errorf("flux: %s expression: %w", x.status, err)
		}
		ev.exprs = append(ev.exprs, fluxExpr{x.status, prog})
	}
	return ev, nil
}

// evaluate follows Flux's StatusEvaluator: a status.observedGeneration that differs from
// metadata.generation is InProgress before any expression runs; then the first expression that is
// true decides; none true is InProgress.
func (f *fluxEvaluator) evaluate(obj map[string]any) verdict {
	if observed, ok := nested(obj, "status", "observedGeneration"); ok {
		if gen, ok := nested(obj, "metadata", "generation"); ok && observed != gen {
			return verdict{Status: "InProgress"}
		}
	}
	for _, e := range f.exprs {
		val, _, err := e.prog.ContextEval(context.Background(), obj)
		if err != nil {
			return verdict{Status: "Unknown", Error: err.Error()}
		}
		b, ok := val.(types.Bool)
		if !ok {
			return verdict{Status: "Unknown", Error: fmt.Sprintf("%s expression is not boolean", e.status)}
		}
		if b {
			return verdict{Status: e.status}
		}
	}
	return verdict{Status: "InProgress"}
}

func nested(obj map[string]any, path ...string) (int64, bool) {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return 0, false
		}
		cur = m[p]
	}
	n, ok := cur.(int64)
	return n, ok
}
