// What the benchmark knows about the resources, kept by one watch (not by listing all N again and
// again, which at 10,000 cost more CPU than the operator): per resource, Ready and the served serial.
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { GatewayDomainCertificate } from '../../src/api/v1alpha1.ts';
import { gdcPath } from '../../src/kube/resources.ts';
import { isReady, type Kube, listResourcesPage } from './resources.ts';

interface Seen {
  ready: boolean;
  serial: string | undefined;
  reason: string;
}

export class ResourceWatcher {
  readonly #seen = new Map<string, Seen>();
  #ready = 0;
  #rv = '';
  #stopped = false;
  #abort: AbortController | undefined;
  #waiters = new Set<() => void>();
  readonly #kc: KubeConfig;
  readonly #k: Kube;

  constructor(kc: KubeConfig, k: Kube) {
    this.#kc = kc;
    this.#k = k;
  }

  async start(): Promise<void> {
    await this.#relist();
    void this.#loop();
  }

  get readyCount(): number {
    return this.#ready;
  }

  get(name: string): Seen | undefined {
    return this.#seen.get(name);
  }

  /** Not-Ready resources counted by their Ready reason (for failure messages). */
  notReadyReasons(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.#seen.values()) if (!s.ready) out[s.reason] = (out[s.reason] ?? 0) + 1;
    return out;
  }

  /** Resolves once `done()` holds (checked on every event); rejects after timeoutMs with `why()`. */
  until(done: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(why()));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  #record(g: GatewayDomainCertificate, deleted = false): void {
    const name = g.metadata.name!;
    const before = this.#seen.get(name);
    if (before?.ready) this.#ready--;
    if (deleted) {
      this.#seen.delete(name);
    } else {
      const ready = isReady(g);
      if (ready) this.#ready++;
      const reason = g.status?.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'no status';
      this.#seen.set(name, { ready, serial: g.status?.certificate?.serialNumber, reason });
    }
    for (const w of [...this.#waiters]) w();
  }

  async #relist(): Promise<void> {
    this.#seen.clear();
    this.#ready = 0;
    let cont: string | undefined;
    do {
      const page = await listResourcesPage(this.#k, cont);
      for (const g of page.items) this.#record(g);
      this.#rv = page.metadata?.resourceVersion ?? this.#rv;
      cont = page.metadata?.continue || undefined;
    } while (cont);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const err = await new Promise<unknown>((done) => {
        new Watch(this.#kc)
          .watch(
            gdcPath(this.#k.ns),
            { resourceVersion: this.#rv, allowWatchBookmarks: true },
            (type: string, obj: GatewayDomainCertificate) => {
              if (obj.metadata?.resourceVersion) this.#rv = obj.metadata.resourceVersion;
              if (type === 'ADDED' || type === 'MODIFIED') this.#record(obj);
              else if (type === 'DELETED') this.#record(obj, true);
              else if (type === 'ERROR') this.#rv = ''; // expired: relist below
            },
            (e: unknown) => done(e),
          )
          .then((c) => {
            this.#abort = c;
          }, done);
      });
      if (this.#stopped) return;
      if (err || !this.#rv) {
        await new Promise((r) => setTimeout(r, 500));
        await this.#relist().catch(() => {});
      }
    }
  }
}
