// Two resources pushing different certificates to one domain would overwrite each other at every
// renewal and verify. Claims index which resources name which gateway domain; the oldest claim wins
// and the others are told, by name, who holds the domain.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { byCodeUnit } from '../order.ts';
import { gatewayEndpoints } from './gateway-pool.ts';

/** The domains a resource names, as stable keys: endpoint, project, gateway, and domain name or id. */
export function claimedDomains(gdc: GatewayDomainCertificate): string[] {
  const g = gdc.spec.gateway;
  const scope = `${gatewayEndpoints(g).endpoint}|${g.projectId}`;
  if (gdc.spec.mode === 'Shared') {
    return (gdc.spec.domains ?? []).flatMap((d) =>
      d.instanceIds.map((i) => `${scope}|${i}|${d.name.toLowerCase()}`),
    );
  }
  return [`${scope}|${g.instanceId}|${g.domain ? g.domain.toLowerCase() : `id:${g.domainId}`}`];
}

interface Claim {
  key: string;
  created: string;
}

export class DomainClaims {
  private readonly byDomain = new Map<string, Map<string, Claim>>();
  private readonly byResource = new Map<string, string[]>();

  /** Records (or, with undefined, forgets) what a resource claims; returns resources whose standing changed. */
  update(key: string, gdc: GatewayDomainCertificate | undefined): string[] {
    const claimed = gdc && !gdc.metadata.deletionTimestamp ? [...new Set(claimedDomains(gdc))] : undefined;
    // Most events (status writes) change no claim: nobody else needs to look again.
    if (JSON.stringify(claimed) === JSON.stringify(this.byResource.get(key))) return [];
    const touched = new Set<string>();
    for (const d of this.byResource.get(key) ?? []) {
      const claims = this.byDomain.get(d);
      claims?.delete(key);
      for (const k of claims?.keys() ?? []) touched.add(k);
      if (claims?.size === 0) this.byDomain.delete(d);
    }
    this.byResource.delete(key);
    if (gdc && claimed) {
      this.byResource.set(key, claimed);
      const created = gdc.metadata.creationTimestamp ? String(gdc.metadata.creationTimestamp) : '';
      for (const d of claimed) {
        const claims = this.byDomain.get(d) ?? new Map<string, Claim>();
        for (const k of claims.keys()) touched.add(k);
        claims.set(key, { key, created: new Date(created || 0).toISOString() });
        this.byDomain.set(d, claims);
      }
    }
    touched.delete(key);
    return [...touched];
  }

  /** The resource that holds a domain this one also names, when it is not this one. */
  holderOtherThan(key: string): string | undefined {
    for (const d of this.byResource.get(key) ?? []) {
      const claims = [...(this.byDomain.get(d)?.values() ?? [])];
      if (claims.length < 2) continue;
      // Oldest first; the key breaks ties so every replica agrees.
      claims.sort((a, b) => byCodeUnit(a.created, b.created) || byCodeUnit(a.key, b.key));
      const holder = claims[0]?.key;
      if (holder && holder !== key) return holder;
    }
    return undefined;
  }
}
