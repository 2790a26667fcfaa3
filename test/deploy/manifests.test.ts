// The install as the API server sees it: `kubectl apply --dry-run=server` of the base, the overlay
// and the examples (admission, schema and CEL validation run for real), the pod template against the
// restricted Pod Security Standard, and the manifests cross-checked with the operator's own flags.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, usage } from '../../src/config.ts';
import { createNamespace, kubectl } from '../support/kube.ts';
import {
  DEPLOY,
  find,
  kustomize,
  type Manifest,
  operatorContainer,
  readManifests,
} from '../support/manifests.ts';
import { installCrds } from '../support/operator.ts';

const dryRun = (args: string[], input?: string) =>
  kubectl(['apply', '--dry-run=server', ...args], input === undefined ? {} : { input });

async function ensureNamespace(name: string): Promise<void> {
  await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
}

// Just enough of cert-manager's CRDs for the Issuer and Certificate examples to be accepted.
const certManagerStub = ['Issuer', 'Certificate'].map((kind) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.cert-manager.io` },
  spec: {
    group: 'cert-manager.io',
    scope: 'Namespaced',
    names: { kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
}));

const dryRunLines = (stdout: string) => stdout.split('\n').filter((l) => l.includes('(server dry run)'));

let base: Manifest[];
let overlay: Manifest[];

beforeAll(async () => {
  await installCrds();
  // Server-side dry run does not create the Namespace it is given, so the ones the objects live in must exist.
  await ensureNamespace('apig-cert-sync');
  await ensureNamespace('apps');
  [base, overlay] = await Promise.all([
    kustomize(DEPLOY),
    kustomize(join(DEPLOY, 'overlays/single-namespace')),
  ]);
});

describe('kubectl apply -k deploy/', () => {
  it('is accepted by the API server', async () => {
    const { stdout } = await dryRun(['-k', DEPLOY]);
    expect(dryRunLines(stdout)).toHaveLength(base.length);
    expect(base.map((m) => m.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('runs two replicas with leader election on the flags the operator understands', () => {
    const dep = find(base, 'Deployment', 'apig-cert-sync');
    const c = operatorContainer(base);
    const env: Record<string, string> = {};
    for (const e of c.env) env[e.name] = e.value ?? `<${e.valueFrom?.fieldRef?.fieldPath}>`;
    expect(env).toMatchObject({ POD_NAME: '<metadata.name>', POD_NAMESPACE: '<metadata.namespace>' });
    const cfg = loadConfig(c.args, env); // throws on a flag the operator does not know
    expect(dep.spec.replicas).toBe(2);
    expect(cfg.leaderElect).toBe(true);
    expect(cfg.identity).toBe('<metadata.name>');
    expect(cfg.leaderElectionNamespace).toBe('<metadata.namespace>');
    const port = (name: string) => c.ports.find((p: { name: string }) => p.name === name)?.containerPort;
    expect(cfg.metricsAddress).toBe(`:${port('metrics')}`);
    expect(cfg.probeAddress).toBe(`:${port('probes')}`);
    expect(port('metrics')).toBe(8080);
    expect(port('probes')).toBe(8081);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'probes' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'probes' });
    // The drain (--shutdown-timeout) and the Lease release fit in the grace period.
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
      cfg.shutdownTimeoutMs / 1000 + 10,
    );
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.image).toMatch(/^[^:]+:\d+\.\d+\.\d+$/);
  });

  it('locks the container down and spreads the replicas across nodes', () => {
    const pod = find(base, 'Deployment').spec.template.spec;
    const c = operatorContainer(base);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey)).toContain(
      'kubernetes.io/hostname',
    );
    expect(pod.affinity.podAntiAffinity).toBeDefined();
  });

  it('keeps a replica through disruptions and exposes metrics of both', () => {
    const labels = find(base, 'Deployment').spec.template.metadata.labels;
    const pdb = find(base, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    const svc = find(base, 'Service');
    expect(labels).toMatchObject(svc.spec.selector);
    expect(svc.spec.ports[0]).toMatchObject({ port: 8080, targetPort: 'metrics' });
    const [sm] = readManifests(join(DEPLOY, 'monitoring/servicemonitor.yaml'));
    expect(svc.metadata.labels).toMatchObject(sm!.spec.selector.matchLabels);
    expect(sm!.spec.endpoints[0].port).toBe('metrics');
  });

  it('grants the Lease by the name the operator uses, in its own namespace only', () => {
    const role = find(base, 'Role');
    expect(role.metadata.namespace).toBe('apig-cert-sync');
    const cfg = loadConfig([], {});
    expect(role.rules.flatMap((r: { resourceNames?: string[] }) => r.resourceNames ?? [])).toEqual([
      cfg.leaderElectionId,
    ]);
    const cluster = find(base, 'ClusterRole');
    expect(
      cluster.rules.some((r: { apiGroups: string[] }) => r.apiGroups.includes('coordination.k8s.io')),
    ).toBe(false);
    // Secrets are read, never written.
    const secrets = cluster.rules.find((r: { resources: string[] }) => r.resources.includes('secrets'));
    expect(secrets.verbs.sort()).toEqual(['get', 'list', 'watch']);
    // cert-manager's Certificates are only cached (optional: the operator runs without the rule).
    const certificates = cluster.rules.find((r: { apiGroups: string[] }) =>
      r.apiGroups.includes('cert-manager.io'),
    );
    expect(certificates).toEqual({
      apiGroups: ['cert-manager.io'],
      resources: ['certificates'],
      verbs: ['list', 'watch'],
    });
  });

  it('passes the restricted Pod Security Standard', async () => {
    const ns = await createNamespace('psa');
    await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    await kubectl(['create', 'serviceaccount', 'apig-cert-sync', '-n', ns]);
    const template = find(base, 'Deployment').spec.template;
    const pod = (spec: unknown) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'operator', labels: template.metadata.labels },
        spec,
      });
    const { stdout } = await dryRun(['-n', ns, '-f', '-'], pod(template.spec));
    expect(stdout).toContain('pod/operator created (server dry run)');
    // The same check refuses a weaker pod, so the pass above means something.
    const weaker = structuredClone(template.spec);
    weaker.containers[0].securityContext.allowPrivilegeEscalation = true;
    await expect(dryRun(['-n', ns, '-f', '-'], pod(weaker))).rejects.toThrow(
      /violates PodSecurity "restricted/,
    );
  });
});

describe('kubectl apply -k deploy/overlays/single-namespace', () => {
  it('is accepted and grants nothing cluster-wide', async () => {
    const { stdout } = await dryRun(['-k', join(DEPLOY, 'overlays/single-namespace')]);
    expect(dryRunLines(stdout)).toHaveLength(overlay.length);
    expect(overlay.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
  });

  it('watches exactly the namespace its Role is granted in', () => {
    const env = Object.fromEntries(
      operatorContainer(overlay).env.map((e: { name: string; value?: string }) => [e.name, e.value ?? '']),
    );
    const cfg = loadConfig(operatorContainer(overlay).args, env);
    const role = find(overlay, 'Role', 'apig-cert-sync');
    const binding = find(overlay, 'RoleBinding', 'apig-cert-sync');
    expect(cfg.namespaces).toEqual([role.metadata.namespace]);
    expect(binding.metadata.namespace).toBe(role.metadata.namespace);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'apig-cert-sync', namespace: 'apig-cert-sync' },
    ]);
    // Same rules as the cluster-wide install, only narrower in scope.
    expect(role.rules).toEqual(find(base, 'ClusterRole').rules);
  });
});

describe('kubectl apply -k deploy/overlays/private-cloud', () => {
  it('is accepted and adds an endpoint domain and network to the operator flags', async () => {
    const dir = join(DEPLOY, 'overlays/private-cloud');
    const manifests = await kustomize(dir);
    const { stdout } = await dryRun(['-k', dir]);
    expect(dryRunLines(stdout)).toHaveLength(manifests.length);
    const cfg = loadConfig(operatorContainer(manifests).args, {});
    expect(cfg.allowedEndpointDomains).toEqual(['cloud.example.com']);
    expect(cfg.allowedEndpointNetworks).toEqual(['10.20.0.0/16']);
    expect(cfg.leaderElect).toBe(true); // the base's flags are kept
  });
});

describe('the flag table', () => {
  it('lists in README.md exactly the flags and environment variables --help prints', () => {
    const helpRows = usage()
      .split('\n')
      .map((l) => /--(\S+)\s+env (\S+)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    const readme = readFileSync(join(DEPLOY, '../README.md'), 'utf8');
    const tableRows = [...readme.matchAll(/^\| `--([a-z-]+)` \| `([A-Z_]+)` \|/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    expect(tableRows).toEqual(helpRows);
  });
});

describe('deploy/examples', () => {
  it('are accepted by the API server (GatewayDomainCertificates validated by the CRD schema and CEL rules)', async () => {
    await kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: certManagerStub }),
    });
    for (const crd of certManagerStub) {
      await kubectl(['wait', '--for=condition=Established', '--timeout=30s', `crd/${crd.metadata.name}`]);
    }
    const ns = await createNamespace('examples');
    const { stdout } = await dryRun(['-n', ns, '-f', join(DEPLOY, 'examples')]);
    const lines = dryRunLines(stdout);
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.startsWith('gatewaydomaincertificate.apig-cert-sync.io/'))).toHaveLength(2);
  });

  it('fit together: each GatewayDomainCertificate names the Certificate’s Secret, the credentials and its domains', () => {
    const ex = readManifests(join(DEPLOY, 'examples'));
    const cert = find(ex, 'Certificate');
    const creds = find(ex, 'Secret');
    const gdcs = ex.filter((m) => m.kind === 'GatewayDomainCertificate');
    expect(gdcs.map((g) => g.spec.mode).sort()).toEqual(['Domain', 'Shared']);
    expect(cert.spec.issuerRef.name).toBe(find(ex, 'Issuer').metadata.name);
    for (const g of gdcs) {
      expect(g.spec.secretName).toBe(cert.spec.secretName);
      expect(g.spec.credentialsSecretRef.name).toBe(creds.metadata.name);
      const names =
        g.spec.mode === 'Shared'
          ? g.spec.domains.map((d: { name: string }) => d.name)
          : [g.spec.gateway.domain];
      for (const n of names) expect(cert.spec.dnsNames).toContain(n);
    }
    expect(Object.keys(creds.stringData).sort()).toEqual(['accessKey', 'secretKey']);
  });
});
