// The inventory takes credentials in the credentials Secret's forms from a file, a mounted Secret
// directory or the environment, and names what is missing without echoing any value.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventoryCredentials } from '../../src/inventory/credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'inv-creds-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('inventory credentials', () => {
  it('reads a mounted Secret directory, a Secret JSON, a key JSON, KEY=value lines and the environment', async () => {
    const mounted = join(dir, 'mounted');
    mkdirSync(mounted);
    writeFileSync(join(mounted, 'accessKey'), 'AK1\n');
    writeFileSync(join(mounted, 'secretKey'), 'SK1\n');
    writeFileSync(join(mounted, 'securityToken'), 'TOKEN1\n');
    expect(await loadInventoryCredentials({ file: mounted, env: {} })).toEqual({
      kind: 'aksk',
      accessKey: 'AK1',
      secretKey: 'SK1',
      securityToken: 'TOKEN1',
    });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = {
      kind: 'Secret',
      data: { username: b64('u'), password: b64('p'), domainName: b64('acct') },
    };
    expect(
      await loadInventoryCredentials({ file: file('secret.json', JSON.stringify(secret)), env: {} }),
    ).toEqual({
      kind: 'password',
      username: 'u',
      password: 'p',
      domainName: 'acct',
    });
    expect(
      await loadInventoryCredentials({
        file: file('keys.json', '{"accessKey":"AK2","secretKey":"SK2"}'),
        env: {},
      }),
    ).toEqual({ kind: 'aksk', accessKey: 'AK2', secretKey: 'SK2' });
    const env = file('creds.env', '# exported\nHUAWEICLOUD_SDK_AK=AK3\nHUAWEICLOUD_SDK_SK="SK3"\n');
    expect(await loadInventoryCredentials({ file: env, env: {} })).toEqual({
      kind: 'aksk',
      accessKey: 'AK3',
      secretKey: 'SK3',
    });
    expect(
      await loadInventoryCredentials({ env: { HUAWEICLOUD_SDK_AK: 'AK4', HUAWEICLOUD_SDK_SK: 'SK4' } }),
    ).toEqual({ kind: 'aksk', accessKey: 'AK4', secretKey: 'SK4' });
  });

  it('says which keys are needed and which were present, never their values', async () => {
    const err = await loadInventoryCredentials({
      file: file('half.env', 'accessKey=AK5\npassword=hunter2\n'),
      env: {},
    }).catch((e: Error) => e);
    expect(String(err)).toContain('needs accessKey and secretKey');
    expect(String(err)).toContain('keys present: accessKey, password');
    expect(String(err)).not.toContain('hunter2');
    await expect(loadInventoryCredentials({ secret: 'just-a-name', env: {} })).rejects.toThrow(
      'NAMESPACE/NAME',
    );
  });
});
