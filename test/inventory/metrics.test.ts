// The operator's periodic inventory (--inventory-interval): expiry gauges for every certificate on the
// gateways its resources use, managed or not, and the documented alert rule run by the real promtool
// on the series the operator actually exposed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient } from '../../src/gateway/index.ts';
import { defaultCertificateName } from '../../src/reconciler/naming.ts';
import { waitFor } from '../support/kube.ts';
import {
  createGdc,
  domainSpec,
  type Fixture,
  gateway,
  putCredentials,
  putTlsSecret,
  startFixture,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const RULES = resolve(import.meta.dirname, '../../docs/prometheus/certificate-expiry.rules.yaml');
const ca = createCA({ commonName: 'inventory metrics CA' });
const leafFor = (dns: string, days: number) =>
  issueCertificate({ ca, dnsNames: [dns], notAfter: new Date(Date.now() + days * DAY + 3_600_000) });

let f: Fixture;
const NAMES = { legacy: 'legacy_shop', leftover: '', elsewhere: 'other_gateway_cert' };

beforeAll(async () => {
  f = await startFixture({ inventoryIntervalMs: 1000 });
  await putCredentials(f);
  await putTlsSecret(f, 'site-tls', leafFor('t01.example.org', 90), ca);
  await putTlsSecret(f, 'soon-tls', leafFor('t02.example.org', 7), ca);
  await createGdc(f, 'site', domainSpec(f, 't01.example.org'));
  await createGdc(f, 'soon', domainSpec(f, 't02.example.org', { secretName: 'soon-tls' }));
  // Certificates nobody here manages: one serving a domain, one leftover of ours, one on a gateway
  // no resource uses (which must not be listed).
  const c = f.emulator.seed.credentials;
  const client = () =>
    createGatewayClient({
      endpoint: f.emulator.url,
      family: 'apigw',
      projectId: f.emulator.seed.projectId,
      credentials: { kind: 'aksk', accessKey: c.accessKey, secretKey: c.secretKey },
      allowInsecureHttp: true,
      rateLimit: { ratePerSecond: 1000, burst: 1000 },
    });
  NAMES.leftover = defaultCertificateName(f.ns, 'deleted-long-ago');
  const gw0 = gateway(f, 0).id;
  const make = async (i: number, name: string, dns: string, days: number) => {
    const l = leafFor(dns, days);
    const instance = gateway(f, i).id;
    const api = client();
    const cert = await api.createCertificate({
      name,
      cert_content: l.certPem,
      private_key: l.keyPem,
      type: 'instance',
      instance_id: instance,
    });
    await api.close();
    return cert;
  };
  const legacy = await make(0, NAMES.legacy, 'shop.example.com', 10);
  const api = client();
  await api.attachDomains(legacy.id!, [{ domain: 'shop.example.com', instance_ids: [gw0] }]);
  await api.close();
  await make(0, NAMES.leftover, 'gone.example.org', 200);
  await make(1, NAMES.elsewhere, 'cdn.example.net', 3);
  await waitForReason(f, 'site', 'Synced');
  await waitForReason(f, 'soon', 'Synced');
});
afterAll(() => f?.stop());

const scrape = async () => (await fetch(`${f.operator.metricsUrl}/metrics`)).text();
const runs = (t: string) =>
  [...t.matchAll(/^apig_cert_sync_inventory_runs_total\{[^}]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );

/** The metrics after an inventory that started after everything so far was arranged (1 s interval). */
async function afterTwoMoreRuns(): Promise<string> {
  const base = runs(await scrape());
  return waitFor(
    'two more inventory runs',
    async () => {
      const t = await scrape();
      return runs(t) >= base + 2 ? t : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

type Sample = { labels: Record<string, string>; value: number };
function samples(text: string, metric: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${metric}\\{(.*)\\} (\\S+)$`).exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) labels[k!] = v!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

const NOT_AFTER = 'apig_cert_sync_cloud_certificate_not_after_timestamp_seconds';
const DAYS_LEFT = 'apig_cert_sync_cloud_certificate_days_left';

describe('periodic inventory metrics', () => {
  let text = '';
  let scrapedAt = 0;

  it('publishes expiry gauges for every certificate on the used gateways, managed or not', async () => {
    const gw0 = gateway(f, 0).id;
    text = await afterTwoMoreRuns();
    scrapedAt = Math.floor(Date.now() / 1000);
    const days = new Map(samples(text, DAYS_LEFT).map((s) => [s.labels.name, s]));
    const site = defaultCertificateName(f.ns, 'site');
    const soon = defaultCertificateName(f.ns, 'soon');
    expect(days.get(site)).toEqual({
      labels: { source: 'apigw', gateway: gw0, name: site, managed: 'true' },
      value: 90,
    });
    expect(days.get(soon)?.value).toBe(7);
    expect(days.get(NAMES.legacy)).toEqual({
      labels: { source: 'apigw', gateway: gw0, name: NAMES.legacy, managed: 'false' },
      value: 10,
    });
    expect(days.get(NAMES.leftover)?.labels.managed).toBe('false');
    // Gateway 1 hosts no resource's domain: its certificate is not the operator's business.
    expect(days.has(NAMES.elsewhere)).toBe(false);
    // The timestamp gauge is the certificate's notAfter, to the second.
    const served = f.emulator.state.certificates.find((c) => c.name === NAMES.legacy)!;
    const ts = samples(text, NOT_AFTER).find((s) => s.labels.name === NAMES.legacy)!;
    expect(ts.value).toBe(Date.parse(served.not_after) / 1000);
    expect(text).toMatch(/apig_cert_sync_inventory_runs_total\{result="success"\} [1-9]/);
    expect(text).toMatch(/apig_cert_sync_inventory_last_success_timestamp_seconds \d/);
  });

  it('the documented alert fires (promtool) for the certificates expiring within 14 days, managed or not', async () => {
    expect(readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8')).toContain(
      readFileSync(RULES, 'utf8').trim(),
    );
    await run('promtool', ['check', 'rules', RULES]);
    // promtool's clock starts at 0: shift every timestamp by the scrape time.
    const expiry = samples(text, NOT_AFTER);
    const last = Number(/^apig_cert_sync_inventory_last_success_timestamp_seconds (\S+)$/m.exec(text)![1]);
    const series = [
      ...expiry.map((s) => ({
        series: `${NOT_AFTER}${promLabels(s.labels)}`,
        values: `${s.value - scrapedAt}+0x300`,
      })),
      {
        series: 'apig_cert_sync_inventory_last_success_timestamp_seconds',
        values: `${Math.round(last - scrapedAt)}+0x300`,
      },
    ];
    const evalAt = 1800;
    const firing = expiry.filter((s) => s.value - scrapedAt - evalAt < 14 * 86_400);
    expect(firing.map((s) => [s.labels.name, s.labels.managed]).sort()).toEqual(
      [
        [NAMES.legacy, 'false'],
        [defaultCertificateName(f.ns, 'soon'), 'true'],
      ].sort(),
    );
    const test = {
      rule_files: [RULES],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            {
              eval_time: '30m',
              alertname: 'GatewayCertificateExpiringSoon',
              exp_alerts: firing.map((s) => ({
                exp_labels: { severity: 'warning', ...s.labels },
                exp_annotations: {
                  summary: `Certificate ${s.labels.name} on gateway ${s.labels.gateway} expires in ${humanizeDuration(s.value - scrapedAt - evalAt)}`,
                  description: `managed=${s.labels.managed}: when false no GatewayDomainCertificate renews it; run the inventory command to see its domains.`,
                },
              })),
            },
            { eval_time: '30m', alertname: 'GatewayCertificateInventoryStale', exp_alerts: [] },
            // No inventory for 4 hours (the series stops moving): the staleness alert fires.
            {
              eval_time: '4h',
              alertname: 'GatewayCertificateInventoryStale',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning' },
                  exp_annotations: {
                    summary: 'apig-cert-sync has not completed a clean certificate inventory for 3 hours',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    const file = join(dir, 'test.yaml');
    writeFileSync(file, JSON.stringify(test)); // JSON is YAML
    const out = await run('promtool', ['test', 'rules', file]).catch(
      (e) => e as { stdout: string; stderr: string; code: number },
    );
    expect(`${out.stdout}${out.stderr}`).toContain('SUCCESS');
  });

  it('drops the series of a certificate that is gone at the next inventory', async () => {
    const gone = f.emulator.state.certificates.find((c) => c.name === NAMES.leftover)!;
    f.emulator.store.certs.delete(gone.id);
    const after = await afterTwoMoreRuns();
    expect(after).toContain(NAMES.legacy);
    expect(after).not.toContain(NAMES.leftover);
    expect(samples(after, NOT_AFTER).map((s) => s.labels.name)).toHaveLength(
      samples(text, NOT_AFTER).length - 1,
    );
  });
});

const promLabels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** Prometheus' humanizeDuration for whole seconds (template function used in the rule's summary). */
function humanizeDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const v = Math.abs(Math.trunc(seconds));
  const [d, h, m, s] = [Math.floor(v / 86_400), Math.floor(v / 3600) % 24, Math.floor(v / 60) % 60, v % 60];
  if (d) return `${sign}${d}d ${h}h ${m}m ${s}s`;
  if (h) return `${sign}${h}h ${m}m ${s}s`;
  if (m) return `${sign}${m}m ${s}s`;
  return `${sign}${v}s`;
}
