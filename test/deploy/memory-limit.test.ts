// The Deployment's memory limit holds through a first sync: the compiled operator (as the image runs
// it) with the Deployment's NODE_OPTIONS syncs N resources, N TLS Secrets and N unrelated 8 KiB Opaque
// Secrets, and its peak RSS (VmHWM) stays below limits.memory. CI runs N = 400; the 10,000 of issue 11
// is run by hand: APIG_MEMORY_TEST_RESOURCES=10000 npx vitest run test/deploy/memory-limit.test.ts
// (about 20 minutes on the 2-core machine), and `npm run bench` prints the same figures.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOperator } from '../bench/build.ts';
import { type OperatorProcess, startOperatorProcess } from '../bench/operator-process.ts';
import {
  createNamespaceAndCredentials,
  createOpaqueSecrets,
  createResources,
  createTlsSecrets,
  type Kube,
} from '../bench/resources.ts';
import { generateSeed } from '../bench/seed.ts';
import { ResourceWatcher } from '../bench/watcher.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { adminKubeConfig, kubeconfigPath } from '../support/kube.ts';
import { DEPLOY, operatorContainer, operatorRuntime, readManifests } from '../support/manifests.ts';
import { installCrds } from '../support/operator.ts';
import { createCA } from '../support/pki.ts';

const N = Number(process.env.APIG_MEMORY_TEST_RESOURCES ?? 400);
const container = operatorContainer(readManifests(`${DEPLOY}/base`));
const UNITS: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

function quantity(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${q}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const limit = quantity(container.resources.limits.memory);
const request = quantity(container.resources.requests.memory);
// As the Deployment runs it: its command's Node flags, NODE_OPTIONS (V8 heap), MALLOC_* (glibc), args.
const runtime = operatorRuntime(container);
const memoryEnv = runtime.env;
const nodeOptions = memoryEnv.NODE_OPTIONS ?? '';

let build: ReturnType<typeof buildOperator>;
let emulator: Emulator;
let watcher: ResourceWatcher;
let op: OperatorProcess | undefined;
let k: Kube;

beforeAll(async () => {
  build = buildOperator();
  await installCrds();
  const { seed, domains } = generateSeed(N);
  emulator = await startEmulator({ seed });
  const kc = adminKubeConfig();
  k = {
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    kc,
    ns: `memory-${randomBytes(4).toString('hex')}`,
  };
  await createNamespaceAndCredentials(k, seed);
  await createTlsSecrets(k, domains, createCA({ commonName: 'Memory Test CA', keyType: 'ec' }));
  await createResources(k, domains, seed, emulator.url);
  await createOpaqueSecrets(k, N);
  watcher = new ResourceWatcher(kc, k);
  await watcher.start();
}, 1_800_000);

afterAll(async () => {
  watcher?.stop();
  await op?.stop();
  await emulator?.close();
  build?.remove();
});

describe('memory limit of deploy/base', () => {
  it('sizes the V8 heap below the container limit, and requests what a steady operator uses', () => {
    const oldSpace = /--max-old-space-size=(\d+)/.exec(nodeOptions);
    expect(oldSpace, 'NODE_OPTIONS sets --max-old-space-size').not.toBeNull();
    // V8 collects harder as the heap nears this, long before the kubelet's OOM kill at the limit.
    expect(Number(oldSpace![1]) * 1024 ** 2).toBeLessThan(limit * 0.75);
    expect(request).toBeLessThanOrEqual(limit);
  });

  it(`a first sync of ${N} resources (+ ${N} TLS and ${N} unrelated Secrets) peaks below limits.memory`, async () => {
    op = await startOperatorProcess({
      namespace: k.ns,
      kubeconfigPath: kubeconfigPath(),
      concurrency: 8,
      main: build.main,
      env: memoryEnv,
      nodeArgs: runtime.nodeArgs,
      // The Deployment's args too (--leader-elect=true), the lease where its POD_NAMESPACE would put it.
      extraArgs: [
        ...runtime.args,
        `--leader-election-namespace=${k.ns}`,
        '--gateway-rate',
        '1000',
        '--gateway-burst',
        '1000',
      ],
    });
    const started = performance.now();
    await watcher.until(
      () => watcher.readyCount >= N,
      240_000 + N * 200,
      () =>
        `only ${watcher.readyCount}/${N} Ready: ${JSON.stringify(watcher.notReadyReasons())}\n${op!.logTail()}`,
    );
    const peak = op.peakRssBytes();
    const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
    console.log(
      `[memory] N=${N}: all Ready in ${Math.round((performance.now() - started) / 1000)} s, peak RSS ${mib(peak)}, ` +
        `RSS now ${mib(op.rssBytes())}, limit ${mib(limit)}, flags ${runtime.nodeArgs.join(' ')}, args ${runtime.args.join(' ')}, env ${JSON.stringify(memoryEnv)}`,
    );
    expect(peak).toBeLessThan(limit);
  }, 2_400_000);
});
