// Paths to the linters the tests run (hadolint, shellcheck), installed on first use and cached by
// test/lint/install-tools.sh; .ci/setup installs them up front.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

let dir: string | undefined;

export function lintTool(name: 'hadolint' | 'shellcheck'): string {
  dir ??= execFileSync('bash', [resolve(import.meta.dirname, '../lint/install-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return join(dir, name);
}
