// The Dockerfile passes hadolint (with .hadolint.yaml; each rule shown to catch what it is for), ships
// the distroless stage, and the image's command — compiled output, production dependencies only, no
// TypeScript — starts, answers --help, and runs against the real API server until SIGTERM. The image
// itself is built and run by test/image/.

import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSeed } from '../emulator/seed.ts';
import { startEmulator } from '../emulator/server.ts';
import { createNamespace, kubeconfigPath } from '../support/kube.ts';
import { lintTool } from '../support/lint-tools.ts';
import { REPO } from '../support/manifests.ts';
import { installCrds } from '../support/operator.ts';
import { type NodeProcess, spawnNode } from './process.ts';

const execFileP = promisify(execFile);
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

/** hadolint's findings (rule codes) for a Dockerfile text, with the repository's configuration. */
function hadolint(dockerfile = DOCKERFILE): Promise<string[]> {
  const args = ['--config', join(REPO, '.hadolint.yaml'), '--format', 'json', '-'];
  return new Promise((resolve, reject) => {
    // Exit status 1 only says there are findings; the JSON on stdout lists them.
    const child = execFile(lintTool('hadolint'), args, { cwd: REPO }, (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`hadolint failed: ${stderr || err.message}`));
      else resolve((JSON.parse(stdout) as Array<{ code: string }>).map((f) => f.code));
    });
    child.stdin?.end(dockerfile);
  });
}

const swap = (from: string | RegExp, to: string) => {
  const next = DOCKERFILE.replace(from, to);
  if (next === DOCKERFILE) throw new Error(`mutation ${String(from)} did not apply`);
  return next;
};

describe('Dockerfile', () => {
  it('passes hadolint', async () => {
    expect(await hadolint()).toEqual([]);
  });

  it('ships the last stage: distroless Node.js 24 as uid 65532 running dist/src/main.js', () => {
    const stages = DOCKERFILE.split(/^FROM /m).slice(1);
    expect(stages.map((s) => /^\S+ AS (\S+)/.exec(s)?.[1])).toEqual(['build', 'deps', 'emulator', 'runtime']);
    const final = stages.at(-1)!;
    expect(final).toMatch(/^\$\{RUNTIME_IMAGE\} AS runtime\n/);
    expect(DOCKERFILE).toMatch(/^ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12:nonroot$/m);
    expect(DOCKERFILE).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/m);
    expect(final.match(/^USER .*$/gm)).toEqual(['USER 65532:65532']);
    expect(final.match(/^CMD .*$/gm)).toEqual(['CMD ["--liftoff-only", "dist/src/main.js"]']);
    // Only built artefacts: production dependencies from the npm ci --omit=dev stage, no RUN (no shell).
    expect(final.match(/^COPY .*$/gm)).toEqual([
      'COPY --from=deps /app/package.json ./package.json',
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /src/dist/src ./dist/src',
    ]);
    expect(final).not.toMatch(/^RUN /m);
  });

  it.each([
    ['DL3006', () => swap(/FROM \S+ AS build/, 'FROM node AS build')],
    ['DL3007', () => swap(/FROM \S+ AS build/, 'FROM node:latest AS build')],
    ['DL3002', () => swap('USER 65532:65532', 'USER root')],
    ['DL3016', () => swap('npm ci --no-audit --no-fund --ignore-scripts\n', 'npm install typescript\n')],
    ['DL3020', () => swap('COPY src ./src', 'ADD src ./src')],
    ['DL3000', () => swap(/WORKDIR \/app\nENV/, 'WORKDIR app\nENV')],
    ['DL3003', () => swap('RUN npm run build', 'RUN cd /src && npm run build')],
    ['DL3022', () => swap('--from=build', '--from=bulid')],
    ['DL3025', () => swap('CMD ["--liftoff-only", "dist/src/main.js"]', 'CMD node dist/src/main.js')],
    ['DL3049', () => swap(/\s+org\.opencontainers\.image\.licenses="Apache-2.0" \\\n/g, '\n')],
    ['DL3054', () => swap('licenses="Apache-2.0"', 'licenses="Apache 2"')],
  ])('hadolint %s catches a broken Dockerfile', async (rule, mutate) => {
    expect(await hadolint(mutate())).toContain(rule);
  });
});

/** Production dependencies per package-lock.json (entries not marked dev), as `npm ci --omit=dev` installs them. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !p.dev)
    .map(([key]) => key.slice('node_modules/'.length));
}

describe('the image command', () => {
  // An /app laid out as the runtime stage: package.json, dist/src, production node_modules only.
  let app: string;
  let buildMs = 0;
  const procs: NodeProcess[] = [];

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'apig-image-'));
    const out = join(app, 'build');
    const started = performance.now();
    // The build stage's command; --outDir keeps the working tree's dist/ untouched.
    await execFileP('npm', ['run', 'build', '--', '--outDir', out], { cwd: REPO, maxBuffer: 8 << 20 });
    buildMs = performance.now() - started;
    cpSync(join(out, 'src'), join(app, 'dist/src'), { recursive: true });
    rmSync(out, { recursive: true });
    writeFileSync(join(app, 'package.json'), readFileSync(join(REPO, 'package.json')));
    for (const pkg of productionPackages()) {
      mkdirSync(join(app, 'node_modules', pkg, '..'), { recursive: true });
      symlinkSync(join(REPO, 'node_modules', pkg), join(app, 'node_modules', pkg), 'dir');
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (app) rmSync(app, { recursive: true, force: true });
  });

  // NODE_OPTIONS cleared: what vitest sets for itself must not help the child.
  const env = (more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOME: app,
    ...more,
  });
  // No type stripping: a .ts file reached at run time fails loudly.
  const nodeFlags = ['--no-experimental-strip-types'];

  it('builds to JavaScript only, and needs no dev dependency', () => {
    console.log(`[image] npm run build took ${Math.round(buildMs)} ms`);
    const files = readdirSync(join(app, 'dist/src'), { recursive: true, encoding: 'utf8' });
    expect(files).toContain('main.js');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    const prod = productionPackages();
    expect(prod).toContain('pino');
    expect(prod).not.toContain('typescript');
    expect(prod).not.toContain('vitest');
  });

  it('answers --help with the flags', async () => {
    const p = spawnNode('help', ['dist/src/main.js', '--help'], { cwd: app, env: env(), nodeFlags });
    procs.push(p);
    const { code } = await p.exited;
    const out = p.logs.map((l) => l.msg).join('\n');
    expect(code, p.stderr.join('\n')).toBe(0);
    expect(out).toContain('--leader-elect');
    expect(out).toContain('WATCH_NAMESPACES');
  });

  it('ships the inventory command (dist/src/inventory/main.js): --help, and a listing of an account', async () => {
    const help = spawnNode('inventory-help', ['dist/src/inventory/main.js', '--help'], {
      cwd: app,
      env: env(),
      nodeFlags,
    });
    procs.push(help);
    expect((await help.exited).code, help.stderr.join('\n')).toBe(0);
    expect(help.logs.map((l) => l.msg).join('\n')).toContain('--warn-days');
    const seed = defaultSeed();
    const soon = new Date(Date.now() + 10 * 86_400_000 + 3_600_000).toISOString();
    seed.scmCertificates = [{ name: 'scm_image_check', domain: 'image.example.com', notAfter: soon }];
    const emu = await startEmulator({ seed });
    try {
      const args = [
        '--no-cluster',
        '--allow-insecure-http',
        `--endpoint=${emu.url}`,
        `--project-id=${seed.projectId}`,
      ];
      const p = spawnNode(
        'inventory',
        ['dist/src/inventory/main.js', ...args, `--gateway=apig:${seed.gateways[0]!.id}`],
        {
          cwd: app,
          env: env({
            HUAWEICLOUD_SDK_AK: seed.credentials.accessKey,
            HUAWEICLOUD_SDK_SK: seed.credentials.secretKey,
          }),
          nodeFlags,
        },
      );
      procs.push(p);
      expect((await p.exited).code, p.stderr.join('\n')).toBe(0);
      const row = p.logs.map((l) => String(l.msg)).find((l) => l.startsWith('scm_image_check'));
      expect(row?.split(/ +/)).toEqual([
        'scm_image_check',
        'scm',
        '-',
        '-',
        '-',
        soon.replace(/\.\d{3}Z$/, 'Z'),
        '10',
        '-',
        'expiring',
      ]);
    } finally {
      await emu.close();
    }
  });

  it('starts against the API server, becomes ready, and stops cleanly on SIGTERM', async () => {
    await installCrds();
    const ns = await createNamespace('image');
    const p = spawnNode(
      'operator',
      [
        'dist/src/main.js',
        '--metrics-bind-address',
        '127.0.0.1:0',
        '--health-probe-bind-address',
        '127.0.0.1:0',
        '--namespaces',
        ns,
      ],
      { cwd: app, env: env({ KUBECONFIG: kubeconfigPath(), POD_NAME: 'image-test' }), nodeFlags },
    );
    procs.push(p);
    const startedAt = performance.now();
    const started = await p.waitForLog('apig-cert-sync started', 30_000);
    console.log(`[image] started (caches synced) in ${Math.round(started.at - startedAt)} ms`);
    expect(started).toMatchObject({ level: 'info', identity: 'image-test' });
    const ready = await fetch(`${started.probes}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${started.probes}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${started.metrics}/metrics`)).text();
    expect(metrics).toContain('controller_runtime_reconcile_total');
    expect(p.stderr.join('\n')).not.toMatch(/ExperimentalWarning|Error/);

    const sigterm = performance.now();
    p.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    expect(p.logs.some((l) => l.msg === 'stopped')).toBe(true);
    // Idle, it exits promptly; waiting out the 25 s --shutdown-timeout would fail this. Generous for load.
    expect(exit.at - sigterm).toBeLessThan(15_000);
  });
});
