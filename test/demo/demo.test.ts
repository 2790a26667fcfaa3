// `npm run demo` as a user runs it: with the cert-manager test build cached (as .ci/setup leaves it),
// the certificates come from the real cert-manager and every renewal is timed to its binding.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { goTool } from '../support/gotool.ts';

it('npm run demo binds a certificate and its renewals issued by the real cert-manager', {
  timeout: 300_000,
}, async () => {
  goTool('cert-manager'); // built once per machine; the demo itself only uses a cached build
  const { stdout } = await promisify(execFile)(process.execPath, [resolve(import.meta.dirname, 'demo.ts')], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    timeout: 280_000,
    maxBuffer: 8 << 20,
  });
  expect(stdout).toContain('certificates from the real cert-manager controller v');
  expect(stdout).toMatch(/renewal → bound {2}p50 \d+ ms, max \d+ ms over 5 renewal\(s\)/);
  expect(stdout).toMatch(/renewed serial {3}(\d+) \(bound at the gateway: \1\)/);
  expect(stdout.trim().endsWith('Demo OK')).toBe(true);
});
