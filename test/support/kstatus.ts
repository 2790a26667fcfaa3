// What kstatus (sigs.k8s.io/cli-utils, the library Flux, kpt and Config Sync judge resources with)
// says about live objects: the real library, in the Go tool test/gotools/kstatus.
import { execFile } from 'node:child_process';
import { goTool } from './gotool.ts';

export interface KstatusVerdict {
  name: string;
  /** Current | InProgress | Failed | Terminating | … */
  status: string;
  message: string;
}

export async function kstatus(objects: object[]): Promise<KstatusVerdict[]> {
  const bin = goTool('kstatus');
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(bin, [], { maxBuffer: 16 << 20 }, (err, out, errOut) =>
      err ? reject(new Error(`kstatus failed: ${err.message}\n${errOut}`)) : resolve(out),
    );
    child.stdin?.end(JSON.stringify(objects));
  });
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as KstatusVerdict);
}
