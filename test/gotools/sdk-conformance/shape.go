// Checks a raw JSON answer against an SDK model type: every field the model requires (no omitempty)
// is present, no field is unknown to the model, and values have the model's JSON kinds.
package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

var unmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

type jsonField struct {
	name     string
	required bool
	typ      reflect.Type
}

func fieldsOf(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "" || tag == "-" {
			continue
		}
		parts := strings.Split(tag, ",")
		out = append(out, jsonField{name: parts[0], required: !strings.Contains(tag, "omitempty"), typ: f.Type})
	}
	return out
}

// checkShape appends a problem for each difference between raw and the model type t.
func checkShape(where string, raw interface{}, t reflect.Type, problems *[]string) {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if reflect.PtrTo(t).Implements(unmarshaler) {
		return // enums and times decode themselves; the SDK's decode reports a wrong value
	}
	bad := func(format string, a ...interface{}) {
		*problems = append(*problems, where+": "+fmt.Sprintf(format, a...))
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]interface{})
		if !ok {
			bad("want an object, got %T", raw)
			return
		}
		known := map[string]bool{}
		for _, f := range fieldsOf(t) {
			known[f.name] = true
			v, present := obj[f.name]
			if !present {
				if f.required {
					bad("missing required field %q (%s)", f.name, t.Name())
				}
				continue
			}
			checkShape(where+"."+f.name, v, f.typ, problems)
		}
		for k := range obj {
			if !known[k] {
				bad("field %q is not in the SDK model %s", k, t.Name())
			}
		}
	case reflect.Slice:
		arr, ok := raw.([]interface{})
		if !ok {
			bad("want an array, got %T", raw)
			return
		}
		for i, v := range arr {
			checkShape(fmt.Sprintf("%s[%d]", where, i), v, t.Elem(), problems)
		}
	case reflect.String:
		if _, ok := raw.(string); !ok {
			bad("want a string, got %T", raw)
		}
	case reflect.Bool:
		if _, ok := raw.(bool); !ok {
			bad("want a boolean, got %T", raw)
		}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		if _, ok := raw.(float64); !ok {
			bad("want a number, got %T", raw)
		}
	}
}

// schemaOf describes a request model for the spec command: kinds, and per object its fields.
func schemaOf(t reflect.Type) interface{} {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if reflect.PtrTo(t).Implements(unmarshaler) {
		return "string" // the request enums the operator sends (type, algorithm_type) are strings
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := map[string]interface{}{}
		for _, f := range fieldsOf(t) {
			fields[f.name] = map[string]interface{}{"required": f.required, "schema": schemaOf(f.typ)}
		}
		return map[string]interface{}{"model": t.Name(), "fields": fields}
	case reflect.Slice:
		return map[string]interface{}{"items": schemaOf(t.Elem())}
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	default:
		return "number"
	}
}
