// Kubernetes Events (events.k8s.io/v1) about a resource, aggregated like client-go: the same
// (object, reason, note) within 10 minutes bumps the series count of the existing Event instead of
// creating a new one. Recording is fire-and-forget: it never throws and never blocks a reconcile.
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { kubeRequest } from './http.ts';

export interface Regarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
}

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  reportingInstance: string;
  logger: Logger;
  reportingController?: string;
  /** Events with the same key within this window are aggregated. */
  windowMs?: number;
  maxCached?: number;
}

const MAX_NOTE = 1024;
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class EventRecorder {
  private readonly opts: Required<EventRecorderOptions>;
  private readonly seen = new Map<string, { name: string; count: number; at: number }>();

  constructor(opts: EventRecorderOptions) {
    this.opts = {
      reportingController: 'apig-cert-sync.io/controller',
      windowMs: 600_000,
      maxCached: 4096,
      ...opts,
    };
  }

  event(obj: Regarding, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    void this.record(obj, type, reason, action, note.slice(0, MAX_NOTE)).catch((err) =>
      this.opts.logger.warn({ err: String(err), reason }, 'could not record event'),
    );
  }

  private async record(
    obj: Regarding,
    type: string,
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    const key = `${obj.uid}\0${reason}\0${note}`;
    const now = new Date();
    const prev = this.seen.get(key);
    const base = `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(obj.namespace)}/events`;
    const signal = AbortSignal.timeout(10_000);
    if (prev && now.getTime() - prev.at < this.opts.windowMs) {
      prev.count++;
      prev.at = now.getTime();
      await kubeRequest(this.opts.kubeConfig, `${base}/${prev.name}`, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { series: { count: prev.count, lastObservedTime: microTime(now) } },
        signal,
      });
      return;
    }
    const name = `${obj.name}.${randomBytes(8).toString('hex')}`;
    await kubeRequest(this.opts.kubeConfig, base, {
      method: 'POST',
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: obj.namespace },
        eventTime: microTime(now),
        reportingController: this.opts.reportingController,
        reportingInstance: this.opts.reportingInstance,
        action,
        reason,
        note,
        type,
        regarding: { ...obj },
      },
      signal,
    });
    this.seen.delete(key);
    this.seen.set(key, { name, count: 1, at: now.getTime() });
    if (this.seen.size > this.opts.maxCached) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
