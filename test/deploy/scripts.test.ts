// Every shell script in the repository parses and is shellcheck-clean (shellcheck from
// test/lint/install-tools.sh), and the check is shown to catch a real problem.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lintTool } from '../support/lint-tools.ts';
import { REPO } from '../support/manifests.ts';

const execFileP = promisify(execFile);
// *.sh plus the extension-less CI entry points.
const SCRIPTS = [
  ...execFileSync('git', ['ls-files', '*.sh'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean),
  '.ci/setup',
  '.ci/run',
];

const shellcheck = (file: string) =>
  execFileP(lintTool('shellcheck'), ['--severity=style', '--external-sources', file], { cwd: REPO }).then(
    () => '',
    (err: { stdout?: string }) => err.stdout || String(err),
  );

describe('shell scripts', () => {
  it('are found', () => {
    expect(SCRIPTS).toEqual(
      expect.arrayContaining(['test/e2e/kind.sh', 'test/controlplane/build-binaries.sh']),
    );
  });

  it.each(SCRIPTS)('%s parses with bash -n', async (script) => {
    await expect(execFileP('bash', ['-n', join(REPO, script)])).resolves.toBeDefined();
  });

  it.each(SCRIPTS)('%s is shellcheck-clean', async (script) => {
    expect(await shellcheck(script)).toBe('');
  });

  it('the check fails on a script with a real problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellcheck-'));
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\nrm -rf $1/*\n');
    expect(await shellcheck(bad)).toContain('SC2086');
    rmSync(dir, { recursive: true });
  });
});
