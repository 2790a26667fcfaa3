// Gateway certificate names allow 4–50 characters, a letter first, then [A-Za-z0-9_]. Kubernetes
// names carry '-' and '.', so map them and add a short hash of namespace/name: two resources never
// collide, and the same resource always finds its own certificates again (crash recovery).
import { createHash } from 'node:crypto';

const MAX = 50;

export function defaultCertificateName(namespace: string, name: string): string {
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8);
  const slug = `${namespace}_${name}`.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
  const head = `k8s_${slug}`.slice(0, MAX - hash.length - 1).replace(/_+$/, '');
  return `${head}_${hash}`;
}
