// Gateway certificate names allow 4–50 characters, a letter first, then [A-Za-z0-9_]. Kubernetes
// names carry '-' and '.', so map them and add a short hash of namespace/name: two resources never
// collide, and the same resource always finds its own certificates again (crash recovery).
// The same scheme is the ownership mark: the one predicate the inventory (`--prune`) and the
// operator's sweep of leftovers share, so neither ever deletes a certificate the other keeps.
import { createHash } from 'node:crypto';
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';

const MAX = 50;
const OURS = /^k8s_[A-Za-z0-9_]*_[0-9a-f]{8}$/;

export function defaultCertificateName(namespace: string, name: string): string {
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8);
  const slug = `${namespace}_${name}`.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
  const head = `k8s_${slug}`.slice(0, MAX - hash.length - 1).replace(/_+$/, '');
  return `${head}_${hash}`;
}

/** The name a resource's certificates carry: spec.certificateName, else the default scheme. */
export function certificateNameOf(gdc: Pick<GatewayDomainCertificate, 'metadata' | 'spec'>): string {
  return gdc.spec.certificateName ?? defaultCertificateName(gdc.metadata.namespace, gdc.metadata.name);
}

/** Carries our ownership mark: made by this operator under the default name scheme. */
export function isOurCertificateName(name: string): boolean {
  return OURS.test(name);
}

/**
 * The resource that owns a cloud certificate: the one whose status names its id, else the one whose
 * certificate name it carries (a push that crashed before its status write still has an owner).
 */
export function ownerOf<G extends Pick<GatewayDomainCertificate, 'metadata' | 'spec' | 'status'>>(
  cert: { id: string; name: string },
  resources: readonly G[],
): G | undefined {
  return (
    resources.find((r) => r.status?.certificate?.id === cert.id) ??
    resources.find((r) => certificateNameOf(r) === cert.name)
  );
}
