// Domain name → group and domain ids, per gateway, shared by every resource for a minute. Without it
// each resource's first sync lists every API group of its gateway: N resources cost N full listings.
import { type FoundDomain, type GatewayClient, normaliseDomainName } from '../gateway/index.ts';

interface Entry {
  at: number;
  domains: Promise<Map<string, FoundDomain>>;
}

export class DomainDirectory {
  private readonly byClient = new WeakMap<GatewayClient, Map<string, Entry>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs = 60_000, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  async find(client: GatewayClient, instanceId: string, name: string): Promise<FoundDomain | undefined> {
    const wanted = normaliseDomainName(name);
    let entry = this.entry(client, instanceId, false);
    let found = (await entry.domains).get(wanted);
    // Not there in a listing more than a few seconds old: the domain may have just been bound; look once more.
    if (!found && this.now() - entry.at > 5_000) {
      entry = this.entry(client, instanceId, true);
      found = (await entry.domains).get(wanted);
    }
    return found;
  }

  private entry(client: GatewayClient, instanceId: string, refresh: boolean): Entry {
    let perInstance = this.byClient.get(client);
    if (!perInstance) {
      perInstance = new Map();
      this.byClient.set(client, perInstance);
    }
    const cached = perInstance.get(instanceId);
    if (cached && !refresh && this.now() - cached.at < this.ttlMs) return cached;
    const entry: Entry = { at: this.now(), domains: list(client, instanceId) };
    // A failed listing is not cached: the next caller tries again.
    entry.domains.catch(() => perInstance.delete(instanceId));
    perInstance.set(instanceId, entry);
    // An expired listing is dropped, not kept until the next lookup: after a first sync it is the whole
    // gateway's domain list, and a restart or renewal never needs it (ids come from status).
    const expire = setTimeout(() => {
      if (perInstance.get(instanceId) === entry) perInstance.delete(instanceId);
    }, this.ttlMs);
    expire.unref();
    return entry;
  }
}

async function list(client: GatewayClient, instanceId: string): Promise<Map<string, FoundDomain>> {
  const all = await client.listDomains(instanceId);
  // Only what a binding needs (ids, name, CNAME state, TLS floor): not the certificates each domain lists.
  return new Map(
    all.map(({ groupId, domainId, domain: d }) => [
      normaliseDomainName(d.domain),
      {
        groupId,
        domainId,
        domain: {
          id: d.id,
          domain: d.domain,
          ...(d.cname_status !== undefined ? { cname_status: d.cname_status } : {}),
          ...(d.min_ssl_version ? { min_ssl_version: d.min_ssl_version } : {}),
        },
      },
    ]),
  );
}
