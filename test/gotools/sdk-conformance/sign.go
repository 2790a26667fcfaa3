// The SDK's own signer (core/auth/signer) on shared vectors, for comparison with the operator's.
package main

import (
	"reflect"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

type vector struct {
	Endpoint string `json:"endpoint"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	// Query pairs; a repeated key is sent as a list, as the SDK does.
	Query   [][2]string       `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	AK      string            `json:"ak"`
	SK      string            `json:"sk"`
	// X-Sdk-Date, YYYYMMDDTHHMMSSZ.
	Date string `json:"date"`
}

type signed struct {
	Authorization string `json:"authorization"`
	Date          string `json:"date"`
	Error         string `json:"error,omitempty"`
}

func signAll(vs []vector) []signed {
	out := make([]signed, 0, len(vs))
	for _, v := range vs {
		b := request.NewHttpRequestBuilder().WithEndpoint(v.Endpoint).WithPath(v.Path).WithMethod(v.Method)
		grouped := map[string][]string{}
		var order []string
		for _, kv := range v.Query {
			if _, seen := grouped[kv[0]]; !seen {
				order = append(order, kv[0])
			}
			grouped[kv[0]] = append(grouped[kv[0]], kv[1])
		}
		for _, k := range order {
			if vals := grouped[k]; len(vals) == 1 {
				b.AddQueryParam(k, reflect.ValueOf(vals[0]))
			} else {
				b.AddQueryParam(k, reflect.ValueOf(vals))
			}
		}
		for k, val := range v.Headers {
			b.AddHeaderParam(k, val)
		}
		b.AddHeaderParam("X-Sdk-Date", v.Date)
		if v.Body != "" {
			b.WithBody("", v.Body)
		}
		h, err := signer.Sign(b.Build(), v.AK, v.SK)
		if err != nil {
			out = append(out, signed{Error: err.Error()})
			continue
		}
		out = append(out, signed{Authorization: h["Authorization"], Date: h["X-Sdk-Date"]})
	}
	return out
}
