// `npm run --silent example -- <emulator url> [--namespace ns] [--domain name]`: the objects the
// README's "Try it by hand" applies — the credentials Secret the running emulator accepts, a TLS
// Secret for one of its seeded domains (signed by a throw-away CA), and a GatewayDomainCertificate
// binding them — printed as one kubectl-appliable List on stdout.
import { parseArgs } from 'node:util';
import type { Seed } from '../emulator/seed.ts';
import { createCA, issueCertificate, tlsSecretData } from '../support/pki.ts';

export async function exampleManifests(url: string, namespace: string, domain?: string): Promise<object> {
  const res = await fetch(new URL('/__admin/seed', url)).catch((err: Error) => {
    throw new Error(
      `nothing answers at ${url} (${err.cause ?? err.message}): is the emulator running there?`,
    );
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status} for its seed: is the emulator running there?`);
  const seed = (await res.json()) as Seed;
  const gateways = seed.gateways.filter((g) => g.groups.some((gr) => gr.domains.length > 0));
  const gateway = domain
    ? gateways.find((g) => g.groups.some((gr) => gr.domains.some((d) => d.name === domain)))
    : gateways[0];
  const name = domain ?? gateway?.groups.flatMap((g) => g.domains)[0]?.name;
  if (!gateway || !name)
    throw new Error(`no gateway of the emulator's seed has the domain ${domain ?? '(any)'}`);
  const ca = createCA({ commonName: 'apig-cert-sync example CA' });
  const leaf = issueCertificate({ ca, dnsNames: [name] });
  const meta = (n: string) => ({ name: n, namespace });
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta('huawei-credentials'),
        type: 'Opaque',
        stringData: { accessKey: seed.credentials.accessKey, secretKey: seed.credentials.secretKey },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: meta('example-tls'),
        type: 'kubernetes.io/tls',
        stringData: tlsSecretData(leaf, ca),
      },
      {
        apiVersion: 'apig-cert-sync.io/v1alpha1',
        kind: 'GatewayDomainCertificate',
        metadata: meta('example'),
        spec: {
          secretName: 'example-tls',
          gateway: {
            service: 'apig',
            endpoint: url,
            iamEndpoint: url,
            projectId: seed.projectId,
            instanceId: gateway.id,
            domain: name,
          },
          credentialsSecretRef: { name: 'huawei-credentials' },
        },
      },
    ],
  };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: { namespace: { type: 'string', default: 'default' }, domain: { type: 'string' } },
    allowPositionals: true,
  });
  const url = positionals[0];
  if (!url) {
    process.stderr.write(
      'usage: npm run --silent example -- <emulator url> [--namespace ns] [--domain name]\n',
    );
    process.exit(2);
  }
  const list = await exampleManifests(url, values.namespace, values.domain);
  process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
}
