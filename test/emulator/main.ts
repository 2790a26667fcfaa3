// `npm run emulator -- --port 0 [--seed file] [fault flags]`: prints one JSON line
// `{"url": ..., "seed": {...}}` on stdout, then logs every call to stderr until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Faults } from './faults.ts';
import { loadSeed } from './seed.ts';
import { startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'token-ttl': { type: 'string' },
    latency: { type: 'string' },
    'error-rate': { type: 'string' },
    'too-many-rate': { type: 'string' },
    'throttle-rate': { type: 'string' },
    'hang-rate': { type: 'string' },
    'drop-rate': { type: 'string' },
    'throttle-per-second': { type: 'string' },
    'retry-after': { type: 'string' },
    'fault-seed': { type: 'string' },
    'fail-next': { type: 'string' },
    'fault-operations': { type: 'string' },
    'lost-reply-rate': { type: 'string' },
    'lost-reply-kinds': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});

const num = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${flag} wants a number, got ${v}`);
  return n;
};

const faults: Partial<Faults> = {};
const setNum = (key: keyof Faults, flag: string) => {
  const n = num(flag, values[flag as keyof typeof values] as string | undefined);
  if (n !== undefined) (faults as Record<string, unknown>)[key] = n;
};
setNum('latencyMs', 'latency');
setNum('errorRate', 'error-rate');
setNum('tooManyRate', 'too-many-rate');
setNum('throttleRate', 'throttle-rate');
setNum('hangRate', 'hang-rate');
setNum('dropRate', 'drop-rate');
setNum('throttlePerSecond', 'throttle-per-second');
setNum('retryAfterSeconds', 'retry-after');
setNum('seed', 'fault-seed');
setNum('lostReplyRate', 'lost-reply-rate');
if (values['lost-reply-kinds'])
  faults.lostReplyKinds = values['lost-reply-kinds'].split(',') as Faults['lostReplyKinds'];
if (values['fail-next']) faults.failNext = JSON.parse(values['fail-next']) as Faults['failNext'];
if (values['fault-operations']) faults.operations = values['fault-operations'].split(',');

const tls =
  values['tls-cert'] && values['tls-key']
    ? { certPem: readFileSync(values['tls-cert'], 'utf8'), keyPem: readFileSync(values['tls-key'], 'utf8') }
    : undefined;
const ttl = num('token-ttl', values['token-ttl']);

const emulator = await startEmulator({
  port: num('port', values.port) ?? 0,
  host: values.host,
  ...(values.seed ? { seed: loadSeed(values.seed) } : {}),
  faults,
  ...(tls ? { tls } : {}),
  ...(ttl !== undefined ? { tokenTtlSeconds: ttl } : {}),
  onCall: (c) => {
    if (values.quiet) return;
    const outcome =
      c.status === null ? `(${c.fault})` : `${c.status}${c.error_code ? ` ${c.error_code}` : ''}`;
    const why = c.auth_failure ? ` auth_failure="${c.auth_failure}"` : '';
    process.stderr.write(
      `${c.at} ${c.method} ${c.path} ${c.operation} -> ${outcome} auth=${c.auth}${why} ${c.duration_ms.toFixed(1)}ms\n`,
    );
  },
});

process.stdout.write(`${JSON.stringify({ url: emulator.url, seed: emulator.seed })}\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`emulator: ${signal}, stopping\n`);
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
