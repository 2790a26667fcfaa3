// The shape a GatewayDomainCertificate takes in the cache: what the controller and reconciler read,
// without the bulk the API server sends along, and with the strings that repeat across resources
// (group/kind, namespace, gateway endpoints and ids, condition vocabulary) shared instead of copied
// per object. At 10,000 resources each parsed copy of those costs a few MiB.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';

// Bounded: only low-variety fields are interned, and a table that somehow fills up stops growing
// (later strings are simply kept as parsed) rather than becoming a leak.
const MAX_INTERNED = 20_000;
const table = new Map<string, string>();

/** The one shared copy of `s` (or `s` itself once the table is full). */
export function intern<T extends string | undefined>(s: T): T {
  if (s === undefined) return s;
  const seen = table.get(s);
  if (seen !== undefined) return seen as T;
  if (table.size < MAX_INTERNED) table.set(s, s);
  return s;
}

/** A copy of `obj` with the string fields named in `keys` interned (absent fields stay absent). */
function internFields<T extends object>(obj: T, keys: readonly (keyof T)[]): T {
  const out = { ...obj };
  for (const k of keys) if (typeof out[k] === 'string') out[k] = intern(out[k] as string) as T[keyof T];
  return out;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// Fields of metadata the operator uses: identity, generation, deletion, finalizers, annotations
// (needsReconcile compares them), creation time (oldest claim wins), labels (small, for users' selectors).
function compactMetadata(m: NonNullable<KubernetesObject['metadata']>): GatewayDomainCertificate['metadata'] {
  const out: GatewayDomainCertificate['metadata'] = {
    name: m.name ?? '',
    namespace: intern(m.namespace ?? ''),
  };
  if (m.uid !== undefined) out.uid = m.uid;
  if (m.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  if (m.generation !== undefined) out.generation = m.generation;
  if (m.creationTimestamp !== undefined) out.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp !== undefined) out.deletionTimestamp = m.deletionTimestamp;
  if (m.finalizers !== undefined) out.finalizers = m.finalizers.map(intern);
  if (m.labels !== undefined) out.labels = m.labels;
  if (m.annotations !== undefined) {
    const { [LAST_APPLIED]: _applied, ...rest } = m.annotations; // a whole copy of the spec
    if (Object.keys(rest).length > 0) out.annotations = rest;
  }
  return out;
}

function compactSpec(spec: GatewayDomainCertificate['spec']): GatewayDomainCertificate['spec'] {
  if (!spec) return spec;
  const out = internFields(spec, ['mode', 'deletionPolicy', 'verifyInterval']);
  if (spec.gateway)
    out.gateway = internFields(spec.gateway, [
      'service',
      'endpoint',
      'iamEndpoint',
      'region',
      'projectId',
      'instanceId',
      'groupId',
    ]);
  if (spec.credentialsSecretRef) out.credentialsSecretRef = internFields(spec.credentialsSecretRef, ['name']);
  if (spec.domains)
    out.domains = spec.domains.map((d) =>
      d.instanceIds ? { ...d, instanceIds: d.instanceIds.map(intern) } : d,
    );
  return out;
}

function compactStatus(s: GatewayDomainCertificate['status']): GatewayDomainCertificate['status'] {
  if (!s) return s;
  const out = { ...s };
  if (s.conditions) out.conditions = s.conditions.map((c) => internFields(c, ['type', 'status', 'reason']));
  if (s.certificate) out.certificate = internFields(s.certificate, ['issuer']);
  if (s.domains)
    out.domains = s.domains.map((d) => internFields(d, ['instanceId', 'groupId', 'minSslVersion']));
  return out;
}

/** The cached form of a resource from a list or watch event. */
export function compactResource(obj: KubernetesObject): GatewayDomainCertificate {
  const g = obj as GatewayDomainCertificate;
  const out: GatewayDomainCertificate = {
    apiVersion: intern(g.apiVersion),
    kind: intern(g.kind),
    metadata: compactMetadata(obj.metadata ?? {}),
    spec: compactSpec(g.spec),
  };
  if (g.status !== undefined) out.status = compactStatus(g.status);
  return out;
}
