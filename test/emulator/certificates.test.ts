// The certificate life cycle as an operator sees it: upload, bind, update in place, list, detach,
// delete; identical under apigw and apic; groups and SCM reflect it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../support/pki.ts';
import { type Emulator, startEmulator } from './server.ts';
import { call, paths } from './testkit.ts';

let emu: Emulator;
const ca = createCA();
const cert = (names: string[]) => issueCertificate({ ca, dnsNames: names });

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  // A fresh emulator per test keeps bindings independent.
  await emu.close();
  emu = await startEmulator();
});

describe.each(['apigw', 'apic'] as const)('under %s', (family) => {
  it('upload to a domain: 201, a new certificate every time, the newest one bound', async () => {
    const p = paths(emu, family);
    const leaf = cert([p.domain().name]);
    const b = { name: 'same_upload', cert_content: leaf.certPem, private_key: leaf.keyPem };
    const first = await call(emu, 'POST', `${p.domainPath()}/certificate`, { body: b });
    const second = await call(emu, 'POST', `${p.domainPath()}/certificate`, { body: b });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.ssl_id).not.toBe(second.body.ssl_id);
    expect(emu.state.certificates).toHaveLength(2);
    const d = emu.state.domains.find((x) => x.domain_id === p.domain().id)!;
    expect(d.certificate).toMatchObject({ id: second.body.ssl_id, serial_number: leaf.serialNumber });
    expect(d.certificate?.trusted_root_ca_sent).toBe(false);
    // The one-domain admin read says the same (the benchmark's check at 10,000 domains).
    const one = async (instance: string, name: string) =>
      (await (
        await fetch(
          `${emu.url}/__admin/served?${new URLSearchParams({ instance_id: instance, domain: name })}`,
        )
      ).json()) as {
        certificate: unknown;
      };
    expect((await one(d.instance_id, d.url_domain)).certificate).toEqual(d.certificate);
    expect((await one(d.instance_id, 'elsewhere.example.com')).certificate).toBeNull();
    // The old binding is gone: the first certificate is no longer served there.
    const old = await call(emu, 'GET', `${p.domainPath()}/certificate/${first.body.ssl_id}`);
    expect(old.body.error_code).toBe('APIG.3097');
  });

  it('trusted_root_ca turns client verification on and is recorded (apic upload, or create + attach)', async () => {
    const p = paths(emu, family);
    const leaf = cert([p.domain().name]);
    const body = {
      name: 'with_ca',
      cert_content: leaf.certPem,
      private_key: leaf.keyPem,
      trusted_root_ca: ca.certPem,
    };
    const r = await call(emu, 'POST', `${p.domainPath()}/certificate`, { body });
    if (family === 'apigw') {
      // API Gateway's upload body (CertForm) has no trusted_root_ca: refused, never silently dropped.
      expect([r.status, r.body.error_code]).toEqual([400, 'APIG.2012']);
      expect(r.body.error_msg).toContain('parameterName:trusted_root_ca');
      const c = await call(emu, 'POST', p.certificates, { body });
      expect(c.body.is_has_trusted_root_ca).toBe(true);
      const a = await call(emu, 'POST', `${p.certificates}/${c.body.id}/domains/attach`, {
        body: { domains: [{ domain: p.domain().name, instance_ids: [p.gw().id] }] },
      });
      expect(a.status).toBe(204);
    } else {
      expect(r.body.verified_client_certificate_enabled).toBe(true);
    }
    const d = emu.state.domains.find((x) => x.domain_id === p.domain().id)!;
    expect(d.certificate?.trusted_root_ca_sent).toBe(true);
    expect(d.verified_client_certificate_enabled).toBe(true);
  });

  it('create (200), attach, update in place (bound domains serve the new content), detach, delete (204)', async () => {
    const p = paths(emu, family);
    const name = p.domain().name;
    const v1 = cert([name]);
    const created = await call(emu, 'POST', p.certificates, {
      body: { name: 'lifecycle', cert_content: v1.certPem, private_key: v1.keyPem },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      serial_number: v1.serialNumber,
      type: 'global',
      instance_id: 'common',
    });
    const id = created.body.id as string;
    const attach = await call(emu, 'POST', `${p.certificates}/${id}/domains/attach`, {
      body: { domains: [{ domain: name, instance_ids: [p.gw().id] }] },
    });
    expect(attach.status).toBe(204);

    const v2 = cert([name]);
    const updated = await call(emu, 'PUT', `${p.certificates}/${id}`, {
      body: { name: 'lifecycle', cert_content: v2.certPem, private_key: v2.keyPem },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id,
      serial_number: v2.serialNumber,
      create_time: created.body.create_time,
    });
    const served = await call(emu, 'GET', `${p.domainPath()}/certificate/${id}`);
    expect(served.body.serial_number).toBe(v2.serialNumber);

    const attached = await call(emu, 'GET', `${p.certificates}/${id}/attached-domains`);
    expect(attached.body).toMatchObject({ total: 1, size: 1 });
    expect((attached.body.bound_domains as unknown[])[0]).toEqual({
      id: p.domain().id,
      url_domain: name,
      instance_id: p.gw().id,
      status: 3,
      min_ssl_version: 'TLSv1.2',
      verified_client_certificate_enabled: false,
      api_group_id: p.group().id,
      api_group_name: p.group().name,
      ssl_id: id,
      ssl_name: 'lifecycle',
    });

    // Still bound: deleting is refused until detached.
    expect((await call(emu, 'DELETE', `${p.certificates}/${id}`)).body.error_code).toBe('APIG.2000');
    const detach = await call(emu, 'POST', `${p.certificates}/${id}/domains/detach`, {
      body: { domains: [{ domain: name, instance_ids: [p.gw().id] }] },
    });
    expect(detach.status).toBe(204);
    expect(emu.state.domains.find((d) => d.domain_id === p.domain().id)?.certificate).toBeNull();
    const del = await call(emu, 'DELETE', `${p.certificates}/${id}`);
    expect(del.status).toBe(204);
    expect((await call(emu, 'GET', `${p.certificates}/${id}`)).status).toBe(404);
  });

  it('DELETE .../domains/{id}/certificate/{id} unbinds (204)', async () => {
    const p = paths(emu, family);
    const leaf = cert([p.domain().name]);
    const up = await call(emu, 'POST', `${p.domainPath()}/certificate`, {
      body: { name: 'to_unbind', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    const r = await call(emu, 'DELETE', `${p.domainPath()}/certificate/${up.body.ssl_id}`);
    expect(r.status).toBe(204);
    expect(emu.state.domains.find((d) => d.domain_id === p.domain().id)?.certificate).toBeNull();
    expect(emu.state.certificates).toHaveLength(1); // unbinding keeps the certificate
  });

  it('attach without instance_ids binds the name on every gateway that has it', async () => {
    const p = paths(emu, family);
    const leaf = cert(['www.example.com']);
    const c = await call(emu, 'POST', p.certificates, {
      body: { name: 'everywhere', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    await call(emu, 'POST', `${p.certificates}/${c.body.id}/domains/attach`, {
      body: { domains: [{ domain: 'www.example.com' }] },
    });
    const bound = emu.state.domains.filter((d) => d.certificate?.id === c.body.id);
    expect(bound.map((d) => d.instance_id).sort()).toEqual(emu.seed.gateways.map((g) => g.id).sort());
  });
});

describe('lists', () => {
  it('ListCertificates pages with offset/limit, filters, clamps limit to 1..500, no serial_number', async () => {
    const p = paths(emu);
    for (let i = 0; i < 5; i++) {
      const leaf = cert([`n${i}.example.com`]);
      await call(emu, 'POST', p.certificates, {
        body: { name: `list_${i}`, cert_content: leaf.certPem, private_key: leaf.keyPem },
      });
    }
    const page = await call(emu, 'GET', p.certList, { query: { offset: 1, limit: 2 } });
    expect(page.body).toMatchObject({ size: 2, total: 5 });
    const certs = page.body.certs as Record<string, unknown>[];
    expect(certs.map((c) => c.name)).toEqual(['list_1', 'list_2']);
    expect(certs.every((c) => !('serial_number' in c))).toBe(true);
    const byCn = await call(emu, 'GET', p.certList, { query: { common_name: 'n3.example.com' } });
    expect(byCn.body.total).toBe(1);
    const def = await call(emu, 'GET', p.certList);
    expect(def.body.size).toBe(5);
    // The SDK: a limit <= 0 becomes 20, one above 500 becomes 500 (no 400).
    for (const limit of [0, -3, 501]) {
      expect((await call(emu, 'GET', p.certList, { query: { limit } })).body).toMatchObject({ size: 5 });
    }
  });

  it('both families want instance_id naming a gateway; global certificates show on every gateway', async () => {
    for (const family of ['apigw', 'apic'] as const) {
      const p = paths(emu, family);
      expect((await call(emu, 'GET', p.certificates)).body.error_code).toBe('APIG.2012');
      // `common` is what a global certificate shows as instance_id, not a gateway to list on.
      const common = await call(emu, 'GET', p.certificates, { query: { instance_id: 'common' } });
      expect([common.status, common.body.error_code]).toEqual([404, 'APIG.3030']);
    }
    const p = paths(emu);
    const leaf = cert([p.domain().name]);
    const body = { cert_content: leaf.certPem, private_key: leaf.keyPem };
    await call(emu, 'POST', p.certificates, { body: { ...body, name: 'everywhere' } });
    await call(emu, 'POST', p.certificates, {
      body: { ...body, name: 'only_gw0', type: 'instance', instance_id: p.gw(0).id },
    });
    const names = async (instance: number, type?: string) => {
      const r = await call(emu, 'GET', p.certificates, {
        query: { instance_id: p.gw(instance).id, ...(type ? { type } : {}) },
      });
      return (r.body.certs as { name: string }[]).map((c) => c.name).sort();
    };
    expect(await names(0)).toEqual(['everywhere', 'only_gw0']);
    expect(await names(1)).toEqual(['everywhere']);
    expect(await names(0, 'global')).toEqual(['everywhere']);
    expect(await names(0, 'instance')).toEqual(['only_gw0']);
  });

  it('ListApiGroups / ShowApiGroup show url_domains with the bound certificate', async () => {
    const p = paths(emu);
    const leaf = cert([p.domain().name]);
    const up = await call(emu, 'POST', `${p.domainPath()}/certificate`, {
      body: { name: 'grouped', cert_content: leaf.certPem, private_key: leaf.keyPem },
    });
    const list = await call(emu, 'GET', `${p.base}/instances/${p.gw().id}/api-groups`, {
      query: { name: p.group().name },
    });
    expect(list.body).toMatchObject({ total: 1, size: 1 });
    const show = await call(emu, 'GET', `${p.base}/instances/${p.gw().id}/api-groups/${p.group().id}`);
    const domains = show.body.url_domains as Record<string, unknown>[];
    expect(domains[0]).toEqual({
      id: p.domain().id,
      domain: p.domain().name,
      cname_status: 3,
      ssl_id: up.body.ssl_id,
      ssl_name: 'grouped',
      min_ssl_version: 'TLSv1.2',
      verified_client_certificate_enabled: false,
      is_has_trusted_root_ca: false,
      // API Gateway: type is 1 (this gateway) or 2 (global), plus is_has_trusted_root_ca.
      ssl_infos: [
        {
          ssl_id: up.body.ssl_id,
          ssl_name: 'grouped',
          algorithm_type: 'ECC',
          type: 2,
          is_has_trusted_root_ca: false,
        },
      ],
    });
    expect(domains[1]).not.toHaveProperty('ssl_id');
    const roma = paths(emu, 'apic');
    const romaShow = await call(emu, 'GET', `${roma.base}/instances/${p.gw().id}/api-groups/${p.group().id}`);
    expect((romaShow.body.url_domains as { ssl_infos: unknown[] }[])[0]!.ssl_infos).toEqual([
      { ssl_id: up.body.ssl_id, ssl_name: 'grouped', algorithm_type: 'ECC', type: 'global' },
    ]);
  });

  it('SCM list: limit clamped to 10..50 (page 002 has no 400), sorting by expiry', async () => {
    const p = paths(emu);
    for (const days of [30, 10, 20]) {
      const leaf = issueCertificate({
        ca,
        dnsNames: ['s.example.com'],
        notAfter: new Date(Date.now() + days * 86_400_000),
      });
      await call(emu, 'POST', p.certificates, {
        body: { name: `scm_${days}`, cert_content: leaf.certPem, private_key: leaf.keyPem },
      });
    }
    for (const limit of [9, 51, 'x']) {
      const r = await call(emu, 'GET', '/v3/scm/certificates', { query: { limit, sort_dir: 'sideways' } });
      expect([r.status, r.body.total_count]).toEqual([200, 3]);
    }
    const r = await call(emu, 'GET', '/v3/scm/certificates', {
      query: { limit: 10, sort_key: 'certExpiredTime', sort_dir: 'ASC' },
    });
    expect(r.body.total_count).toBe(3);
    expect((r.body.certificates as { name: string }[]).map((c) => c.name)).toEqual([
      'scm_10',
      'scm_20',
      'scm_30',
    ]);
  });
});
