// SCM `GET /v3/scm/certificates` (page 002): the certificates uploaded to the gateways, as SCM lists them,
// and the seed's SCM-only certificates.
// Page 002 documents no 400 answer, so out-of-range or unknown query values fall back to the documented
// defaults (limit is clamped to 10..50); an unknown status simply matches nothing.
import { scmOnlyView, scmView } from '../views.ts';
import type { Ctx, Reply } from './context.ts';

const SORT_KEYS = ['certExpiredTime', 'certStatus', 'certUpdateTime'];

function int(ctx: Ctx, name: string, def: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || !/^-?\d+$/.test(raw)) return def;
  return Math.min(max, Math.max(min, Number(raw)));
}

export function listScmCertificates(ctx: Ctx): Reply {
  const limit = int(ctx, 'limit', 10, 10, 50);
  const offset = int(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const dir = ctx.query.get('sort_dir') === 'ASC' ? 'ASC' : 'DESC';
  const askedKey = ctx.query.get('sort_key') ?? '';
  const key = SORT_KEYS.includes(askedKey) ? askedKey : 'certUpdateTime';
  const status = ctx.query.get('status') || 'ALL';

  const items = [
    ...[...ctx.store.certs.values()].map((c) => ({ updated: c.updateTime, v: scmView(c) })),
    ...ctx.store.scmOnly.map((c) => ({ updated: c.updateTime, v: scmOnlyView(c) })),
  ];
  const keyOf = (x: (typeof items)[number]): string =>
    key === 'certExpiredTime' ? x.v.expire_time : key === 'certStatus' ? x.v.status : x.updated;
  const filtered = items.filter((x) => status === 'ALL' || x.v.status === status);
  filtered.sort((a, b) => {
    const k = keyOf(a).localeCompare(keyOf(b)) || a.v.id.localeCompare(b.v.id);
    return dir === 'ASC' ? k : -k;
  });
  return {
    status: 200,
    body: {
      certificates: filtered.slice(offset, offset + limit).map((x) => x.v),
      total_count: filtered.length,
    },
  };
}
