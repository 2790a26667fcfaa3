// SCM `GET /v3/scm/certificates` (page 002): the certificates uploaded to the gateways, as SCM lists them.
import { errors } from '../errors.ts';
import { scmView } from '../views.ts';
import type { Ctx, Reply } from './context.ts';

const SORT_KEYS = ['certExpiredTime', 'certStatus', 'certUpdateTime'];
const STATUSES = new Set([
  'ALL',
  'PAID',
  'ISSUED',
  'CHECKING',
  'CANCELCHECKING',
  'UNPASSED',
  'EXPIRED',
  'REVOKING',
  'REVOKED',
  'UPLOAD',
  'CHECKING_ORG',
  'ISSUING',
  'SUPPLEMENTCHECKING',
]);

function int(ctx: Ctx, name: string, def: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw errors.scmInvalidParam(name);
  return n;
}

export function listScmCertificates(ctx: Ctx): Reply {
  const limit = int(ctx, 'limit', 10, 10, 50);
  const offset = int(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const dir = ctx.query.get('sort_dir') ?? 'DESC';
  if (dir !== 'ASC' && dir !== 'DESC') throw errors.scmInvalidParam('sort_dir');
  const key = ctx.query.get('sort_key') ?? 'certUpdateTime';
  if (!SORT_KEYS.includes(key)) throw errors.scmInvalidParam('sort_key');
  const status = ctx.query.get('status') ?? 'ALL';
  if (!STATUSES.has(status)) throw errors.scmInvalidParam('status');

  const items = [...ctx.store.certs.values()].map((c) => ({ c, v: scmView(c) }));
  const keyOf = (x: (typeof items)[number]): string =>
    key === 'certExpiredTime' ? x.c.info.not_after : key === 'certStatus' ? x.v.status : x.c.updateTime;
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
