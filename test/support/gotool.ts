// Path to a Go test tool from test/gotools/<name>/ (kstatus, cert-manager, SDK conformance, …),
// built on first use and cached by test/gotools/build.sh; .ci/setup prebuilds them all.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const built = new Map<string, string>();
const script = resolve(import.meta.dirname, '../gotools/build.sh');

export function goTool(name: string): string {
  let path = built.get(name);
  if (!path) {
    path = execFileSync('bash', [script, name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    built.set(name, path);
  }
  return path;
}

/** The tool's path if it is already built for its current sources, without building it. */
export function cachedGoTool(name: string): string | undefined {
  try {
    return execFileSync('bash', [script, '--cached', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}
