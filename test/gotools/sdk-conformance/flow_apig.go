// API Gateway (services/apig/v2): the calls of Domain mode, Shared mode and adoption, then errors.
package main

import (
	apig "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2"
	apigm "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2/model"
)

func (d *driver) apig() {
	const fam = "apigw"
	c := apig.NewApigClient(d.basicClient())
	cfg := d.cfg
	name := "conformance_apigw"
	d.ok(fam, "ListApiGroups", func() (interface{}, error) {
		return c.ListApiGroupsV2(&apigm.ListApiGroupsV2Request{InstanceId: cfg.Instance})
	})
	d.sentHeader(fam, "ListApiGroups", "X-Project-Id", cfg.ProjectID)
	if cfg.TempAK != "" {
		temp := apig.NewApigClient(d.basicClientWith(cfg.TempAK, cfg.TempSK, cfg.SecurityToken))
		d.ok(fam, "ListApiGroups", func() (interface{}, error) {
			return temp.ListApiGroupsV2(&apigm.ListApiGroupsV2Request{InstanceId: cfg.Instance})
		})
		d.sentHeader(fam, "ListApiGroups", "X-Security-Token", cfg.SecurityToken)
	}
	// API Gateway's CertForm: name, cert_content, private_key only.
	up, _ := d.ok(fam, "UploadDomainCertificate", func() (interface{}, error) {
		return c.AssociateCertificateV2(&apigm.AssociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef,
			Body: &apigm.CertForm{Name: name, CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem}})
	}).(*apigm.AssociateCertificateV2Response)
	sslID := ""
	if up != nil {
		sslID = up.SslId
	}
	// With a certificate bound, url_domains[].ssl_infos[] must decode (type is an integer here).
	d.ok(fam, "ShowApiGroup", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&apigm.ShowDetailsOfApiGroupV2Request{InstanceId: cfg.Instance, GroupId: cfg.Group})
	})
	d.ok(fam, "ShowDomainCertificate", func() (interface{}, error) {
		return c.ShowDetailsOfDomainNameCertificateV2(&apigm.ShowDetailsOfDomainNameCertificateV2Request{
			InstanceId: cfg.Instance, GroupId: cfg.Group, DomainId: cfg.DomainRef, CertificateId: sslID})
	})
	d.ok(fam, "ListCertificates", func() (interface{}, error) {
		return c.ListCertificatesV2(&apigm.ListCertificatesV2Request{InstanceId: cfg.Instance, Name: &name})
	})
	d.ok(fam, "ShowCertificate", func() (interface{}, error) {
		return c.ShowDetailsOfCertificateV2(&apigm.ShowDetailsOfCertificateV2Request{CertificateId: sslID})
	})
	d.ok(fam, "DeleteDomainCertificate", func() (interface{}, error) {
		return c.DisassociateCertificateV2(&apigm.DisassociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef, CertificateId: sslID})
	})
	d.ok(fam, "DeleteCertificate", func() (interface{}, error) {
		return c.DeleteCertificateV2(&apigm.DeleteCertificateV2Request{CertificateId: sslID})
	})

	// Shared mode: a global certificate (client verification via trusted_root_ca), updated, attached.
	global := apigm.GetCertificateFormTypeEnum().GLOBAL
	form := func() *apigm.CertificateForm {
		return &apigm.CertificateForm{Name: name, CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem,
			Type: &global, TrustedRootCa: &cfg.CaPem}
	}
	created, _ := d.ok(fam, "CreateCertificate", func() (interface{}, error) {
		return c.CreateCertificateV2(&apigm.CreateCertificateV2Request{Body: form()})
	}).(*apigm.CreateCertificateV2Response)
	id := ""
	if created != nil && created.Id != nil {
		id = *created.Id
	}
	d.ok(fam, "UpdateCertificate", func() (interface{}, error) {
		return c.UpdateCertificateV2(&apigm.UpdateCertificateV2Request{CertificateId: id, Body: form()})
	})
	verified := true
	domains := func() *apigm.AttachOrDetachDomainsReqBody {
		return &apigm.AttachOrDetachDomainsReqBody{Domains: []apigm.AttachOrDetachDomainInfo{{
			Domain: cfg.Domain, InstanceIds: &[]string{cfg.Instance}, VerifiedClientCertificateEnabled: &verified}}}
	}
	d.ok(fam, "AttachDomains", func() (interface{}, error) {
		return c.BatchAssociateDomainsV2(&apigm.BatchAssociateDomainsV2Request{CertificateId: id, Body: domains()})
	})
	d.ok(fam, "ListAttachedDomains", func() (interface{}, error) {
		return c.ListAttachedDomainsV2(&apigm.ListAttachedDomainsV2Request{CertificateId: id})
	})
	d.ok(fam, "ShowApiGroup", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&apigm.ShowDetailsOfApiGroupV2Request{InstanceId: cfg.Instance, GroupId: cfg.Group})
	})
	globalList := apigm.GetListCertificatesV2RequestTypeEnum().GLOBAL
	d.ok(fam, "ListCertificates", func() (interface{}, error) {
		return c.ListCertificatesV2(&apigm.ListCertificatesV2Request{InstanceId: cfg.Instance, Type: &globalList})
	})
	d.ok(fam, "DetachDomains", func() (interface{}, error) {
		return c.BatchDisassociateDomainsV2(&apigm.BatchDisassociateDomainsV2Request{CertificateId: id, Body: domains()})
	})
	d.ok(fam, "DeleteCertificate", func() (interface{}, error) {
		return c.DeleteCertificateV2(&apigm.DeleteCertificateV2Request{CertificateId: id})
	})

	missing := "00000000000000000000000000000000"
	d.fails(fam, "ShowCertificate", 404, "APIG.3025", func() (interface{}, error) {
		return c.ShowDetailsOfCertificateV2(&apigm.ShowDetailsOfCertificateV2Request{CertificateId: missing})
	})
	d.fails(fam, "UploadDomainCertificate", 400, "APIG.2012", func() (interface{}, error) {
		return c.AssociateCertificateV2(&apigm.AssociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef,
			Body: &apigm.CertForm{Name: "1bad", CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem}})
	})
	d.fails(fam, "ShowApiGroup", 404, "APIG.3030", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&apigm.ShowDetailsOfApiGroupV2Request{InstanceId: missing, GroupId: cfg.Group})
	})
}
