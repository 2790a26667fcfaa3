// Where credentials may go. A resource names its endpoints, but whoever may create one must not be
// able to send the namespace's IAM password or AK/SK-signed calls to a host of their choosing, nor
// reach the cluster's private addresses (cloud metadata, in-cluster services). Names must be on
// Huawei Cloud's official domains (or ones the operator added); literal IPs, and names resolving to
// loopback / link-local / private ranges, only inside networks the operator allowed.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * The domains of Huawei Cloud's API Gateway, ROMA Connect, IAM and SCM endpoints, from the official
 * Go SDK's region tables (services/{apig,roma,iam,scm}/*\/region) and the "Regions and Endpoints"
 * pages: `{service}.{region}.myhuaweicloud.com` (and the global `iam.myhuaweicloud.com`), and
 * Huawei Cloud Europe's `{service}.eu-west-101.myhuaweicloud.eu`.
 */
export const OFFICIAL_ENDPOINT_DOMAINS = ['myhuaweicloud.com', 'myhuaweicloud.eu'] as const;

export const DOMAINS_FLAG = '--allowed-endpoint-domains';
export const NETWORKS_FLAG = '--allowed-endpoint-networks';

/** An endpoint the policy refuses; nothing was sent to it. */
export class EndpointRefusedError extends TypeError {
  override readonly name = 'EndpointRefusedError';
  readonly code = 'ENDPOINT_REFUSED';
}

// Not public: loopback, link-local (cloud metadata lives at 169.254.169.254), private, CGNAT,
// unspecified, unique-local, and IPv4-mapped IPv6 of the same.
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

export interface EndpointPolicyOptions {
  /** Domains allowed besides the official ones (a domain allows itself and every subdomain). */
  domains?: string[];
  /** CIDRs (or single addresses) that literal IPs and resolved addresses may be in, e.g. 127.0.0.0/8. */
  networks?: string[];
}

export class EndpointPolicy {
  readonly domains: string[];
  private readonly allowedNets = new BlockList();
  private readonly hasNets: boolean;

  constructor(opts: EndpointPolicyOptions = {}) {
    this.domains = [...OFFICIAL_ENDPOINT_DOMAINS, ...(opts.domains ?? [])].map((d) =>
      d
        .trim()
        .toLowerCase()
        .replace(/^\*?\./, ''),
    );
    for (const cidr of opts.networks ?? []) {
      const [addr = '', bits] = cidr.trim().split('/');
      const type = isIP(addr) === 6 ? 'ipv6' : isIP(addr) === 4 ? 'ipv4' : undefined;
      const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits);
      if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv6' ? 128 : 32))
        throw new Error(`${NETWORKS_FLAG}: "${cidr}" is not an address or CIDR`);
      this.allowedNets.addSubnet(addr, prefix, type);
    }
    this.hasNets = (opts.networks ?? []).length > 0;
  }

  /**
   * Throws EndpointRefusedError unless `url` may receive calls. `iam`: the URL is where an IAM
   * password goes, so a host name must also be an IAM host (first label `iam…`).
   */
  check(url: URL, field: string, iam = false): void {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (isIP(host)) {
      if (this.inAllowedNet(host)) return;
      throw new EndpointRefusedError(
        `${field} ${url.origin} is a literal IP address; allow its network with ${NETWORKS_FLAG} (for example ${host}/32) or use the service's host name`,
      );
    }
    const name = host.replace(/\.$/, '');
    if (!this.domains.some((d) => name === d || name.endsWith(`.${d}`))) {
      throw new EndpointRefusedError(
        `${field} host ${name} is not on an allowed Huawei Cloud domain (${this.domains.join(', ')}); an operator can add its domain with ${DOMAINS_FLAG}`,
      );
    }
    if (iam && !/^iam[a-z0-9-]*\./.test(name)) {
      throw new EndpointRefusedError(
        `${field} host ${name} is not an IAM endpoint (iam.{region}.{domain}): the IAM password is sent only there`,
      );
    }
  }

  /** Whether a resolved address may be connected to. */
  addressAllowed(address: string): boolean {
    if (this.inAllowedNet(address)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const v4 = mapped ?? (isIP(address) === 4 ? address : undefined);
    if (v4) return this.inAllowedNet(v4) || !NON_PUBLIC.check(v4, 'ipv4');
    return !NON_PUBLIC.check(address, 'ipv6');
  }

  /**
   * A `lookup` for net/tls.connect that refuses non-public answers at connect time (so a name that
   * re-resolves to a private address is caught too), before any byte is sent.
   */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const ok = addresses.filter((a) => this.addressAllowed(a.address));
      if (ok.length === 0) {
        const shown = addresses.map((a) => a.address).join(', ');
        return callback(
          new EndpointRefusedError(
            `${hostname} resolves to ${shown}, a loopback, link-local or private address; allow the network with ${NETWORKS_FLAG}`,
          ),
          '',
          0,
        );
      }
      if (options.all) return callback(null, ok);
      const first = ok[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };

  private inAllowedNet(address: string): boolean {
    if (!this.hasNets) return false;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    return this.allowedNets.check(address, type);
  }
}
