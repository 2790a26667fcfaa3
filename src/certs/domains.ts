// Does a certificate cover a domain? RFC 6125 §6.4 matching, as browsers do it:
// case-insensitive, a trailing dot ignored, `*` only as the whole left-most label and matching
// exactly one label; the subject CN counts only when the certificate has no DNS SANs.
import { domainToASCII } from 'node:url';

export function normaliseDomain(domain: string): string {
  let d = domain.trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  // Internationalised names are compared in their A-label (punycode) form, as SANs carry them.
  if (/[^\x20-\x7e]/.test(d)) {
    const ascii = domainToASCII(d);
    if (ascii) d = ascii;
  }
  return d;
}

/** Whether one certificate name (SAN or CN) matches a domain. */
export function nameMatchesDomain(certName: string, domain: string): boolean {
  const pattern = normaliseDomain(certName);
  const host = normaliseDomain(domain);
  if (!pattern || !host) return false;
  // An exact match also covers a wildcard domain configured on the gateway (`*.example.com`).
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(2);
  // Only a whole-label, left-most wildcard; nothing like `*.*.example.com` or `f*.example.com`.
  if (!suffix || suffix.includes('*') || !suffix.includes('.')) return false;
  const dot = host.indexOf('.');
  if (dot <= 0) return false;
  const first = host.slice(0, dot);
  // A wildcard never stands in for a wildcard label, and matches exactly one label.
  return first !== '*' && host.slice(dot + 1) === suffix;
}

/** The names a client would check: DNS SANs, or the CN only when there are none. */
export function certificateNames(info: { dnsNames: string[]; commonName: string | undefined }): string[] {
  if (info.dnsNames.length > 0) return info.dnsNames;
  return info.commonName ? [info.commonName] : [];
}

/** Domains from `domains` that the certificate does not cover, in the order given. */
export function uncoveredDomains(
  info: { dnsNames: string[]; commonName: string | undefined },
  domains: string[],
): string[] {
  const names = certificateNames(info);
  return domains.filter((d) => !names.some((n) => nameMatchesDomain(n, d)));
}
