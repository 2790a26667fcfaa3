// pino JSON logs. Redaction is a second line of defence: secret material is never passed to the
// logger in the first place, but a mistake must still not print a key or a token.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/** Fields (such as the resource key) added to every line logged inside one reconcile, by any module. */
export const logContext = new AsyncLocalStorage<Record<string, unknown>>();

export const REDACT_PATHS = [
  'privateKey',
  'private_key',
  'secretKey',
  'password',
  'token',
  'securityToken',
  '*.privateKey',
  '*.private_key',
  '*.secretKey',
  '*.password',
  '*.token',
  '*.securityToken',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'apig-cert-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // A copy: pino merges each call's fields into the mixin object, which must not leak into later lines.
      mixin: () => ({ ...logContext.getStore() }),
    },
    destination,
  );
}
