// PEM splitting and certificate-chain parsing. Errors name block labels and positions only,
// never block contents: a private key pasted into tls.crt must not end up in a status message.
import { X509Certificate } from 'node:crypto';

export interface PemBlock {
  label: string;
  /** Headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encrypted keys). */
  headers: Record<string, string>;
  der: Buffer;
}

export class PemError extends Error {
  override name = 'PemError';
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** All PEM blocks in `text`, in order. Text between blocks (openssl's `subject=` lines) is ignored. */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel] = m;
    if (label !== endLabel)
      throw new PemError(`PEM block ${blocks.length + 1} starts as ${label} but ends as ${endLabel}`);
    const headers: Record<string, string> = {};
    const lines = body.split(/\r?\n/).map((l) => l.trim());
    const b64: string[] = [];
    for (const line of lines) {
      const h = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (h && b64.length === 0) headers[h[1]!] = h[2]!;
      else if (line) b64.push(line);
    }
    const joined = b64.join('');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined) || joined.length % 4 !== 0) {
      throw new PemError(`PEM block ${blocks.length + 1} (${label}) is not valid base64`);
    }
    const der = Buffer.from(joined, 'base64');
    if (der.length === 0) throw new PemError(`PEM block ${blocks.length + 1} (${label}) is empty`);
    blocks.push({ label, headers, der });
  }
  // A block without its END line would otherwise vanish silently.
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length)
    throw new PemError('a PEM block is truncated (BEGIN line without a matching END line)');
  return blocks;
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Parse a PEM certificate chain (e.g. a Secret's tls.crt) in the order given.
 * Throws PemError when there is no certificate, a block is not a certificate, or one does not parse.
 */
export function parseCertificateChain(pem: string): X509Certificate[] {
  if (!pem.trim()) throw new PemError('no certificate: the certificate data is empty');
  const blocks = parsePemBlocks(pem);
  if (blocks.length === 0)
    throw new PemError('no PEM certificate found (expected -----BEGIN CERTIFICATE-----)');
  return blocks.map((block, i) => {
    if (block.label !== 'CERTIFICATE') {
      throw new PemError(
        `PEM block ${i + 1} is a ${block.label}, only CERTIFICATE blocks are allowed in a chain`,
      );
    }
    try {
      return new X509Certificate(block.der);
    } catch {
      throw new PemError(`certificate ${i + 1} in the chain could not be parsed as X.509`);
    }
  });
}
