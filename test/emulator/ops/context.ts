// What a handler gets and returns, plus the lookups every gateway call shares.
import type { TokenStore } from '../auth.ts';
import { errors } from '../errors.ts';
import type { Seed } from '../seed.ts';
import type { CertRec, DomainRec, GroupRec, InstanceRec, Store } from '../store.ts';

export interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Raw body; `json()` parses it (400 APIG.2011 when it is not JSON). */
  raw: Buffer;
  family: 'apigw' | 'apic' | null;
  store: Store;
  seed: Seed;
  tokens: TokenStore;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply;

/** The gateway family of a gateway call (routes under `{family}` always have one). */
export function familyOf(ctx: Ctx): 'apigw' | 'apic' {
  return ctx.family ?? 'apigw';
}

export function json(ctx: Ctx): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(ctx.raw.toString('utf8') || 'null');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw errors.badBody();
}

export function instanceOf(ctx: Ctx, id = ctx.params.instance_id ?? ''): InstanceRec {
  const i = ctx.store.instance(id);
  if (!i) throw errors.instanceNotFound();
  return i;
}

export function groupOf(ctx: Ctx): GroupRec {
  const g = instanceOf(ctx).groups.find((x) => x.id === ctx.params.group_id);
  if (!g) throw errors.groupNotFound();
  return g;
}

export function domainOf(ctx: Ctx): DomainRec {
  const d = groupOf(ctx).domains.find((x) => x.id === ctx.params.domain_id);
  if (!d) throw errors.domainNotFound();
  return d;
}

export function certOf(ctx: Ctx, id = ctx.params.certificate_id ?? ''): CertRec {
  const c = ctx.store.certs.get(id);
  if (!c) throw errors.certNotFound();
  return c;
}

/**
 * offset (negative -> 0) and limit as the list calls take them: the SDK's request models say a limit
 * <= 0 becomes the default and one above the maximum becomes the maximum (no 400).
 */
export function paging(ctx: Ctx, max: number, def: number): { offset: number; limit: number } {
  const num = (name: string, fallback: number): number => {
    const raw = ctx.query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw)) throw errors.invalidParam(name);
    return Number(raw);
  };
  const offset = Math.max(0, num('offset', 0));
  const asked = num('limit', def);
  const limit = asked <= 0 ? def : Math.min(asked, max);
  return { offset, limit };
}

export function page<T>(items: T[], p: { offset: number; limit: number }): T[] {
  return items.slice(p.offset, p.offset + p.limit);
}
