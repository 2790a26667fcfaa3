// Domain-scoped certificate calls under `.../instances/{i}/api-groups/{g}/domains/{d}/...`.
import { errors } from '../errors.ts';
import { domainCertView, domainView } from '../views.ts';
import { covers } from '../x509.ts';
import { buildCert, readCertInput } from './cert-input.ts';
import { type Ctx, domainOf, familyOf, json, type Reply } from './context.ts';

/** Page 004: a new certificate every time (no de-dup), bound to the domain in place of the old one. */
export function uploadDomainCertificate(ctx: Ctx): Reply {
  const d = domainOf(ctx);
  const input = readCertInput(ctx, json(ctx), 'domain-upload');
  const cert = buildCert(ctx, input);
  if (!covers(cert.info.san, d.name)) throw errors.domainNotCovered(d.name);
  ctx.store.certs.set(cert.id, cert);
  d.certId = cert.id;
  // trusted_root_ca switches client verification on (the pitfall the docs warn about).
  d.verifiedClientCertificateEnabled = cert.trustedRootCa !== null;
  return { status: 201, body: domainView(ctx.store, d, familyOf(ctx)) };
}

function boundCert(ctx: Ctx) {
  const d = domainOf(ctx);
  const c = ctx.store.certs.get(ctx.params.certificate_id ?? '');
  if (!c) throw errors.domainCertNotFound();
  if (d.certId !== c.id) throw errors.bindingNotFound();
  return { d, c };
}

/** Page 000. */
export function showDomainCertificate(ctx: Ctx): Reply {
  return { status: 200, body: domainCertView(boundCert(ctx).c, familyOf(ctx)) };
}

export function deleteDomainCertificate(ctx: Ctx): Reply {
  const { d } = boundCert(ctx);
  d.certId = null;
  d.verifiedClientCertificateEnabled = false;
  return { status: 204 };
}

/** `.../domains/{d}/certificates/attach` with `{certificate_ids[], verified_client_certificate_enabled}`. */
export function attachDomainCertificates(ctx: Ctx): Reply {
  const d = domainOf(ctx);
  const body = json(ctx);
  const ids = body.certificate_ids;
  if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') {
    // One certificate per domain in this emulator (no RSA+ECC dual binding).
    throw errors.invalidParam('certificate_ids');
  }
  const c = ctx.store.certs.get(ids[0]);
  if (!c) throw errors.domainCertNotFound();
  const v = body.verified_client_certificate_enabled;
  if (v !== undefined && typeof v !== 'boolean')
    throw errors.invalidParam('verified_client_certificate_enabled');
  if (v === true && c.trustedRootCa === null)
    throw errors.invalidParam('verified_client_certificate_enabled');
  if (c.type === 'instance' && c.instanceId !== d.instanceId) throw errors.invalidParam('certificate_ids');
  if (!covers(c.info.san, d.name)) throw errors.domainNotCovered(d.name);
  if (d.certId !== null && d.certId !== c.id) throw errors.boundElsewhere(d.name);
  d.certId = c.id;
  d.verifiedClientCertificateEnabled = v ?? c.trustedRootCa !== null;
  return { status: 204 };
}

export function detachDomainCertificates(ctx: Ctx): Reply {
  const d = domainOf(ctx);
  const ids = json(ctx).certificate_ids;
  if (!Array.isArray(ids) || ids.length === 0) throw errors.invalidParam('certificate_ids');
  for (const id of ids) {
    if (typeof id !== 'string') throw errors.invalidParam('certificate_ids');
    if (!ctx.store.certs.has(id)) throw errors.domainCertNotFound();
    if (d.certId !== id) throw errors.notBound();
  }
  d.certId = null;
  d.verifiedClientCertificateEnabled = false;
  return { status: 204 };
}
