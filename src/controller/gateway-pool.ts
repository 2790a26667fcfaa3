// One gateway client per (endpoint, family, project, account), reused across reconciles so that
// connections, IAM tokens and the per-account rate limiter are shared. Keyed by a digest: the pool
// never holds credentials in its keys.
import { createHash } from 'node:crypto';
import type { GatewayRef } from '../api/v1alpha1.ts';
import { EndpointPolicy, type EndpointPolicyOptions } from '../gateway/endpoint-policy.ts';
import { createGatewayClient, type GatewayClient } from '../gateway/index.ts';
import type { CallEvent, GatewayClientOptions, GatewayCredentials } from '../gateway/options.ts';

export type PoolOptions = Pick<
  GatewayClientOptions,
  'allowInsecureHttp' | 'caBundle' | 'proxyUrl' | 'rateLimit' | 'timeouts' | 'retry' | 'logger'
> & { onCall?: (e: CallEvent) => void; maxClients?: number; endpoints?: EndpointPolicyOptions };

export function gatewayEndpoints(ref: GatewayRef): { endpoint: string; iamEndpoint?: string } {
  const host = ref.service === 'apig' ? 'apig' : 'roma';
  const endpoint = ref.endpoint ?? `https://${host}.${ref.region}.myhuaweicloud.com`;
  const iamEndpoint =
    ref.iamEndpoint ?? (ref.region ? `https://iam.${ref.region}.myhuaweicloud.com` : undefined);
  return iamEndpoint ? { endpoint, iamEndpoint } : { endpoint };
}

export class GatewayPool {
  private readonly clients = new Map<string, GatewayClient>();
  private readonly opts: PoolOptions;
  // Always a policy: by default only Huawei Cloud's official endpoint domains.
  private readonly policy: EndpointPolicy;

  constructor(opts: PoolOptions) {
    this.opts = opts;
    this.policy = new EndpointPolicy(opts.endpoints);
  }

  client(ref: GatewayRef, credentials: GatewayCredentials): GatewayClient {
    const { endpoint, iamEndpoint } = gatewayEndpoints(ref);
    const family = ref.service === 'apig' ? 'apigw' : 'apic';
    const key = createHash('sha256')
      .update(JSON.stringify([endpoint, iamEndpoint, family, ref.projectId, credentials]))
      .digest('hex');
    const found = this.clients.get(key);
    if (found) {
      // Map order is insertion order: re-insert to mark as recently used.
      this.clients.delete(key);
      this.clients.set(key, found);
      return found;
    }
    const { maxClients = 256, endpoints: _e, ...clientOpts } = this.opts;
    const client = createGatewayClient({
      ...clientOpts,
      endpointPolicy: this.policy,
      endpoint,
      ...(iamEndpoint ? { iamEndpoint } : {}),
      family,
      projectId: ref.projectId,
      credentials,
    });
    this.clients.set(key, client);
    if (this.clients.size > maxClients) {
      const [oldestKey, oldest] = this.clients.entries().next().value as [string, GatewayClient];
      this.clients.delete(oldestKey);
      void oldest.close().catch(() => {});
    }
    return client;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
