// Runs the sdk-conformance Go tool (test/gotools/sdk-conformance: Huawei Cloud's official Go SDK) and
// the shapes it speaks, for the conformance tests.
import { spawn } from 'node:child_process';
import { goTool } from '../support/gotool.ts';

export interface Schema {
  model?: string;
  fields?: Record<string, { required: boolean; schema: SchemaNode }>;
  items?: SchemaNode;
}
export type SchemaNode = Schema | 'string' | 'number' | 'boolean';

export interface OperationSpec {
  family: 'apigw' | 'apic' | 'scm';
  operation: string;
  sdk_name: string;
  method: string;
  path: string;
  query: { name: string; required: boolean }[];
  body: Schema | null;
  credential_headers: string[];
}

export interface DriveReport {
  results: { family: string; operation: string; status: number; problems: string[] }[];
  failed: number;
}

/**
 * Runs one command of the tool with `input` as JSON on stdin; resolves to stdout. Asynchronous on
 * purpose: the emulator it talks to lives in this process. `drive` exits 1 with its report on stdout.
 */
export function sdkTool(command: 'drive' | 'spec' | 'sign', input?: unknown): Promise<string> {
  const bin = goTool('sdk-conformance');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    // A command that reads no input (spec) may exit before the write lands: EPIPE is not a failure,
    // the exit code in 'close' is the verdict (unhandled, it failed a whole CI run).
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      if (code === 0 || (code === 1 && command === 'drive' && out)) resolve(out);
      else reject(new Error(`sdk-conformance ${command} exited ${code}: ${err.slice(0, 2000)}`));
    });
    child.stdin.end(input === undefined ? '' : JSON.stringify(input));
  });
}

export async function sdkSpecs(): Promise<OperationSpec[]> {
  return JSON.parse(await sdkTool('spec')) as OperationSpec[];
}

/**
 * Differences between a request body's shape (the emulator's call log: every value replaced by its
 * JSON type) and the SDK's request model: unknown fields, missing required ones, wrong kinds.
 */
export function bodyProblems(where: string, shape: unknown, schema: SchemaNode): string[] {
  if (typeof schema === 'string') {
    return shape === schema ? [] : [`${where}: ${JSON.stringify(shape)} where the SDK has a ${schema}`];
  }
  if (schema.items !== undefined) {
    if (!Array.isArray(shape)) return [`${where}: not an array`];
    return shape.flatMap((s, i) => bodyProblems(`${where}[${i}]`, s, schema.items!));
  }
  if (!shape || typeof shape !== 'object' || Array.isArray(shape)) return [`${where}: not an object`];
  const obj = shape as Record<string, unknown>;
  const fields = schema.fields ?? {};
  const out: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    if (!(name in obj)) {
      if (f.required) out.push(`${where}: required field ${name} of ${schema.model} not sent`);
    } else out.push(...bodyProblems(`${where}.${name}`, obj[name], f.schema));
  }
  for (const k of Object.keys(obj)) {
    if (!(k in fields)) out.push(`${where}: field ${k} is not in the SDK model ${schema.model}`);
  }
  return out;
}

/** Does a concrete path fit an SDK path template (`{x}` is one segment)? */
export function pathFits(template: string, path: string): boolean {
  const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return re.test(path);
}
