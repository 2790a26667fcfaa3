// The container image, built and run for real without a container engine: the Dockerfile built by
// buildah on stand-ins for its base images (test/image/base-images.sh), then the operator started
// from the image as uid 65532 with only a read-only kubeconfig, against the real API server and the
// gateway emulator — Ready, a certificate bound, nothing written to its root filesystem. Also: what
// the image holds, what the build context holds, and the emulator target.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, spawnLogged } from '../deploy/process.ts';
import { defaultSeed } from '../emulator/seed.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { createNamespace, kubeconfigPath } from '../support/kube.ts';
import { DEPLOY, operatorContainer, REPO, readManifests } from '../support/manifests.ts';
import {
  createGdc,
  domainSpec,
  fixtureBase,
  fixtureSeed,
  getGdc,
  installCrds,
  putCredentials,
  putTlsSecret,
  servedSerial,
  waitForReason,
} from '../support/operator.ts';
import { createCA, issueCertificate } from '../support/pki.ts';
import { Buildah, baseImages, deploymentArgv, descendants, diff, snapshot } from './buildah.ts';

let OPERATOR = '';
let EMULATOR = '';
const MINUTES = 60_000;

let buildah: Buildah;
const containers: string[] = [];
const procs: NodeProcess[] = [];
const timings: Record<string, number> = {};

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round((performance.now() - started) / 1000);
  }
}

async function container(image: string) {
  const c = await buildah.container(image);
  containers.push(c.id);
  return c;
}

/** Total bytes of the regular files under a directory. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, f), { throwIfNoEntry: false });
    if (st?.isFile()) total += st.size;
  }
  return total;
}
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Production dependencies per package-lock.json (not marked dev), as `npm ci --omit=dev` installs them. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !p.dev)
    .map(([key]) => key.slice('node_modules/'.length))
    .sort();
}

beforeAll(async () => {
  buildah = new Buildah(await timed('base images', async () => baseImages()));
  const op = await timed('operator build', () => buildah.build('localhost/apig-cert-sync', 'image-test'));
  const emu = await timed('emulator build', () =>
    buildah.build('localhost/apig-cert-sync-emulator', 'image-test', ['--target', 'emulator']),
  );
  OPERATOR = op.image;
  EMULATOR = emu.image;
  const cached = (b: { built: boolean }) => (b.built ? '' : ' (unchanged sources: image reused)');
  console.log(
    `[image] base images ${timings['base images']}s, operator build ${timings['operator build']}s${cached(op)}, emulator build ${timings['emulator build']}s${cached(emu)}`,
  );
}, 40 * MINUTES);

afterAll(async () => {
  // What runs inside first: SIGKILL to buildah alone would leave the container's process behind.
  for (const p of procs) {
    if (!p.alive()) continue;
    for (const inside of descendants(p.child.pid ?? -1, 'node')) process.kill(inside.pid, 'SIGKILL');
    p.kill('SIGKILL');
  }
  await Promise.all(procs.map((p) => p.exited));
  for (const id of containers) await buildah?.remove(id);
});

describe('the operator image', () => {
  it('is configured like the Dockerfile says: distroless entrypoint, uid 65532, compiled entry point', async () => {
    const cfg = await buildah.config(OPERATOR);
    expect(cfg).toMatchObject({
      User: '65532:65532',
      Entrypoint: ['/nodejs/bin/node'],
      Cmd: ['--liftoff-only', 'dist/src/main.js'],
      WorkingDir: '/app',
    });
    expect(cfg.Env).toContain('NODE_ENV=production');
    expect(cfg.Labels).toMatchObject({
      'org.opencontainers.image.title': 'apig-cert-sync',
      'org.opencontainers.image.licenses': 'Apache-2.0',
      'org.opencontainers.image.base.name': buildah.store.runtime,
    });
  });

  it('holds the compiled operator and production dependencies only: no compiler, tests, dev dependencies, shell or package manager', async () => {
    const { root } = await container(OPERATOR);
    expect(readdirSync(join(root, 'app')).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const dist = readdirSync(join(root, 'app/dist'), { recursive: true, encoding: 'utf8' });
    expect(dist).toContain('src/main.js');
    expect(dist.filter((f) => /\.ts$|\.test\.|(^|\/)test(\/|$)/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    const modules = readdirSync(join(root, 'app/node_modules')).flatMap((d) =>
      d.startsWith('@') ? readdirSync(join(root, 'app/node_modules', d)).map((s) => `${d}/${s}`) : [d],
    );
    expect(modules.filter((m) => !m.startsWith('.')).sort()).toEqual(productionPackages());
    for (const absent of ['typescript', 'vitest', '@biomejs/biome', '@huaweicloud/huaweicloud-sdk-core'])
      expect(modules).not.toContain(absent);
    const onPath = ['/usr/local/bin', '/usr/bin', '/usr/sbin']
      .filter((d) => existsSync(join(root, d)))
      .flatMap((d) => readdirSync(join(root, d)));
    for (const tool of [
      'sh',
      'bash',
      'dash',
      'apt',
      'apt-get',
      'dpkg',
      'npm',
      'npx',
      'cc',
      'gcc',
      'tsc',
      'node',
    ])
      expect(onPath, tool).not.toContain(tool);
    const size = bytesUnder(root);
    const app = bytesUnder(join(root, 'app'));
    console.log(
      `[image] operator image ${mb(size)} uncompressed: runtime base ${mb(size - app)} (node ${mb(statSync(join(root, 'nodejs/bin/node')).size)}), /app ${mb(app)} (node_modules ${mb(bytesUnder(join(root, 'app/node_modules')))})`,
    );
  });

  describe('running as 65532 against the real API server and the emulator', () => {
    let emulator: Emulator;
    afterAll(async () => emulator?.close());

    it(
      'reaches Ready, binds a certificate, stops on SIGTERM, and writes nothing to its root filesystem',
      async () => {
        await installCrds();
        const ns = await createNamespace('image');
        emulator = await startEmulator({ seed: fixtureSeed() });
        const f = fixtureBase(ns, emulator);
        await putCredentials(f);
        const ca = createCA({ commonName: 'image CA', keyType: 'ec' });
        const leaf = issueCertificate({ ca, dnsNames: ['t01.example.org'] });
        await putTlsSecret(f, 'site-tls', leaf, ca);
        await createGdc(f, 'site', domainSpec(f, 't01.example.org'));
        const imageConfig = await buildah.config(OPERATOR);

        // The kubeconfig as a Secret volume would be: a read-only mount the pod's user can read.
        const kube = mkdtempSync(join(tmpdir(), 'image-kube-'));
        writeFileSync(join(kube, 'config'), readFileSync(kubeconfigPath()));
        chmodSync(kube, 0o755);
        chmodSync(join(kube, 'config'), 0o644);
        const identity = `image-test-${randomBytes(3).toString('hex')}`;
        const { id, root } = await container(OPERATOR);
        const run = (command: string[]) =>
          buildah.runArgs(
            id,
            {
              user: '65532:65532',
              volumes: [`${kube}:/etc/apig-cert-sync:ro`],
              env: { KUBECONFIG: '/etc/apig-cert-sync/config', POD_NAME: identity },
            },
            command,
          );
        // buildah's own plumbing (mount points, /etc/hosts, /run/.containerenv) changes the root
        // filesystem on every run: a process that does nothing shows what that is. The operator's run
        // may change exactly that and nothing more.
        const noop = async () => {
          const p = spawnLogged('no-op', 'buildah', run(['/nodejs/bin/node', '-e', '0']), {
            cwd: REPO,
            env: process.env,
          });
          procs.push(p);
          expect((await p.exited).code, p.stderr.join('\n')).toBe(0);
          return snapshot(root);
        };
        const first = await noop();
        const before = await noop();
        const plumbing = diff(first, before);
        console.log(`[image] buildah run itself changes: ${plumbing.join(', ') || 'nothing'}`);

        const op = spawnLogged(
          'operator',
          'buildah',
          run([
            // As the kubelet starts deploy/'s container: its command and args over the image's config;
            // the test's flags come last and win (this cluster has no port 8080 or gateway domain).
            ...deploymentArgv(
              operatorContainer(readManifests(join(DEPLOY, 'base/deployment.yaml'))),
              imageConfig,
            ),
            ...['--leader-elect=false', '--namespaces', ns],
            ...['--allow-insecure-http=true', '--allowed-endpoint-networks=127.0.0.0/8'],
            ...['--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'],
          ]),
          { cwd: REPO, env: process.env },
        );
        procs.push(op);
        const started = await op.waitForLog('apig-cert-sync started', 2 * MINUTES);
        expect(started).toMatchObject({ identity });
        expect((await fetch(`${started.probes}/readyz`)).status).toBe(200);
        const inside = descendants(op.child.pid!, '/nodejs/bin/node');
        expect(inside.map((p) => p.uid)).toEqual([65532]);

        const ready = await waitForReason(f, 'site', 'Synced', () => true, 2 * MINUTES).catch(async (err) => {
          const cond = (await getGdc(f, 'site'))?.status?.conditions;
          const tail = op.logs.slice(-5).map((l) => JSON.stringify(l));
          throw new Error(`${err}; conditions ${JSON.stringify(cond)}; operator log tail ${tail.join('\n')}`);
        });
        expect(ready.status?.certificate?.serialNumber).toBe(leaf.serialNumber);
        expect(servedSerial(f, 't01.example.org')).toBe(leaf.serialNumber);

        // SIGTERM goes to the container's process, as the kubelet's does (buildah does not forward it).
        process.kill(inside[0]!.pid, 'SIGTERM');
        const exit = await op.exited;
        expect(exit.code, op.stderr.join('\n')).toBe(0);
        expect(op.logs.some((l) => l.msg === 'stopped')).toBe(true);
        expect(op.stderr.join('\n')).not.toMatch(/Error|EACCES|EROFS/);
        expect(diff(before, snapshot(root))).toEqual(plumbing);
        rmSync(kube, { recursive: true, force: true });
      },
      10 * MINUTES,
    );
  });
});

describe('the build context', () => {
  it('holds only what the Dockerfile copies (.dockerignore as the builder applies it)', async () => {
    const probe = await buildah.build('localhost/apig-cert-sync-context', 'image-test', [
      ...['-f', join(REPO, 'test/image/context.Dockerfile')],
    ]);
    const { root } = await container(probe.image);
    const files = readdirSync(join(root, 'ctx'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      statSync(join(root, 'ctx', f)).isFile(),
    );
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.build.json',
      'src/main.ts',
      'test/emulator/main.ts',
      'test/emulator/default-seed.json',
    ])
      expect(files).toContain(f);
    const allowed =
      /^(package\.json|package-lock\.json|tsconfig\.json|tsconfig\.build\.json|src\/.*|test\/emulator\/.*)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.ts$|^test\/emulator\/contract\//.test(f))).toEqual([]);
  });
});

describe('the emulator image', () => {
  it(
    'runs the emulator as uid 1000 and serves the seeded gateways',
    async () => {
      const cfg = await buildah.config(EMULATOR);
      expect(cfg).toMatchObject({ User: '1000:1000', Entrypoint: ['node', 'test/emulator/main.ts'] });
      const { id } = await container(EMULATOR);
      const emu = spawnLogged(
        'emulator',
        'buildah',
        buildah.runArgs(id, { user: '1000:1000' }, [
          'node',
          'test/emulator/main.ts',
          ...['--host', '127.0.0.1', '--port', '0'],
        ]),
        { cwd: REPO, env: process.env },
      );
      procs.push(emu);
      const first = await emu.waitForLog((l) => typeof l.url === 'string', 2 * MINUTES);
      expect(first.seed.projectId).toBe(defaultSeed().projectId);
      const faults = await fetch(`${first.url}/__admin/faults`);
      expect(faults.status).toBe(200);
      const inside = descendants(emu.child.pid!, 'node');
      expect(inside.map((p) => p.uid)).toEqual([1000]);
      for (const p of inside) process.kill(p.pid, 'SIGTERM');
      await emu.exited;
    },
    5 * MINUTES,
  );
});
