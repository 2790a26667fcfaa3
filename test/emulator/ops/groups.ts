// API groups: how the operator resolves a domain name to its ids (`url_domains[].domain`).
import { groupView } from '../views.ts';
import { type Ctx, familyOf, groupOf, instanceOf, page, paging, type Reply } from './context.ts';

export function listApiGroups(ctx: Ctx): Reply {
  const inst = instanceOf(ctx);
  const p = paging(ctx, 500, 20);
  const name = ctx.query.get('name');
  const all = inst.groups.filter((g) => !name || g.name.includes(name));
  const groups = page(all, p).map((g) => groupView(ctx.store, g, familyOf(ctx)));
  return { status: 200, body: { size: groups.length, total: all.length, groups } };
}

export function showApiGroup(ctx: Ctx): Reply {
  return { status: 200, body: groupView(ctx.store, groupOf(ctx), familyOf(ctx)) };
}
