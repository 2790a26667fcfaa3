// The image, without Docker: the Dockerfile passes hadolint-style rules (and each rule is shown to
// catch what it is for), and the image's command — compiled output, production dependencies only,
// no TypeScript — starts, answers --help, and runs against the real API server until SIGTERM.

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
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, kubeconfigPath } from '../support/kube.ts';
import { REPO } from '../support/manifests.ts';
import { installCrds } from '../support/operator.ts';
import { dockerIgnore, lintDockerfile, parseDockerfile } from './dockerfile-lint.ts';
import { type NodeProcess, spawnNode } from './process.ts';

const execFileP = promisify(execFile);
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO, '.dockerignore'), 'utf8');
const lint = (df = DOCKERFILE, di = DOCKERIGNORE) => lintDockerfile(REPO, df, di);
const rules = (df: string, di?: string) => lint(df, di).map((f) => f.rule);
const swap = (from: string | RegExp, to: string) => {
  const next = DOCKERFILE.replace(from, to);
  if (next === DOCKERFILE) throw new Error(`mutation ${String(from)} did not apply`);
  return next;
};

describe('Dockerfile', () => {
  it('passes every rule', () => {
    expect(lint()).toEqual([]);
  });

  it('ships the last stage: distroless Node.js 24 as uid 65532 running dist/src/main.js', () => {
    const { globalArgs, stages } = parseDockerfile(DOCKERFILE);
    const final = stages.at(-1)!;
    expect(globalArgs.get(final.base.replace(/^\$\{(\w+)\}$/, '$1'))).toBe(
      'gcr.io/distroless/nodejs24-debian12:nonroot',
    );
    expect(globalArgs.get('NODE_IMAGE')).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    const op = (name: string) => final.instructions.filter((i) => i.op === name).map((i) => i.args);
    expect(op('USER')).toEqual(['65532:65532']);
    expect(op('CMD')).toEqual(['["dist/src/main.js"]']);
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'emulator', 'runtime']);
    // Production dependencies come from the stage that ran npm ci --omit=dev.
    expect(op('COPY').find((a) => a.includes('node_modules'))).toMatch(/^--from=deps /);
  });

  it.each([
    ['DL3006', () => swap('node:24.21.0-bookworm-slim', 'node')],
    ['DL3007', () => swap('node:24.21.0-bookworm-slim', 'node:latest')],
    ['DL3002', () => swap('USER 65532:65532', 'USER root')],
    ['DL3002', () => swap('USER 65532:65532', '')],
    ['DL3016', () => swap('npm ci --omit=dev', 'npm install --omit=dev')],
    ['DL3020', () => swap('COPY src ./src', 'ADD src ./src')],
    ['DL3000', () => swap(/WORKDIR \/app\nENV/, 'WORKDIR app\nENV')],
    ['DL3003', () => swap('RUN npm run build', 'RUN cd /src && npm run build')],
    ['DL3022', () => swap('--from=build', '--from=bulid')],
    ['DL3025', () => swap('CMD ["dist/src/main.js"]', 'CMD node dist/src/main.js')],
    ['copy', () => swap('/src/dist/src', '/src/build/src')],
    ['copy', () => swap('COPY src ./src', 'COPY lib ./lib')],
    ['copy', () => swap('COPY tsconfig.json tsconfig.build.json ./\n', '')],
    ['labels', () => swap(/\s+org\.opencontainers\.image\.licenses="Apache-2.0" \\/, '')],
    ['final', () => swap('COPY --from=build /src/dist/src ./dist/src', 'COPY src ./src')],
    ['secrets', () => swap('ENV NODE_ENV=production', 'ENV HUAWEI_SECRET_KEY=x')],
  ])('rule %s catches a broken Dockerfile', (rule, mutate) => {
    expect(rules(mutate())).toContain(rule);
  });

  it('refuses a COPY whose source .dockerignore leaves out', () => {
    expect(rules(DOCKERFILE, DOCKERIGNORE.replace('!src/\n', ''))).toContain('copy');
  });
});

describe('.dockerignore', () => {
  const ignored = dockerIgnore(DOCKERIGNORE);

  it('sends only what the build copies', () => {
    for (const p of [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      'src/main.ts',
      'src/kube/http.ts',
    ]) {
      expect(ignored(p), p).toBe(false);
    }
    for (const p of [
      'test/emulator/main.ts',
      'test/emulator/default-seed.json',
      'test/emulator/ops/iam.ts',
    ]) {
      expect(ignored(p), p).toBe(false);
    }
  });

  it('keeps local state, credentials and tests out of the build context', () => {
    for (const p of [
      'node_modules/pino/package.json',
      'dist/src/main.js',
      '.git/config',
      '.env',
      'kubeconfig',
      'coverage/index.html',
      'deploy/examples/00-credentials.yaml',
      'test/support/pki.ts',
      'test/emulator/auth.test.ts',
      'test/emulator/contract/page-000.json',
    ]) {
      expect(ignored(p), p).toBe(true);
    }
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

  it.skipIf(!inject('kubeconfigPath'))(
    'starts against the API server, becomes ready, and stops cleanly on SIGTERM',
    async () => {
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
      expect(exit.at - sigterm).toBeLessThan(5_000);
    },
  );
});
