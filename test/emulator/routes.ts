// Every call the emulator answers: operation name (stable, used in the call log), method, path, and
// whether it changes gateway state ("write"). The README's table mirrors this one.
import * as certs from './ops/certificates.ts';
import type { Handler } from './ops/context.ts';
import * as domains from './ops/domains.ts';
import * as groups from './ops/groups.ts';
import { createToken } from './ops/iam.ts';
import { listScmCertificates } from './ops/scm.ts';

export type Service = 'apig' | 'scm' | 'iam';

export interface Route {
  operation: string;
  method: string;
  /** Path template; `{x}` matches one segment, `{family}` is `apigw` or `apic`. */
  path: string;
  write: boolean;
  service: Service;
  handler: Handler;
}

const FAM = '/v2/{project_id}/{family}';
const DOMAIN = `${FAM}/instances/{instance_id}/api-groups/{group_id}/domains/{domain_id}`;

export const ROUTES: Route[] = [
  {
    operation: 'CreateToken',
    method: 'POST',
    path: '/v3/auth/tokens',
    write: false,
    service: 'iam',
    handler: createToken,
  },
  {
    operation: 'ListScmCertificates',
    method: 'GET',
    path: '/v3/scm/certificates',
    write: false,
    service: 'scm',
    handler: listScmCertificates,
  },
  {
    operation: 'UploadDomainCertificate',
    method: 'POST',
    path: `${DOMAIN}/certificate`,
    write: true,
    service: 'apig',
    handler: domains.uploadDomainCertificate,
  },
  {
    operation: 'ShowDomainCertificate',
    method: 'GET',
    path: `${DOMAIN}/certificate/{certificate_id}`,
    write: false,
    service: 'apig',
    handler: domains.showDomainCertificate,
  },
  {
    operation: 'DeleteDomainCertificate',
    method: 'DELETE',
    path: `${DOMAIN}/certificate/{certificate_id}`,
    write: true,
    service: 'apig',
    handler: domains.deleteDomainCertificate,
  },
  {
    operation: 'AttachDomainCertificates',
    method: 'POST',
    path: `${DOMAIN}/certificates/attach`,
    write: true,
    service: 'apig',
    handler: domains.attachDomainCertificates,
  },
  {
    operation: 'DetachDomainCertificates',
    method: 'POST',
    path: `${DOMAIN}/certificates/detach`,
    write: true,
    service: 'apig',
    handler: domains.detachDomainCertificates,
  },
  {
    operation: 'CreateCertificate',
    method: 'POST',
    path: `${FAM}/certificates`,
    write: true,
    service: 'apig',
    handler: certs.createCertificate,
  },
  {
    operation: 'ListCertificates',
    method: 'GET',
    path: `${FAM}/certificates`,
    write: false,
    service: 'apig',
    handler: certs.listCertificates,
  },
  {
    operation: 'ShowCertificate',
    method: 'GET',
    path: `${FAM}/certificates/{certificate_id}`,
    write: false,
    service: 'apig',
    handler: certs.showCertificate,
  },
  {
    operation: 'UpdateCertificate',
    method: 'PUT',
    path: `${FAM}/certificates/{certificate_id}`,
    write: true,
    service: 'apig',
    handler: certs.updateCertificate,
  },
  {
    operation: 'DeleteCertificate',
    method: 'DELETE',
    path: `${FAM}/certificates/{certificate_id}`,
    write: true,
    service: 'apig',
    handler: certs.deleteCertificate,
  },
  {
    operation: 'AttachDomains',
    method: 'POST',
    path: `${FAM}/certificates/{certificate_id}/domains/attach`,
    write: true,
    service: 'apig',
    handler: certs.attachDomains,
  },
  {
    operation: 'DetachDomains',
    method: 'POST',
    path: `${FAM}/certificates/{certificate_id}/domains/detach`,
    write: true,
    service: 'apig',
    handler: certs.detachDomains,
  },
  {
    operation: 'ListAttachedDomains',
    method: 'GET',
    path: `${FAM}/certificates/{certificate_id}/attached-domains`,
    write: false,
    service: 'apig',
    handler: certs.listAttachedDomains,
  },
  {
    operation: 'ListApiGroups',
    method: 'GET',
    path: `${FAM}/instances/{instance_id}/api-groups`,
    write: false,
    service: 'apig',
    handler: groups.listApiGroups,
  },
  {
    operation: 'ShowApiGroup',
    method: 'GET',
    path: `${FAM}/instances/{instance_id}/api-groups/{group_id}`,
    write: false,
    service: 'apig',
    handler: groups.showApiGroup,
  },
];

/** Operation names that change gateway state. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(
  ROUTES.filter((r) => r.write).map((r) => r.operation),
);

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

const compiled: Compiled[] = ROUTES.map((route) => {
  const names: string[] = [];
  const src = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => {
    names.push(n);
    return n === 'family' ? '(apigw|apic)' : '([^/]+)';
  });
  return { route, re: new RegExp(`^${src}/?$`), names };
});

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/** The route for a method and path; `undefined` when nothing matches (404 APIG.0101). */
export function match(method: string, path: string): Match | undefined {
  for (const c of compiled) {
    if (c.route.method !== method) continue;
    const m = c.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route: c.route, params };
  }
  return undefined;
}
