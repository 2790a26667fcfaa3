// The certificates API: `.../certificates[/{id}]`, attach/detach by domain name, attached-domains.
import { errors } from '../errors.ts';
import { type DomainRec, microTime } from '../store.ts';
import { boundDomainView, certBaseView, certView } from '../views.ts';
import { covers } from '../x509.ts';
import { buildCert, readCertInput } from './cert-input.ts';
import { type Ctx, certOf, instanceOf, json, page, paging, type Reply } from './context.ts';

export function createCertificate(ctx: Ctx): Reply {
  const cert = buildCert(ctx, readCertInput(ctx, json(ctx)));
  ctx.store.certs.set(cert.id, cert);
  return { status: 200, body: certView(cert) };
}

export function showCertificate(ctx: Ctx): Reply {
  return { status: 200, body: certView(certOf(ctx)) };
}

export function updateCertificate(ctx: Ctx): Reply {
  const old = certOf(ctx);
  const body = json(ctx);
  const input = readCertInput(ctx, { ...body, type: body.type ?? old.type });
  if (input.type !== old.type) throw errors.invalidParam('type');
  if (old.type === 'instance' && input.instanceId !== old.instanceId)
    throw errors.invalidParam('instance_id');
  const next = buildCert(ctx, input);
  // Every bound domain starts serving the new content, so it must still cover them.
  for (const d of ctx.store.boundDomains(old.id)) {
    if (!covers(next.info.san, d.name)) throw errors.domainNotCovered(d.name);
  }
  const updated = {
    ...next,
    id: old.id,
    scmId: old.scmId,
    createTime: old.createTime,
    updateTime: microTime(),
  };
  ctx.store.certs.set(old.id, updated);
  return { status: 200, body: certView(updated) };
}

export function deleteCertificate(ctx: Ctx): Reply {
  const c = certOf(ctx);
  // Not documented either way; refusing is the strict choice (a client that detaches first works on both).
  if (ctx.store.boundDomains(c.id).length > 0) throw errors.certInUse();
  ctx.store.certs.delete(c.id);
  return { status: 204 };
}

export function listCertificates(ctx: Ctx): Reply {
  const p = paging(ctx, 500, 20);
  const q = (k: string) => ctx.query.get(k) || undefined;
  // Mandatory on both families (page 001; the SDK's ListCertificatesV2Request for apig too). It names
  // a gateway: the list holds what that gateway can use, its own certificates and the global ones;
  // `type` narrows it. `common` is no gateway (it is only what global certificates show as instance_id).
  const instanceId = q('instance_id');
  if (!instanceId) throw errors.invalidParam('instance_id');
  instanceOf(ctx, instanceId);
  const name = q('name');
  const cn = q('common_name');
  const sig = q('signature_algorithm');
  const type = q('type');
  const alg = q('algorithm_type');
  const all = [...ctx.store.certs.values()].filter(
    (c) =>
      (!name || c.name.includes(name)) &&
      (!cn || c.info.common_name.includes(cn)) &&
      (!sig || c.info.signature_algorithm === sig) &&
      (!type || c.type === type) &&
      (!alg || c.info.algorithm_type === alg) &&
      (c.type === 'global' || c.instanceId === instanceId),
  );
  const certs = page(all, p).map(certBaseView);
  return { status: 200, body: { size: certs.length, total: all.length, certs } };
}

interface DomainRef {
  domain: string;
  instanceIds: string[] | undefined;
  verified: boolean | undefined;
}

function readDomainRefs(ctx: Ctx): DomainRef[] {
  const body = json(ctx);
  const list = body.domains;
  if (!Array.isArray(list) || list.length === 0) throw errors.invalidParam('domains');
  return list.map((item: unknown) => {
    const o = (item ?? {}) as Record<string, unknown>;
    if (typeof o.domain !== 'string' || !o.domain) throw errors.invalidParam('domain');
    const ids = o.instance_ids;
    if (ids !== undefined && (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))) {
      throw errors.invalidParam('instance_ids');
    }
    const v = o.verified_client_certificate_enabled;
    if (v !== undefined && typeof v !== 'boolean')
      throw errors.invalidParam('verified_client_certificate_enabled');
    return { domain: o.domain, instanceIds: ids as string[] | undefined, verified: v as boolean | undefined };
  });
}

/** A domain name on the given gateways (or on all of them): 404 APIG.3020 when none has it. */
function resolve(ctx: Ctx, ref: DomainRef): DomainRec[] {
  const instances = ref.instanceIds?.length
    ? ref.instanceIds.map((id) => instanceOf(ctx, id))
    : ctx.store.instances;
  const found = instances.flatMap((i) =>
    i.groups.flatMap((g) => g.domains.filter((d) => d.name.toLowerCase() === ref.domain.toLowerCase())),
  );
  if (found.length === 0) throw errors.domainNotFound();
  return found;
}

export function attachDomains(ctx: Ctx): Reply {
  const cert = certOf(ctx);
  const refs = readDomainRefs(ctx);
  // Check everything first: a refused call changes nothing.
  const plan: { d: DomainRec; verified: boolean }[] = [];
  for (const ref of refs) {
    if (ref.verified && cert.trustedRootCa === null)
      throw errors.invalidParam('verified_client_certificate_enabled');
    for (const d of resolve(ctx, ref)) {
      if (cert.type === 'instance' && d.instanceId !== cert.instanceId)
        throw errors.invalidParam('instance_ids');
      if (!covers(cert.info.san, d.name)) throw errors.domainNotCovered(d.name);
      if (d.certId !== null && d.certId !== cert.id) throw errors.boundElsewhere(d.name);
      plan.push({ d, verified: ref.verified ?? cert.trustedRootCa !== null });
    }
  }
  for (const { d, verified } of plan) {
    d.certId = cert.id;
    d.verifiedClientCertificateEnabled = verified;
  }
  return { status: 204 };
}

export function detachDomains(ctx: Ctx): Reply {
  const cert = certOf(ctx);
  const targets: DomainRec[] = [];
  for (const ref of readDomainRefs(ctx)) {
    const bound = resolve(ctx, ref).filter((d) => d.certId === cert.id);
    if (bound.length === 0) throw errors.notBound();
    targets.push(...bound);
  }
  for (const d of targets) {
    d.certId = null;
    d.verifiedClientCertificateEnabled = false;
  }
  return { status: 204 };
}

export function listAttachedDomains(ctx: Ctx): Reply {
  const cert = certOf(ctx);
  const p = paging(ctx, 500, 20);
  const filter = ctx.query.get('url_domain');
  const all = ctx.store.boundDomains(cert.id).filter((d) => !filter || d.name.includes(filter));
  const bound = page(all, p).map((d) => boundDomainView(ctx.store, d));
  return { status: 200, body: { bound_domains: bound, total: all.length, size: bound.length } };
}
