// Shell scripts shipped with the install pass shellcheck (when it is installed: apt-get install shellcheck).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/manifests.ts';

const execFileP = promisify(execFile);
const SCRIPTS = ['test/e2e/kind.sh'];

function hasShellcheck(): boolean {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('shell scripts', () => {
  it.each(SCRIPTS)('%s parses with bash -n', async (script) => {
    await expect(execFileP('bash', ['-n', join(REPO, script)])).resolves.toBeDefined();
  });

  it.skipIf(!hasShellcheck()).each(SCRIPTS)('%s is shellcheck-clean', async (script) => {
    const result = await execFileP('shellcheck', ['--severity=style', join(REPO, script)]).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('');
  });

  it.skipIf(!hasShellcheck())('the check fails on a script with a real problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellcheck-'));
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\nrm -rf $1/*\n');
    await expect(execFileP('shellcheck', [bad])).rejects.toMatchObject({
      stdout: expect.stringContaining('SC2086'),
    });
    rmSync(dir, { recursive: true });
  });
});
