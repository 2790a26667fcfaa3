// The operator's client, run through every call it makes, and the comparison of what it sent (the
// emulator's call log) with the SDK's request definitions.
import { createGatewayClient, type GatewayClient } from '../../src/gateway/index.ts';
import type { Family } from '../../src/gateway/types.ts';
import type { CallEntry, Emulator } from '../emulator/server.ts';
import { issueCertificate, type TestCA } from '../support/pki.ts';
import { bodyProblems, type OperationSpec, pathFits } from './sdk.ts';

export const key = (family: string, operation: string) => `${family} ${operation}`;

/** The first domain of the first group of the first gateway. */
export function target(emu: Emulator) {
  const gw = emu.seed.gateways[0]!;
  const group = gw.groups[0]!;
  return { gw, group, domain: group.domains[0]! };
}

export function client(emu: Emulator, family: Family, kind: 'aksk' | 'password'): GatewayClient {
  const c = emu.seed.credentials;
  return createGatewayClient({
    endpoint: emu.url,
    iamEndpoint: emu.url,
    scmEndpoint: emu.url,
    family,
    projectId: emu.seed.projectId,
    credentials:
      kind === 'aksk' ? { kind, accessKey: c.accessKey, secretKey: c.secretKey } : { kind, ...c.iam },
    allowInsecureHttp: true,
  });
}

/** Every client call the operator makes, in the order Domain mode, adoption and Shared mode make them. */
export async function exercise(emu: Emulator, ca: TestCA, family: Family, c: GatewayClient): Promise<void> {
  const { gw, group, domain } = target(emu);
  const leaf = issueCertificate({ ca, dnsNames: [domain.name], keyType: 'rsa' });
  const name = `client_${family}`;
  const pem = { name, cert_content: leaf.certPem, private_key: leaf.keyPem };
  await c.listDomains(gw.id);
  await c.getApiGroup(gw.id, group.id);
  // Domain mode: what the reconciler asks for; the client sends each family's own body.
  const up = await c.uploadDomainCertificate(gw.id, group.id, domain.id, {
    ...pem,
    type: 'instance',
    instance_id: gw.id,
    ...(family === 'apic' ? { trusted_root_ca: ca.certPem } : {}),
  });
  const id = up.ssl_id ?? '';
  await c.getDomainCertificate(gw.id, group.id, domain.id, id);
  await c.listAllCertificates({ name, instance_id: gw.id });
  await c.getCertificate(id);
  await c.unbindDomainCertificate(gw.id, group.id, domain.id, id);
  await c.deleteCertificate(id);
  // Shared mode.
  const created = await c.createCertificate({ ...pem, type: 'global', trusted_root_ca: ca.certPem });
  const sid = created.id ?? '';
  await c.updateCertificate(sid, { ...pem, type: 'global', trusted_root_ca: ca.certPem });
  const refs = [{ domain: domain.name, instance_ids: [gw.id], verified_client_certificate_enabled: true }];
  await c.attachDomains(sid, refs);
  await c.listAllAttachedDomains(sid);
  await c.listAllCertificates({ instance_id: gw.id, type: 'global', name });
  await c.detachDomains(sid, refs);
  await c.deleteCertificate(sid);
  await c.listScmCertificates({ limit: 10, sort_dir: 'ASC', sort_key: 'certExpiredTime' });
}

export function requestProblems(emu: Emulator, call: CallEntry, byOp: Map<string, OperationSpec>): string[] {
  const family = call.operation === 'ListScmCertificates' ? 'scm' : (call.family ?? '');
  const where = `${family} ${call.operation}`;
  const spec = byOp.get(key(family, call.operation));
  if (!spec) return [`${where}: no such operation in the SDK`];
  const out: string[] = [];
  if (spec.method !== call.method) out.push(`${where}: method ${call.method}, SDK ${spec.method}`);
  if (!pathFits(spec.path.replace('{project_id}', emu.seed.projectId), call.path))
    out.push(`${where}: path ${call.path} does not fit ${spec.path}`);
  const sent = new URLSearchParams(call.query);
  for (const k of sent.keys()) {
    if (!spec.query.some((q) => q.name === k)) out.push(`${where}: query ${k} is not in the SDK request`);
  }
  for (const q of spec.query)
    if (q.required && !sent.has(q.name)) out.push(`${where}: required query ${q.name} not sent`);
  const body = call.request.body;
  if (spec.body && body === null) out.push(`${where}: no body, the SDK sends ${spec.body.model}`);
  else if (!spec.body && body !== null) out.push(`${where}: a body the SDK request has none of`);
  else if (spec.body) out.push(...bodyProblems(where, body, spec.body));
  const cred = spec.credential_headers.filter((h) => call.request.headers.includes(h));
  if (cred.length === 0) out.push(`${where}: none of ${spec.credential_headers.join(', ')} sent`);
  const signedHeaders = call.request.signed_headers;
  if (signedHeaders && cred.length > 0 && !cred.some((h) => signedHeaders.includes(h)))
    out.push(`${where}: ${cred.join(', ')} not signed`);
  return out;
}
