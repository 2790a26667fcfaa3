// Drives the emulator with the SDK's own clients, signer and models through every call the operator
// makes on API Gateway, ROMA Connect and SCM. Each answer must be accepted, decode into the SDK's
// model, carry every field the model requires and no field it lacks; errors must decode as SDK errors.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	hc "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

type driveConfig struct {
	Endpoint  string `json:"endpoint"`
	ProjectID string `json:"project_id"`
	DomainID  string `json:"domain_id"`
	AK        string `json:"ak"`
	SK        string `json:"sk"`
	Instance  string `json:"instance_id"`
	Group     string `json:"group_id"`
	DomainRef string `json:"domain_id_of_url_domain"`
	Domain    string `json:"domain"`
	CertPem   string `json:"cert_pem"`
	KeyPem    string `json:"key_pem"`
	CaPem     string `json:"ca_pem"`
	// Temporary AK/SK: the SDK adds and signs X-Security-Token.
	TempAK        string `json:"temp_ak"`
	TempSK        string `json:"temp_sk"`
	SecurityToken string `json:"security_token"`
}

type result struct {
	Family    string   `json:"family"`
	Operation string   `json:"operation"`
	Status    int      `json:"status"`
	Problems  []string `json:"problems"`
}

type report struct {
	Results []result `json:"results"`
	Failed  int      `json:"failed"`
}

// recorder keeps the raw body of the last answer (the SDK only hands back decoded models).
type recorder struct {
	last   []byte
	status int
	sent   http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.sent = req.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	r.last, r.status = body, res.StatusCode
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

type driver struct {
	cfg    driveConfig
	rec    *recorder
	report report
}

func (d *driver) httpConfig() *config.HttpConfig {
	return config.DefaultHttpConfig().WithHttpRoundTripper(d.rec).WithRetries(0)
}

func (d *driver) basicClient() *hc.HcHttpClient {
	return d.basicClientWith(d.cfg.AK, d.cfg.SK, "")
}

func (d *driver) basicClientWith(ak, sk, token string) *hc.HcHttpClient {
	b := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(d.cfg.ProjectID)
	if token != "" {
		b = b.WithSecurityToken(token)
	}
	cred, err := b.SafeBuild()
	must(err)
	return hc.NewHcHttpClientBuilder().WithEndpoints([]string{d.cfg.Endpoint}).WithCredential(cred).
		WithHttpConfig(d.httpConfig()).Build()
}

func (d *driver) globalClient() *hc.HcHttpClient {
	cred, err := global.NewCredentialsBuilder().WithAk(d.cfg.AK).WithSk(d.cfg.SK).WithDomainId(d.cfg.DomainID).SafeBuild()
	must(err)
	return hc.NewHcHttpClientBuilder().WithEndpoints([]string{d.cfg.Endpoint}).WithCredential(cred).
		WithCredentialsType("global.Credentials,basic.Credentials").WithHttpConfig(d.httpConfig()).Build()
}

// ok runs one call that must succeed and checks its raw answer against the response model.
func (d *driver) ok(family, op string, call func() (interface{}, error)) interface{} {
	res := result{Family: family, Operation: op, Problems: []string{}}
	resp, err := call()
	res.Status = d.rec.status
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("SDK call failed: %v", err))
	} else if len(bytes.TrimSpace(d.rec.last)) > 0 {
		var raw interface{}
		if jerr := json.Unmarshal(d.rec.last, &raw); jerr != nil {
			res.Problems = append(res.Problems, "answer is not JSON")
		} else {
			checkShape(op, raw, reflect.TypeOf(resp), &res.Problems)
		}
	} else if d.rec.status != http.StatusNoContent {
		res.Problems = append(res.Problems, fmt.Sprintf("empty answer with status %d", d.rec.status))
	}
	d.add(res)
	return resp
}

// fails runs one call that must fail with this status and error code, decoded as an SDK error.
func (d *driver) fails(family, op string, status int, code string, call func() (interface{}, error)) {
	res := result{Family: family, Operation: op + " (error)", Problems: []string{}}
	_, err := call()
	res.Status = d.rec.status
	var se *sdkerr.ServiceResponseError
	switch {
	case err == nil:
		res.Problems = append(res.Problems, "succeeded, want an error")
	case !errors.As(err, &se):
		res.Problems = append(res.Problems, fmt.Sprintf("not an SDK ServiceResponseError: %T %v", err, err))
	case se.StatusCode != status || se.ErrorCode != code || se.ErrorMessage == "":
		res.Problems = append(res.Problems, fmt.Sprintf("got %d %q %q, want %d %s with a message",
			se.StatusCode, se.ErrorCode, se.ErrorMessage, status, code))
	}
	d.add(res)
}

func (d *driver) add(r result) {
	if len(r.Problems) > 0 {
		d.report.Failed++
	}
	d.report.Results = append(d.report.Results, r)
}

// sentHeader checks a header the SDK's credentials put on the last request.
func (d *driver) sentHeader(family, op, name, want string) {
	res := result{Family: family, Operation: op + " (" + name + ")", Status: d.rec.status, Problems: []string{}}
	if got := d.rec.sent.Get(name); got != want {
		res.Problems = append(res.Problems, fmt.Sprintf("%s sent as %q, want %q", name, got, want))
	}
	d.add(res)
}

func drive(cfg driveConfig) report {
	d := &driver{cfg: cfg, rec: &recorder{}}
	d.report.Results = []result{}
	d.apig()
	d.roma()
	d.scm()
	return d.report
}
