// The cluster side of the inventory: every GatewayDomainCertificate (all namespaces, paged), to say
// which resource owns which cloud certificate.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { KubeConfig } from '../kube/client-node.ts';
import { kubeRequest } from '../kube/http.ts';
import { gdcPath } from '../kube/resources.ts';

/** KUBECONFIG / ~/.kube/config / in-cluster, or the file given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

export async function listResources(kc: KubeConfig, pageSize = 500): Promise<GatewayDomainCertificate[]> {
  const out: GatewayDomainCertificate[] = [];
  let token: string | undefined;
  do {
    const page = await kubeRequest<{ items?: GatewayDomainCertificate[]; metadata?: { continue?: string } }>(
      kc,
      gdcPath(),
      { query: { limit: pageSize, continue: token } },
    );
    out.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token);
  return out;
}
