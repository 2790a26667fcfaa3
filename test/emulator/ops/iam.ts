// IAM `POST /v3/auth/tokens` (password method, project scope). IAM errors use IAM's own
// `{"error": {code, message, title}}` envelope, not the gateway's.
import { microTime } from '../store.ts';
import type { Ctx, Reply } from './context.ts';

const iamError = (status: number, title: string, message: string): Reply => ({
  status,
  body: { error: { code: status, message, title } },
});

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

export function createToken(ctx: Ctx): Reply {
  let body: Obj;
  try {
    body = obj(JSON.parse(ctx.raw.toString('utf8')));
  } catch {
    return iamError(400, 'Bad Request', 'The request body is not JSON.');
  }
  const identity = obj(obj(body.auth).identity);
  const methods = identity.methods;
  const user = obj(obj(identity.password).user);
  const projectId = obj(obj(obj(body.auth).scope).project).id;
  if (!Array.isArray(methods) || !methods.includes('password') || typeof user.name !== 'string') {
    return iamError(400, 'Bad Request', 'Only the password method is supported here.');
  }
  const iam = ctx.seed.credentials.iam;
  if (
    user.name !== iam.username ||
    user.password !== iam.password ||
    obj(user.domain).name !== iam.domainName
  ) {
    return iamError(401, 'Unauthorized', 'The username or password is wrong.');
  }
  if (projectId !== ctx.seed.projectId) {
    return iamError(400, 'Bad Request', 'The project scope is missing or unknown.');
  }
  const t = ctx.tokens.issue(ctx.seed.projectId, iam.username);
  const domain = { id: ctx.seed.projectId.split('').reverse().join(''), name: iam.domainName };
  return {
    status: 201,
    headers: { 'x-subject-token': t.token },
    body: {
      token: {
        expires_at: microTime(new Date(t.expiresAt)),
        issued_at: microTime(new Date(t.issuedAt)),
        methods: ['password'],
        project: { id: ctx.seed.projectId, name: 'emulator-region-1', domain },
        user: { id: `user${ctx.seed.projectId.slice(4)}`, name: iam.username, domain },
        roles: [{ id: '0', name: 'te_admin' }],
        catalog: [],
      },
    },
  };
}
