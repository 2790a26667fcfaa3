// Minimal DER reader: just enough to pull names and SANs out of a certificate that node's
// X509Certificate has already parsed and validated (node only exposes them as escaped text).

export interface Tlv {
  tag: number;
  /** Offset of the value's first byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

export class DerError extends Error {}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated DER');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new DerError('DER value overruns its container');
  return { tag, start, end };
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

export function decodeOid(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    const b = buf[i]!;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - 40 * first);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Decode the ASN.1 string types that appear in X.509 names. */
export function decodeString(buf: Uint8Array, t: Tlv): string {
  const bytes = Buffer.from(buf.subarray(t.start, t.end));
  switch (t.tag) {
    case 0x1e: // BMPString: UTF-16BE
      return bytes.length % 2 ? bytes.toString('latin1') : bytes.swap16().toString('utf16le');
    case 0x14: // T61String: treat as Latin-1, as most software does
      return bytes.toString('latin1');
    default: // UTF8String, PrintableString, IA5String, VisibleString, ...
      return bytes.toString('utf8');
  }
}
