// The emulator's fixture: which project, gateways, groups and domains exist, and which credentials work.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SeedDomain {
  id: string;
  name: string;
}

export interface SeedGroup {
  id: string;
  name: string;
  domains: SeedDomain[];
}

export interface SeedGateway {
  /** The instance id used in `/instances/{instance_id}/...`. */
  id: string;
  name: string;
  groups: SeedGroup[];
}

export interface SeedCredentials {
  /** Permanent AK/SK for `SDK-HMAC-SHA256` signing. */
  accessKey: string;
  secretKey: string;
  /** Temporary AK/SK: requests must also carry (and sign) `X-Security-Token`. */
  temporary: { accessKey: string; secretKey: string; securityToken: string };
  /** IAM user for `POST /v3/auth/tokens` (password method). */
  iam: { username: string; password: string; domainName: string };
}

/** A certificate held in SCM only (bought there or uploaded to SCM, never to a gateway). */
export interface SeedScmCertificate {
  name: string;
  /** Main domain; `sans` are the others. */
  domain: string;
  sans?: string[];
  /** RFC 3339; past means SCM lists it as EXPIRED. */
  notAfter: string;
}

export interface Seed {
  projectId: string;
  gateways: SeedGateway[];
  credentials: SeedCredentials;
  scmCertificates?: SeedScmCertificate[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** The default fixture (`default-seed.json`), a fresh copy each call. */
export function defaultSeed(): Seed {
  return loadSeed(join(here, 'default-seed.json'));
}

export function loadSeed(file: string): Seed {
  return validateSeed(JSON.parse(readFileSync(file, 'utf8')));
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Checks the shape and the uniqueness rules the real service enforces (a domain name once per gateway). */
export function validateSeed(raw: unknown): Seed {
  const fail = (what: string): never => {
    throw new Error(`invalid seed: ${what}`);
  };
  const s = raw as Seed;
  if (!s || typeof s !== 'object') fail('not an object');
  if (!isStr(s.projectId)) fail('projectId');
  if (!Array.isArray(s.gateways) || s.gateways.length === 0) fail('gateways');
  const ids = new Set<string>();
  const unique = (id: unknown, what: string) => {
    if (!isStr(id)) fail(`${what} id`);
    if (ids.has(id as string)) fail(`duplicate id ${String(id)}`);
    ids.add(id as string);
  };
  for (const gw of s.gateways) {
    unique(gw.id, 'gateway');
    if (!isStr(gw.name)) fail(`gateway ${gw.id} name`);
    if (!Array.isArray(gw.groups)) fail(`gateway ${gw.id} groups`);
    const names = new Set<string>();
    for (const g of gw.groups) {
      unique(g.id, 'group');
      if (!isStr(g.name) || !Array.isArray(g.domains)) fail(`group ${g.id}`);
      if (g.domains.length > 5) fail(`group ${g.id} has more than 5 domains`);
      for (const d of g.domains) {
        unique(d.id, 'domain');
        if (!isStr(d.name) || d.name.startsWith('*.')) fail(`domain ${d.id} name`);
        if (names.has(d.name.toLowerCase())) fail(`domain ${d.name} twice on gateway ${gw.id}`);
        names.add(d.name.toLowerCase());
      }
    }
  }
  for (const sc of s.scmCertificates ?? []) {
    if (!isStr(sc.name) || !isStr(sc.domain) || Number.isNaN(Date.parse(sc.notAfter)))
      fail(`scm certificate ${String(sc.name)}`);
  }
  const c = s.credentials;
  if (!c || !isStr(c.accessKey) || !isStr(c.secretKey)) fail('credentials.accessKey/secretKey');
  if (!c.temporary || !isStr(c.temporary.accessKey) || !isStr(c.temporary.secretKey)) fail('temporary');
  if (!isStr(c.temporary.securityToken)) fail('temporary.securityToken');
  if (!c.iam || !isStr(c.iam.username) || !isStr(c.iam.password) || !isStr(c.iam.domainName)) fail('iam');
  return structuredClone(s);
}
