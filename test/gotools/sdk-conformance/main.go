// sdk-conformance: Huawei Cloud's official Go SDK as an independent definition of the API.
//
//	sdk-conformance drive  < config.json   drives the emulator with the SDK (own signer, custom endpoint)
//	sdk-conformance spec                   prints the SDK's request definitions of the operator's calls
//	sdk-conformance sign   < vectors.json  signs request vectors with the SDK's signer
//
// Each prints one JSON document on stdout; drive exits 1 when any check failed.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sdk-conformance drive|spec|sign")
		os.Exit(2)
	}
	var out interface{}
	failed := false
	switch os.Args[1] {
	case "drive":
		var cfg driveConfig
		must(json.NewDecoder(os.Stdin).Decode(&cfg))
		report := drive(cfg)
		failed = report.Failed > 0
		out = report
	case "spec":
		out = specs()
	case "sign":
		var vectors []vector
		must(json.NewDecoder(os.Stdin).Decode(&vectors))
		out = signAll(vectors)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(enc.Encode(out))
	if failed {
		os.Exit(1)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk-conformance:", err)
		os.Exit(2)
	}
}
