// API Gateway (services/roma/v2): the calls of Domain mode, Shared mode and adoption, then errors.
package main

import (
	roma "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2"
	romam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2/model"
)

func (d *driver) roma() {
	const fam = "apic"
	c := roma.NewRomaClient(d.basicClient())
	cfg := d.cfg
	name := "conformance_apic"
	d.ok(fam, "ListApiGroups", func() (interface{}, error) {
		return c.ListApiGroupsV2(&romam.ListApiGroupsV2Request{InstanceId: cfg.Instance})
	})
	d.sentHeader(fam, "ListApiGroups", "X-Project-Id", cfg.ProjectID)
	// ROMA Connect's CertForm adds type, instance_id and trusted_root_ca.
	instance := romam.GetCertFormTypeEnum().INSTANCE
	up, _ := d.ok(fam, "UploadDomainCertificate", func() (interface{}, error) {
		return c.AssociateCertificateV2(&romam.AssociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef,
			Body: &romam.CertForm{Name: name, CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem,
				Type: &instance, InstanceId: &cfg.Instance, TrustedRootCa: &cfg.CaPem}})
	}).(*romam.AssociateCertificateV2Response)
	sslID := ""
	if up != nil && up.SslId != nil {
		sslID = *up.SslId
	}
	// With a certificate bound, url_domains[].ssl_infos[] must decode (type is a string here).
	d.ok(fam, "ShowApiGroup", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&romam.ShowDetailsOfApiGroupV2Request{InstanceId: cfg.Instance, GroupId: cfg.Group})
	})
	d.ok(fam, "ShowDomainCertificate", func() (interface{}, error) {
		return c.ShowDetailsOfDomainNameCertificateV2(&romam.ShowDetailsOfDomainNameCertificateV2Request{
			InstanceId: cfg.Instance, GroupId: cfg.Group, DomainId: cfg.DomainRef, CertificateId: sslID})
	})
	d.ok(fam, "ListCertificates", func() (interface{}, error) {
		return c.ListCertificatesV2(&romam.ListCertificatesV2Request{InstanceId: cfg.Instance, Name: &name})
	})
	d.ok(fam, "ShowCertificate", func() (interface{}, error) {
		return c.ShowDetailsOfCertificateV2(&romam.ShowDetailsOfCertificateV2Request{CertificateId: sslID})
	})
	d.ok(fam, "DeleteDomainCertificate", func() (interface{}, error) {
		return c.DisassociateCertificateV2(&romam.DisassociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef, CertificateId: sslID})
	})
	d.ok(fam, "DeleteCertificate", func() (interface{}, error) {
		return c.DeleteCertificateV2(&romam.DeleteCertificateV2Request{CertificateId: sslID})
	})

	// Shared mode: a global certificate (client verification via trusted_root_ca), updated, attached.
	global := romam.GetCertificateFormTypeEnum().GLOBAL
	form := func() *romam.CertificateForm {
		return &romam.CertificateForm{Name: name, CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem,
			Type: &global, TrustedRootCa: &cfg.CaPem}
	}
	created, _ := d.ok(fam, "CreateCertificate", func() (interface{}, error) {
		return c.CreateCertificateV2(&romam.CreateCertificateV2Request{Body: form()})
	}).(*romam.CreateCertificateV2Response)
	id := ""
	if created != nil && created.Id != nil {
		id = *created.Id
	}
	d.ok(fam, "UpdateCertificate", func() (interface{}, error) {
		return c.UpdateCertificateV2(&romam.UpdateCertificateV2Request{CertificateId: id, Body: form()})
	})
	verified := true
	domains := func() *romam.AttachOrDetachDomainsReqBody {
		return &romam.AttachOrDetachDomainsReqBody{Domains: []romam.AttachOrDetachDomainInfo{{
			Domain: cfg.Domain, InstanceIds: &[]string{cfg.Instance}, VerifiedClientCertificateEnabled: &verified}}}
	}
	d.ok(fam, "AttachDomains", func() (interface{}, error) {
		return c.BatchAssociateDomainsV2(&romam.BatchAssociateDomainsV2Request{CertificateId: id, Body: domains()})
	})
	d.ok(fam, "ListAttachedDomains", func() (interface{}, error) {
		return c.ListAttachedDomainsV2(&romam.ListAttachedDomainsV2Request{CertificateId: id})
	})
	d.ok(fam, "ShowApiGroup", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&romam.ShowDetailsOfApiGroupV2Request{InstanceId: cfg.Instance, GroupId: cfg.Group})
	})
	globalList := romam.GetListCertificatesV2RequestTypeEnum().GLOBAL
	d.ok(fam, "ListCertificates", func() (interface{}, error) {
		return c.ListCertificatesV2(&romam.ListCertificatesV2Request{InstanceId: cfg.Instance, Type: &globalList})
	})
	d.ok(fam, "DetachDomains", func() (interface{}, error) {
		return c.BatchDisassociateDomainsV2(&romam.BatchDisassociateDomainsV2Request{CertificateId: id, Body: domains()})
	})
	d.ok(fam, "DeleteCertificate", func() (interface{}, error) {
		return c.DeleteCertificateV2(&romam.DeleteCertificateV2Request{CertificateId: id})
	})

	missing := "00000000000000000000000000000000"
	d.fails(fam, "ShowCertificate", 404, "APIG.3025", func() (interface{}, error) {
		return c.ShowDetailsOfCertificateV2(&romam.ShowDetailsOfCertificateV2Request{CertificateId: missing})
	})
	d.fails(fam, "UploadDomainCertificate", 400, "APIG.2012", func() (interface{}, error) {
		return c.AssociateCertificateV2(&romam.AssociateCertificateV2Request{InstanceId: cfg.Instance,
			GroupId: cfg.Group, DomainId: cfg.DomainRef,
			Body: &romam.CertForm{Name: "1bad", CertContent: cfg.CertPem, PrivateKey: cfg.KeyPem}})
	})
	d.fails(fam, "ShowApiGroup", 404, "APIG.3030", func() (interface{}, error) {
		return c.ShowDetailsOfApiGroupV2(&romam.ShowDetailsOfApiGroupV2Request{InstanceId: missing, GroupId: cfg.Group})
	})
}
