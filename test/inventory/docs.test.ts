// The README's flag table lists every operator flag (the inventory's --inventory-interval among them),
// and its inventory section every inventory flag --help prints.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { usage } from '../../src/config.ts';
import { INVENTORY_FLAGS, inventoryUsage } from '../../src/inventory/args.ts';

const REPO = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('has a row for every operator flag, with its environment variable and default', () => {
    for (const line of usage().split('\n')) {
      const [, flag, env] = /--(\S+)\s+env (\S+)/.exec(line)!;
      expect(README, flag).toMatch(new RegExp(`\\| \`--${flag}\` \\| \`${env}\` \\|`));
    }
    expect(usage()).toContain('--inventory-interval');
  });

  it('names every inventory flag in its Inventory section', () => {
    const section = README.slice(
      README.indexOf('## Inventory'),
      README.indexOf('## How the code is laid out'),
    );
    for (const [spec] of INVENTORY_FLAGS) {
      for (const flag of spec.match(/--[a-z-]+/g)!) expect(section, flag).toContain(flag);
    }
  });

  it('ships the documented alert rules as a PrometheusRule too, rule for rule', () => {
    const read = (p: string) =>
      loadAllYaml(readFileSync(resolve(import.meta.dirname, '../..', p), 'utf8'))[0];
    const rules = read('docs/prometheus/certificate-expiry.rules.yaml') as { groups: unknown[] };
    const pr = read('deploy/monitoring/prometheusrule.yaml') as { kind: string; spec: { groups: unknown[] } };
    expect(pr.kind).toBe('PrometheusRule');
    expect(pr.spec.groups).toEqual(rules.groups);
    expect(JSON.stringify(rules.groups)).toContain(
      'apig_cert_sync_cloud_certificate_not_after_timestamp_seconds',
    );
  });

  it('npm run inventory -- --help prints the flags (the script README names)', async () => {
    const pkg = JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.inventory).toBe('node src/inventory/main.ts');
    const out = await new Promise<string>((ok, fail) =>
      execFile(process.execPath, ['src/inventory/main.ts', '--help'], { cwd: REPO }, (err, stdout) =>
        err ? fail(err) : ok(stdout),
      ),
    );
    expect(out.trim()).toBe(inventoryUsage());
  });
});
