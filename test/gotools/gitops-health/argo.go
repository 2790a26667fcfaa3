package main

import (
	"context"
	"encoding/json"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

// Argo CD's health codes; anything else becomes Unknown with this message, as Argo CD does.
var argoStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

const invalidHealthStatus = "Lua returned an invalid health status"

// argoHealth runs a resource.customizations.health script as Argo CD's util/lua does for a
// configured (not built-in) script: standard libraries skipped except package, base and table
// (Argo CD adds a cut-down os, which the documented script does not use), a 1 s budget, the object
// as the global `obj`, and the returned table read as {status, message}.
func argoHealth(script string, obj map[string]any) verdict {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return verdict{Status: "Unknown", Error: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return verdict{Status: "Unknown", Error: err.Error()}
	}
	ret := l.Get(-1)
	if ret.Type() != lua.LTTable {
		return verdict{Status: "Unknown", Error: "expect table output from Lua script, not " + ret.Type().String()}
	}
	encoded, err := luajson.Encode(ret)
	if err != nil {
		return verdict{Status: "Unknown", Error: err.Error()}
	}
	var hs verdict
	if err := json.Unmarshal(encoded, &hs); err != nil {
		return verdict{Status: "Unknown", Error: err.Error()}
	}
	if !argoStatuses[hs.Status] {
		return verdict{Status: "Unknown", Message: invalidHealthStatus}
	}
	return hs
}

// toLua converts an unstructured value the way Argo CD's decodeValue does (numbers as LNumber,
// arrays as sequences, maps as hash tables, anything else nil).
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(toLua(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for key, item := range v {
			tbl.RawSetH(lua.LString(key), toLua(l, item))
		}
		return tbl
	}
	return lua.LNil
}
