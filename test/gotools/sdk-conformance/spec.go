// The SDK's request definitions (method, path, query, body model) of every call the operator makes,
// keyed by the emulator's operation names, so a test can compare what the operator's client sends.
package main

import (
	"reflect"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	apig "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2"
	apigm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2/model"
	roma "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2"
	romam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2/model"
	scm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/scm/v3"
	scmm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/scm/v3/model"
)

type opDef struct {
	family, operation, sdkName string
	def                        func() *def.HttpRequestDef
	request                    interface{}
}

var operations = []opDef{
	{"apigw", "UploadDomainCertificate", "AssociateCertificateV2", apig.GenReqDefForAssociateCertificateV2, apigm.AssociateCertificateV2Request{}},
	{"apigw", "ShowDomainCertificate", "ShowDetailsOfDomainNameCertificateV2", apig.GenReqDefForShowDetailsOfDomainNameCertificateV2, apigm.ShowDetailsOfDomainNameCertificateV2Request{}},
	{"apigw", "DeleteDomainCertificate", "DisassociateCertificateV2", apig.GenReqDefForDisassociateCertificateV2, apigm.DisassociateCertificateV2Request{}},
	{"apigw", "CreateCertificate", "CreateCertificateV2", apig.GenReqDefForCreateCertificateV2, apigm.CreateCertificateV2Request{}},
	{"apigw", "ListCertificates", "ListCertificatesV2", apig.GenReqDefForListCertificatesV2, apigm.ListCertificatesV2Request{}},
	{"apigw", "ShowCertificate", "ShowDetailsOfCertificateV2", apig.GenReqDefForShowDetailsOfCertificateV2, apigm.ShowDetailsOfCertificateV2Request{}},
	{"apigw", "UpdateCertificate", "UpdateCertificateV2", apig.GenReqDefForUpdateCertificateV2, apigm.UpdateCertificateV2Request{}},
	{"apigw", "DeleteCertificate", "DeleteCertificateV2", apig.GenReqDefForDeleteCertificateV2, apigm.DeleteCertificateV2Request{}},
	{"apigw", "AttachDomains", "BatchAssociateDomainsV2", apig.GenReqDefForBatchAssociateDomainsV2, apigm.BatchAssociateDomainsV2Request{}},
	{"apigw", "DetachDomains", "BatchDisassociateDomainsV2", apig.GenReqDefForBatchDisassociateDomainsV2, apigm.BatchDisassociateDomainsV2Request{}},
	{"apigw", "ListAttachedDomains", "ListAttachedDomainsV2", apig.GenReqDefForListAttachedDomainsV2, apigm.ListAttachedDomainsV2Request{}},
	{"apigw", "ListApiGroups", "ListApiGroupsV2", apig.GenReqDefForListApiGroupsV2, apigm.ListApiGroupsV2Request{}},
	{"apigw", "ShowApiGroup", "ShowDetailsOfApiGroupV2", apig.GenReqDefForShowDetailsOfApiGroupV2, apigm.ShowDetailsOfApiGroupV2Request{}},
	{"apic", "UploadDomainCertificate", "AssociateCertificateV2", roma.GenReqDefForAssociateCertificateV2, romam.AssociateCertificateV2Request{}},
	{"apic", "ShowDomainCertificate", "ShowDetailsOfDomainNameCertificateV2", roma.GenReqDefForShowDetailsOfDomainNameCertificateV2, romam.ShowDetailsOfDomainNameCertificateV2Request{}},
	{"apic", "DeleteDomainCertificate", "DisassociateCertificateV2", roma.GenReqDefForDisassociateCertificateV2, romam.DisassociateCertificateV2Request{}},
	{"apic", "CreateCertificate", "CreateCertificateV2", roma.GenReqDefForCreateCertificateV2, romam.CreateCertificateV2Request{}},
	{"apic", "ListCertificates", "ListCertificatesV2", roma.GenReqDefForListCertificatesV2, romam.ListCertificatesV2Request{}},
	{"apic", "ShowCertificate", "ShowDetailsOfCertificateV2", roma.GenReqDefForShowDetailsOfCertificateV2, romam.ShowDetailsOfCertificateV2Request{}},
	{"apic", "UpdateCertificate", "UpdateCertificateV2", roma.GenReqDefForUpdateCertificateV2, romam.UpdateCertificateV2Request{}},
	{"apic", "DeleteCertificate", "DeleteCertificateV2", roma.GenReqDefForDeleteCertificateV2, romam.DeleteCertificateV2Request{}},
	{"apic", "AttachDomains", "BatchAssociateDomainsV2", roma.GenReqDefForBatchAssociateDomainsV2, romam.BatchAssociateDomainsV2Request{}},
	{"apic", "DetachDomains", "BatchDisassociateDomainsV2", roma.GenReqDefForBatchDisassociateDomainsV2, romam.BatchDisassociateDomainsV2Request{}},
	{"apic", "ListAttachedDomains", "ListAttachedDomainsV2", roma.GenReqDefForListAttachedDomainsV2, romam.ListAttachedDomainsV2Request{}},
	{"apic", "ListApiGroups", "ListApiGroupsV2", roma.GenReqDefForListApiGroupsV2, romam.ListApiGroupsV2Request{}},
	{"apic", "ShowApiGroup", "ShowDetailsOfApiGroupV2", roma.GenReqDefForShowDetailsOfApiGroupV2, romam.ShowDetailsOfApiGroupV2Request{}},
	{"scm", "ListScmCertificates", "ListCertificates", scm.GenReqDefForListCertificates, scmm.ListCertificatesRequest{}},
}

type opSpec struct {
	Family      string      `json:"family"`
	Operation   string      `json:"operation"`
	SDKName     string      `json:"sdk_name"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	ContentType string      `json:"content_type"`
	Query       []queryDef  `json:"query"`
	Body        interface{} `json:"body"`
	// The SDK's client for this service signs these credential headers (either one).
	CredentialHeaders []string `json:"credential_headers"`
}

type queryDef struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

func specs() []opSpec {
	out := make([]opSpec, 0, len(operations))
	for _, op := range operations {
		d := op.def()
		rt := reflect.TypeOf(op.request)
		required := map[string]bool{}
		for _, f := range fieldsOf(rt) {
			required[f.name] = f.required
		}
		s := opSpec{Family: op.family, Operation: op.operation, SDKName: op.sdkName, Method: d.Method,
			Path: d.Path, ContentType: d.ContentType, Query: []queryDef{}}
		for _, f := range d.RequestFields {
			switch f.LocationType {
			case def.Query:
				s.Query = append(s.Query, queryDef{Name: f.JsonTag, Required: required[f.JsonTag]})
			case def.Body:
				if bf, ok := rt.FieldByName(f.Name); ok {
					s.Body = schemaOf(bf.Type)
				}
			}
		}
		if op.family == "scm" {
			s.CredentialHeaders = []string{"x-domain-id", "x-project-id"}
		} else {
			s.CredentialHeaders = []string{"x-project-id"}
		}
		out = append(out, s)
	}
	return out
}
