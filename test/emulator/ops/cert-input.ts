// Validation of a certificate body (create, update, domain upload), in the order the gateway reports.
import { errors } from '../errors.ts';
import { type CertRec, microTime, newId } from '../store.ts';
import { parseChain, validateCertificate } from '../x509.ts';
import { type Ctx, familyOf, instanceOf } from './context.ts';

// 4..50 characters, first a letter or a Chinese character, then letters, digits, `_` or Chinese
// (the SDK's CertForm comment; the page says letters only but does not rule Chinese out).
const NAME = /^[A-Za-z\p{Script=Han}][A-Za-z0-9_\p{Script=Han}]{3,49}$/u;

/** Body fields each call's SDK model has (CertForm per family for the domain upload, CertificateForm). */
const FIELDS = {
  certificate: [
    'name',
    'cert_content',
    'private_key',
    'type',
    'instance_id',
    'trusted_root_ca',
    'algorithm_type',
    'cert_content_sign',
    'private_key_sign',
  ],
  apigwUpload: ['name', 'cert_content', 'private_key'],
  apicUpload: ['name', 'cert_content', 'private_key', 'type', 'instance_id', 'trusted_root_ca'],
};

export type CertCall = 'certificate' | 'domain-upload';

function allowedFields(ctx: Ctx, call: CertCall): string[] {
  if (call === 'certificate') return FIELDS.certificate;
  return familyOf(ctx) === 'apigw' ? FIELDS.apigwUpload : FIELDS.apicUpload;
}

const str = (body: Record<string, unknown>, field: string, required: boolean): string | undefined => {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw errors.invalidParam(field);
    return undefined;
  }
  if (typeof v !== 'string') throw errors.invalidParam(field);
  return v;
};

export interface CertInput {
  name: string;
  certContent: string;
  privateKey: string;
  type: 'global' | 'instance';
  instanceId: string;
  trustedRootCa: string | null;
  algorithmType?: string;
}

export function readCertInput(
  ctx: Ctx,
  body: Record<string, unknown>,
  call: CertCall = 'certificate',
): CertInput {
  // A field outside the call's model is refused, not dropped: a dropped trusted_root_ca would leave
  // client verification off while the caller believes it on.
  const allowed = allowedFields(ctx, call);
  const extra = Object.keys(body).find((k) => !allowed.includes(k) && body[k] !== undefined);
  if (extra !== undefined) throw errors.invalidParam(extra);
  const name = str(body, 'name', true)!;
  if (!NAME.test(name)) throw errors.invalidParam('name');
  const certContent = str(body, 'cert_content', true)!;
  const privateKey = str(body, 'private_key', true)!;
  const type = str(body, 'type', false) ?? 'global';
  if (type !== 'global' && type !== 'instance') throw errors.invalidParam('type');
  let instanceId = 'common';
  if (type === 'instance') {
    instanceId = str(body, 'instance_id', true)!;
    instanceOf(ctx, instanceId);
  }
  const algorithmType = str(body, 'algorithm_type', false);
  // ROMA Connect on public cloud takes no SM2; the emulator cannot parse SM2 at all.
  if (algorithmType !== undefined && algorithmType !== 'RSA' && algorithmType !== 'ECC') {
    throw errors.invalidParam('algorithm_type');
  }
  const trustedRootCa = str(body, 'trusted_root_ca', false) ?? null;
  if (trustedRootCa !== null) parseChain(trustedRootCa, 'trusted_root_ca');
  const input: CertInput = { name, certContent, privateKey, type, instanceId, trustedRootCa };
  if (algorithmType) input.algorithmType = algorithmType;
  return input;
}

/** Builds a new certificate record (not yet stored) from a validated body. */
export function buildCert(ctx: Ctx, input: CertInput): CertRec {
  const { info } = validateCertificate(input.certContent, input.privateKey);
  if (input.algorithmType && input.algorithmType !== info.algorithm_type) throw errors.algorithmMismatch();
  const now = microTime();
  return {
    id: newId(),
    name: input.name,
    type: input.type,
    instanceId: input.instanceId,
    projectId: ctx.store.projectId,
    certContent: input.certContent,
    privateKey: input.privateKey,
    trustedRootCa: input.trustedRootCa,
    info,
    createTime: now,
    updateTime: now,
    scmId: ctx.store.nextScmId(),
  };
}
