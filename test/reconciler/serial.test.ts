// Serial comparison: the gateway's serial_number is decimal on the pages; a hex spelling of the same
// serial must match too, so a format change on the gateway side can never cause an upload loop.
import { describe, expect, it } from 'vitest';
import { sameSerial } from '../../src/reconciler/sync-context.ts';

const DEC = '219450666855693268010130472645821723203';
const HEX = BigInt(DEC).toString(16); // a518b9e1ad34c2e08a1f2ea4e7cf5343

describe('sameSerial', () => {
  it('matches decimal, hex (any case, 0x, colons, leading zeros)', () => {
    for (const s of [
      DEC,
      ` 0${DEC} `,
      HEX,
      HEX.toUpperCase(),
      `0x${HEX}`,
      `00${HEX}`,
      HEX.match(/../g)!.join(':'),
    ]) {
      expect(sameSerial(s, DEC), s).toBe(true);
    }
  });
  it('does not match another serial, in either spelling, or nothing', () => {
    const other = (BigInt(DEC) + 1n).toString();
    for (const s of [other, BigInt(other).toString(16), '', undefined, 'not-a-serial']) {
      expect(sameSerial(s, DEC), String(s)).toBe(false);
    }
  });
});
