// The operator compiled as the image runs it (tsc → dist/src/main.js), so figures do not include
// Node's TypeScript stripping (~17 MiB RSS) that `node src/main.ts` pays.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Compiles src/ into a fresh folder under .cache/ (inside the repo, so node_modules resolves). */
export function buildOperator(): { main: string; remove(): void } {
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.cache', 'operator-build-'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  return { main: join(out, 'src', 'main.js'), remove: () => rmSync(out, { recursive: true, force: true }) };
}
