// The CLI: first stdout line is the JSON seed line, calls go to stderr, SIGTERM/SIGINT stop it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/kube.ts';
import type { Seed } from './seed.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CONTRACT_SEED = fileURLToPath(new URL('./contract/seed.json', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

async function launch(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const first = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, line: JSON.parse(first) as { url: string; seed: Seed }, stderr: () => stderr, exited };
}

describe('main.ts', () => {
  it('prints {"url","seed"} first, logs calls to stderr, stops on SIGTERM', async () => {
    const { child, line, stderr, exited } = await launch(['--port', '0']);
    expect(Object.keys(line).sort()).toEqual(['seed', 'url']);
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { seed } = line;
    expect(seed.projectId).toMatch(/^[0-9a-f]{32}$/);
    expect(seed.gateways).toHaveLength(2);
    for (const gw of seed.gateways) {
      expect(gw.id).toMatch(/^[0-9a-f]{32}$/);
      expect(gw.groups).toHaveLength(2);
      for (const g of gw.groups) {
        expect(g.domains).toHaveLength(2);
        for (const d of g.domains) {
          expect(d.id).toMatch(/^[0-9a-f]{32}$/);
          expect(d.name).toMatch(/^[a-z0-9.-]+\.example\.(com|net)$/);
        }
      }
    }
    expect(Object.keys(seed.credentials).sort()).toEqual(['accessKey', 'iam', 'secretKey', 'temporary']);
    expect(Object.keys(seed.credentials.temporary).sort()).toEqual([
      'accessKey',
      'secretKey',
      'securityToken',
    ]);
    expect(Object.keys(seed.credentials.iam).sort()).toEqual(['domainName', 'password', 'username']);

    const r = await fetch(`${line.url}/v2/${seed.projectId}/apigw/certificates`);
    expect(r.status).toBe(401);
    // The child writes its log line when it likes; wait for it rather than for a fixed time.
    const logged = /GET \/v2\/\S+\/apigw\/certificates ListCertificates -> 401 APIG\.1002 auth=none/;
    await waitFor('the call on stderr', () => logged.test(stderr()), { timeoutMs: 15_000, intervalMs: 20 });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('takes --seed and fault flags; SIGINT stops it too', async () => {
    const { child, line, exited } = await launch([
      '--port',
      '0',
      '--seed',
      CONTRACT_SEED,
      '--fail-next',
      '[{"status":500,"code":"APIG.9999"}]',
      '--latency',
      '1',
    ]);
    expect(line.seed.projectId).toBe('73d69ae0cfcf460190522d06b60f05ad');
    const faults = (await (await fetch(`${line.url}/__admin/faults`)).json()) as { latencyMs: number };
    expect(faults.latencyMs).toBe(1);
    const r = await fetch(`${line.url}/v2/${line.seed.projectId}/apigw/certificates`);
    expect([r.status, ((await r.json()) as { error_code: string }).error_code]).toEqual([500, 'APIG.9999']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
