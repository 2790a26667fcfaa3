// Loopback ports and process liveness, for harnesses that start servers and must prove they stopped.
import { connect, createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      ok(true);
    });
    s.on('error', () => ok(false));
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
