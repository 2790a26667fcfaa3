// SCM (services/scm/v3): the certificate list, with basic (X-Project-Id) and global (X-Domain-Id)
// credentials, both of which the SDK's SCM client accepts.
package main

import (
	apig "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2"
	apigm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2/model"
	scm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/scm/v3"
	scmm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/scm/v3/model"
)

func (d *driver) scm() {
	const fam = "scm"
	cfg := d.cfg
	// Something to list: one certificate on the gateway, removed again afterwards.
	gw := apig.NewApigClient(d.basicClient())
	created, err := gw.CreateCertificateV2(&apigm.CreateCertificateV2Request{Body: &apigm.CertificateForm{
		Name: "conformance_scm", CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem}})
	if err != nil || created.Id == nil {
		d.add(result{Family: fam, Operation: "setup", Problems: []string{"could not create a certificate to list"}})
		return
	}
	defer gw.DeleteCertificateV2(&apigm.DeleteCertificateV2Request{CertificateId: *created.Id})
	limit, asc, key := int32(10), "ASC", "certExpiredTime"
	for _, c := range []struct {
		client *scm.ScmClient
		header string
		value  string
	}{
		{scm.NewScmClient(d.basicClient()), "X-Project-Id", cfg.ProjectID},
		{scm.NewScmClient(d.globalClient()), "X-Domain-Id", cfg.DomainID},
	} {
		resp, _ := d.ok(fam, "ListScmCertificates", func() (interface{}, error) {
			return c.client.ListCertificates(&scmm.ListCertificatesRequest{Limit: &limit, SortDir: &asc, SortKey: &key})
		}).(*scmm.ListCertificatesResponse)
		d.sentHeader(fam, "ListScmCertificates", c.header, c.value)
		if resp != nil && (resp.Certificates == nil || len(*resp.Certificates) == 0) {
			d.add(result{Family: fam, Operation: "ListScmCertificates", Problems: []string{"the uploaded certificate is not listed"}})
		}
	}
	wrong := scm.NewScmClient(d.basicClientWith(cfg.AK, "wrong-secret-key", ""))
	d.fails(fam, "ListScmCertificates", 401, "SCM.0002", func() (interface{}, error) {
		return wrong.ListCertificates(&scmm.ListCertificatesRequest{})
	})
}
