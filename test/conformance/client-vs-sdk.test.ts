// What the operator's client sends, compared field by field with the official Go SDK's request models
// (method, path, query names, body fields and kinds, credential headers), through the emulator's call log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { createCA } from '../support/pki.ts';
import { client, exercise, key, requestProblems } from './client-requests.ts';
import { type OperationSpec, sdkSpecs } from './sdk.ts';

let emu: Emulator;
let specs: OperationSpec[];
const ca = createCA({ commonName: 'conformance CA', keyType: 'rsa' });

beforeAll(async () => {
  emu = await startEmulator();
  specs = await sdkSpecs();
}, 600_000); // the first run on a machine builds the Go tool
afterAll(() => emu?.close());

describe("the operator's client sends what the SDK's request models define", () => {
  it.each(['apigw', 'apic'] as const)(
    '%s: path, method, query names, body fields, credential headers',
    async (family) => {
      emu.resetCalls();
      const c = client(emu, family, 'aksk');
      try {
        await exercise(emu, ca, family, c);
      } finally {
        await c.close();
      }
      const token = client(emu, family, 'password');
      try {
        await token.listScmCertificates({ limit: 10 }); // SCM wants X-Project-Id with a token too
      } finally {
        await token.close();
      }
      const byOp = new Map(specs.map((s) => [key(s.family, s.operation), s]));
      const calls = emu.calls().calls.filter((x) => x.operation !== 'CreateToken');
      expect(calls.every((x) => x.status !== null && x.status < 400)).toBe(true);
      expect(calls.flatMap((x) => requestProblems(emu, x, byOp))).toEqual([]);
      const seen = new Set(
        calls.map((x) => key(x.operation === 'ListScmCertificates' ? 'scm' : family, x.operation)),
      );
      const missed = specs.filter(
        (s) => (s.family === family || s.family === 'scm') && !seen.has(key(s.family, s.operation)),
      );
      expect(missed.map((s) => s.operation)).toEqual([]);
    },
  );
});
