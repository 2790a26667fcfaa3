// A loopback TCP proxy in front of the real API server that can cut or freeze connections, to show
// the watches survive what networks and API servers do. TLS passes through untouched.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { adminKubeConfig } from './kube.ts';

export interface TcpProxy {
  url: string;
  /** Destroys every open connection (new ones still work unless blocked). */
  cut(): void;
  /** While blocked, new connections are refused (closed at once). */
  block(blocked: boolean): void;
  /** Stops forwarding bytes on open connections without closing them: a silent stall. */
  freeze(): void;
  /**
   * While on, new connections are accepted and then left silent (a partition that drops packets);
   * they stay dead when it is turned off, as connections through a reset NAT do.
   */
  stall(on: boolean): void;
  close(): Promise<void>;
  connections(): number;
}

export async function startTcpProxy(target: URL): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const frozen = new Set<[Socket, Socket]>();
  let total = 0;
  let blocked = false;
  let stalled = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    if (stalled) {
      client.pause();
      const silent: [Socket, Socket] = [client, client];
      frozen.add(silent);
      client.on('error', () => frozen.delete(silent)).on('close', () => frozen.delete(silent));
      return;
    }
    total++;
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    block(b) {
      blocked = b;
    },
    stall(on) {
      stalled = on;
    },
    cut() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    freeze() {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
        frozen.add([a, b]);
      }
      pairs.clear(); // frozen sockets stay open, silent, until close()
    },
    connections: () => total,
    close: () =>
      new Promise<void>((r) => {
        for (const [a, b] of [...pairs, ...frozen]) {
          a.destroy();
          b.destroy();
        }
        server.close(() => r());
      }),
  };
}

/** The admin kubeconfig, but talking to the API server through `proxy`. */
export function kubeConfigVia(proxy: TcpProxy): KubeConfig {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  if (!cluster || !user) throw new Error('admin kubeconfig incomplete');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server: proxy.url }],
    users: [user],
    contexts: [{ name: 'p', cluster: cluster.name, user: user.name }],
    currentContext: 'p',
  });
  return kc;
}

/** A proxy in front of the test run's API server. */
export function proxyToApiServer(): Promise<TcpProxy> {
  return startTcpProxy(new URL(adminKubeConfig().getCurrentCluster()?.server ?? ''));
}
