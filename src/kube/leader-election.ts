// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection: a lease is free when
// absent, released (no holder) or not renewed for its duration as measured on OUR clock since we last saw it
// change, so clock skew between replicas does not matter. resourceVersion makes each write a compare-and-swap.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Lease as GeneratedLease, V1LeaseSpec } from '@kubernetes/client-node';
import type { KubeConfig } from './client-node.ts';
import { withDeadline } from './deadline.ts';
import { errorCode, kubeRequest } from './http.ts';

export interface ElectionLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Unique per replica, e.g. the pod name. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** On stop(), clear the holder so a standby takes over at once instead of after the lease duration. */
  releaseOnCancel?: boolean;
  /** Called once leadership is gained; `signal` aborts when it is lost or stop() is called. Not awaited. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once leadership ends; awaited before the lease is released, so work can wind down first. */
  onStoppedLeading(): void | Promise<void>;
  onNewLeader?(identity: string): void;
  logger?: ElectionLogger;
  /** For leader_election_master_status. */
  metrics?: { masterStatus(leading: boolean): void };
}

// A Lease as it is on the wire (times are strings; the generated types say Date).
type V1Lease = Omit<GeneratedLease, 'spec'> & {
  spec?: Omit<V1LeaseSpec, 'acquireTime' | 'renewTime'> & { acquireTime?: string; renewTime?: string };
};

const leasePath = (namespace: string, name?: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;

// metav1.MicroTime: RFC 3339 with six fractional digits.
const microTime = (d = new Date()) => `${d.toISOString().slice(0, -1)}000Z`;

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, 'onNewLeader' | 'logger' | 'metrics'>> &
    LeaderElectionOptions;
  readonly #stop = new AbortController();
  #observed: { holder: string; durationMs: number; raw: string; at: number } | undefined;
  #leading: AbortController | undefined;
  /** The lease as our last successful write returned it (with its resourceVersion). */
  #written: V1Lease | undefined;
  #lastRenew = 0;
  #running: Promise<void> | undefined;

  constructor(opts: LeaderElectionOptions) {
    this.#o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      releaseOnCancel: true,
      ...opts,
    };
  }

  isLeader(): boolean {
    return this.#leading !== undefined && performance.now() - this.#lastRenew < this.#o.renewDeadlineMs;
  }

  /** Campaigns until leading, then renews until leadership is lost or stop() is called; resolves then. */
  run(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops campaigning or leading; with releaseOnCancel, releases a lease we hold. Resolves when done. */
  stop(): Promise<void> {
    this.#stop.abort();
    return this.#running ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.#o;
    this.#o.metrics?.masterStatus(false);
    while (!this.#stop.signal.aborted) {
      if (await withDeadline(renewDeadlineMs, this.#stop.signal, (s) => this.#tryAcquireOrRenew(s))) break;
      await this.#sleep(retryPeriodMs * (1 + 0.2 * Math.random())); // jitter: candidates do not move in lockstep
    }
    if (this.#stop.signal.aborted) return;
    this.#startLeading();
    let lost = false;
    while (!lost && !this.#stop.signal.aborted) {
      await this.#sleep(
        Math.max(0, Math.min(retryPeriodMs, this.#lastRenew + renewDeadlineMs - performance.now())),
      );
      // Each attempt may take no longer than what is left of the renew deadline.
      const started = performance.now();
      const left = this.#lastRenew + renewDeadlineMs - started;
      if (left > 0 && (await withDeadline(Math.ceil(left), undefined, (s) => this.#tryAcquireOrRenew(s)))) {
        this.#lastRenew = started;
        continue;
      }
      const holder = this.#observed?.holder ?? '';
      // Someone else holds it (client-go would keep trying until the deadline; stepping down now is safer).
      lost =
        (holder !== '' && holder !== this.#o.identity) ||
        performance.now() - this.#lastRenew >= renewDeadlineMs;
    }
    if (lost) this.#o.logger?.warn(this.#ids(), 'leader election lost');
    else this.#o.logger?.info(this.#ids(), 'stepping down as leader');
    await this.#stopLeading();
    if (!lost && this.#o.releaseOnCancel) await this.#release();
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { name, namespace, identity } = this.#o;
    // Leading: renew over the lease as we last wrote it, one PUT instead of GET + PUT (client-go's fast
    // path). Its resourceVersion makes the write fail if anyone wrote since; then read and decide.
    const written = this.#written;
    this.#written = undefined;
    if (this.#leading && written?.spec?.holderIdentity === identity) {
      try {
        this.#wrote(await this.#put(name, namespace, this.#record(written), signal));
        return true;
      } catch (err) {
        if (signal.aborted) return this.#failed('update', err);
      }
    }
    let current: V1Lease;
    try {
      current = await kubeRequest<V1Lease>(this.#o.kubeConfig, leasePath(namespace, name), { signal });
    } catch (err) {
      if (errorCode(err) !== 404) return this.#failed('read', err);
      try {
        const body = { metadata: { name, namespace }, spec: this.#record(undefined).spec };
        this.#wrote(
          await kubeRequest<V1Lease>(this.#o.kubeConfig, leasePath(namespace), {
            method: 'POST',
            body,
            signal,
          }),
        );
        return true;
      } catch (err) {
        return this.#failed('create', err); // 409: another candidate created it first
      }
    }
    this.#observe(current);
    const holder = current.spec?.holderIdentity ?? '';
    const obs = this.#observed!;
    if (holder !== '' && holder !== identity && performance.now() < obs.at + obs.durationMs) return false;
    try {
      this.#wrote(await this.#put(name, namespace, this.#record(current), signal));
      return true;
    } catch (err) {
      return this.#failed('update', err); // 409: someone else wrote it since our read; try again later
    }
  }

  // The lease as we want it: held by us, renewed now; acquireTime and transitions move only when the holder changes.
  #record(current: V1Lease | undefined): V1Lease {
    const now = microTime();
    const spec = current?.spec ?? {};
    const ours = spec.holderIdentity === this.#o.identity;
    const transitions = spec.leaseTransitions ?? 0;
    return {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: ours && spec.acquireTime ? microTime(new Date(spec.acquireTime)) : now,
        renewTime: now,
        leaseTransitions: current === undefined ? 0 : ours ? transitions : transitions + 1,
      },
    };
  }

  #wrote(lease: V1Lease): void {
    this.#written = lease;
    this.#observe(lease);
  }

  #observe(lease: V1Lease): void {
    const raw = JSON.stringify(lease.spec ?? {});
    if (raw === this.#observed?.raw) return;
    const holder = lease.spec?.holderIdentity ?? '';
    const previous = this.#observed?.holder;
    this.#observed = {
      holder,
      raw,
      durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000,
      at: performance.now(),
    };
    if (holder !== '' && holder !== previous) {
      this.#o.logger?.info({ ...this.#ids(), leader: holder }, 'new leader observed');
      this.#o.onNewLeader?.(holder);
    }
  }

  #startLeading(): void {
    const leading = new AbortController();
    this.#leading = leading;
    this.#lastRenew = performance.now();
    this.#o.metrics?.masterStatus(true);
    this.#o.logger?.info(this.#ids(), 'became leader');
    Promise.resolve()
      .then(() => this.#o.onStartedLeading(leading.signal))
      .catch((err) => this.#o.logger?.warn({ ...this.#ids(), err: String(err) }, 'onStartedLeading failed'));
  }

  async #stopLeading(): Promise<void> {
    this.#leading?.abort();
    this.#leading = undefined;
    this.#o.metrics?.masterStatus(false);
    try {
      await this.#o.onStoppedLeading();
    } catch (err) {
      this.#o.logger?.warn({ ...this.#ids(), err: String(err) }, 'onStoppedLeading failed');
    }
  }

  // Clears the holder and shortens the lease to 1 s, so standbys take over on their next retry.
  async #release(): Promise<void> {
    const { name, namespace, identity } = this.#o;
    try {
      const signal = AbortSignal.timeout(this.#o.renewDeadlineMs);
      const current = await kubeRequest<V1Lease>(this.#o.kubeConfig, leasePath(namespace, name), { signal });
      if (current.spec?.holderIdentity !== identity) return;
      const now = microTime();
      const spec = {
        ...current.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      };
      await this.#put(name, namespace, { ...current, spec }, signal);
      this.#o.logger?.info(this.#ids(), 'released leader lease');
    } catch (err) {
      this.#failed('release', err);
    }
  }

  #failed(op: string, err: unknown): false {
    const code = errorCode(err);
    this.#o.logger?.warn(
      { ...this.#ids(), op, code, err: code ? undefined : String(err) },
      'leader lease request failed',
    );
    return false;
  }

  #put(name: string, namespace: string, body: V1Lease, signal: AbortSignal): Promise<V1Lease> {
    return kubeRequest<V1Lease>(this.#o.kubeConfig, leasePath(namespace, name), {
      method: 'PUT',
      body,
      signal,
    });
  }

  #ids(): { lease: string; identity: string } {
    return { lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity };
  }

  async #sleep(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal, ref: false }).catch(() => {});
  }
}
