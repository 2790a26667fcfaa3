// Puts a certificate set in the order the gateway wants (leaf first, then each issuer: APIG.2104).
// A set that is a chain in the wrong order is reordered silently; only a set that is not one chain fails.
import type { X509Certificate } from 'node:crypto';

export type ChainResult =
  | { ok: true; ordered: X509Certificate[]; reordered: boolean }
  | { ok: false; message: string };

/** Longer than any real chain; bounds the quadratic issuer search below. */
export const MAX_CHAIN_LENGTH = 10;

/** `issuer` signed `subject`: names/key ids line up (checkIssued) and the signature verifies. */
export function isIssuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function orderChain(certs: X509Certificate[]): ChainResult {
  // The same certificate twice is harmless; drop repeats rather than fail.
  const kept = certs
    .map((_, i) => i)
    .filter((i) => certs.findIndex((d) => d.raw.equals(certs[i]!.raw)) === i);
  const unique = kept.map((i) => certs[i]!);
  // Messages number certificates as the user wrote them, duplicates included.
  const label = (c: X509Certificate, i: number) =>
    `certificate ${kept[i]! + 1} (${c.subject.replace(/\n/g, ', ')})`;
  if (unique.length === 0) return { ok: false, message: 'the chain contains no certificate' };
  if (unique.length > MAX_CHAIN_LENGTH) {
    return {
      ok: false,
      message: `the chain has ${unique.length} certificates; at most ${MAX_CHAIN_LENGTH} are accepted`,
    };
  }
  const n = unique.length;
  // issuerOf[i] = indexes of certificates in the set that issued certificate i (self-signature excluded).
  const issuerOf = unique.map((c, i) => unique.flatMap((d, j) => (i !== j && isIssuedBy(c, d) ? [j] : [])));
  const issuesSomething = new Set(issuerOf.flat());
  const leaves = unique.map((_, i) => i).filter((i) => !issuesSomething.has(i));
  if (leaves.length !== 1) {
    const which = leaves.map((i) => label(unique[i]!, i)).join('; ');
    return {
      ok: false,
      message:
        leaves.length === 0
          ? 'the certificates form a loop, not a chain'
          : `the certificates are not one chain: none of [${which}] issued another certificate in the set, ` +
            'so there is no single leaf (an intermediate missing, or an unrelated certificate included?)',
    };
  }
  const order = [leaves[0]!];
  const used = new Set(order);
  while (order.length < n) {
    const current = order[order.length - 1]!;
    const next = issuerOf[current]!.find((j) => !used.has(j));
    if (next === undefined) {
      const missing = unique.map((_, i) => i).filter((i) => !used.has(i));
      return {
        ok: false,
        message: `the certificates are not one chain: ${label(unique[current]!, current)} was not issued by any remaining certificate (${missing.map((i) => label(unique[i]!, i)).join('; ')})`,
      };
    }
    order.push(next);
    used.add(next);
  }
  const ordered = order.map((i) => unique[i]!);
  return { ok: true, ordered, reordered: order.some((v, i) => v !== i) };
}
