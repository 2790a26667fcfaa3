// The decisions, level-triggered: read the resource and its Secrets, check the certificate before
// the gateway sees it, do nothing when the domain already serves it, otherwise push, read back,
// and record the binding. Every outcome ends as a Ready condition (with kstatus's Reconciling or
// Stalled beside it, see conditions.ts), an Event and a retry decision.
import { createHash } from 'node:crypto';
import type { GatewayDomainCertificate, GatewayDomainCertificateStatus } from '../api/v1alpha1.ts';
import { ConditionType, FINALIZER, Reason } from '../api/v1alpha1.ts';
import { prepareBundle } from '../certs/index.ts';
import { type Health, healthConditions, readyCondition, rfc3339 } from './conditions.ts';
import { DomainDirectory } from './domain-directory.ts';
import { checkDomainModeSupport, domainMode, domainStatus, resolveDomain } from './domain-mode.ts';
import { jitter, parseDuration } from './durations.ts';
import { SyncFailure, toSyncFailure } from './failures.ts';
import { finalize } from './finalizer.ts';
import { loadCredentials, loadTlsInput } from './inputs.ts';
import { certificateReady, pendingIssuance } from './issuance.ts';
import { certificateNameOf } from './naming.ts';
import { backoffDelayMs, type ReconcileResult, type ReconcilerDeps } from './ports.ts';
import { sharedMode } from './shared-mode.ts';
import { certificateStatus, statusPatch } from './status.ts';
import type { Observation, SyncContext, SyncMode } from './sync-context.ts';

export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private readonly directory = new DomainDirectory();
  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile(gdc: GatewayDomainCertificate): Promise<ReconcileResult> {
    if (gdc.metadata.deletionTimestamp) return finalize(this.deps, gdc, this.now());
    const wantFinalizer = gdc.spec.deletionPolicy === 'Detach';
    if (wantFinalizer !== (gdc.metadata.finalizers ?? []).includes(FINALIZER)) {
      await this.deps.status.setFinalizer(gdc, wantFinalizer);
    }
    if (gdc.spec.suspend) {
      // Flux's convention: suspension freezes what was observed (Ready keeps its status, a stall stays),
      // acknowledged by observedGeneration and the reason; nothing is under way any more.
      const prev = readyCondition(gdc.status);
      const was = prev && prev.reason !== Reason.Suspended ? ` (last: ${prev.reason}: ${prev.message})` : '';
      const message = prev?.reason === Reason.Suspended ? prev.message : `spec.suspend is true${was}`;
      await this.writeStatus(gdc, this.base(gdc), prev?.status ?? 'Unknown', Reason.Suspended, message, {
        kind: 'frozen',
      });
      return { result: 'success' };
    }
    const current = await this.announce(gdc);
    const interval = parseDuration(gdc.spec.verifyInterval ?? '1h');
    const holder = this.deps.domainHolder?.(current);
    if (holder) {
      const msg = `a domain this resource names is already managed by ${holder}; the oldest resource wins, this one waits until it lets go`;
      return this.fail(current, new SyncFailure(Reason.DomainConflict, msg, 'terminal'), interval);
    }
    try {
      return await this.sync(current, interval);
    } catch (err) {
      return this.fail(current, toSyncFailure(err, current), interval);
    }
  }

  private async sync(gdc: GatewayDomainCertificate, interval: number): Promise<ReconcileResult> {
    const { secrets, gateways } = this.deps;
    const { namespace } = gdc.metadata;
    const shared = gdc.spec.mode === 'Shared';
    const sameGeneration = gdc.status?.observedGeneration === gdc.metadata.generation;
    // Ids remembered in status are trusted only from a successful sync of this generation.
    const trustStatus = sameGeneration && readyCondition(gdc.status)?.status === 'True';
    const known = gdc.status?.certificate;
    const dueIn = (Date.parse(gdc.status?.lastVerifiedTime ?? '') || 0) + interval - this.now().getTime();
    // Unchanged since the last confirmed sync and not due for a verify: decided from the watch's
    // digest alone — no Secret read, no gateway call (a restart over N unchanged resources costs 0).
    const cached = secrets.cachedDigest?.(namespace, gdc.spec.secretName);
    // A Certificate that is not Ready may hold the Secret back: that needs the Secret's annotation.
    const certificate = this.deps.certificates?.(namespace, gdc.spec.secretName);
    const unsettled = certificate !== undefined && !certificateReady(certificate);
    if (
      trustStatus &&
      known?.id &&
      cached &&
      cached === gdc.status?.secretDigest &&
      dueIn > 0 &&
      !unsettled
    ) {
      return { result: 'requeue_after', requeueAfterMs: dueIn };
    }
    // Both Secrets are read at once (one API round trip on a renewal's critical path, not two); the
    // TLS Secret's verdict still comes first, so its failure is the one reported.
    const credentialsRead = loadCredentials(secrets, gdc);
    credentialsRead.catch(() => {}); // awaited below unless the TLS Secret fails first
    const tls = await loadTlsInput(secrets, gdc);
    const pending = pendingIssuance(gdc, tls, certificate);
    if (pending) throw pending;
    if (!shared) checkDomainModeSupport(gdc.spec.gateway.service, tls.trustedCaPem);
    const credentials = await credentialsRead;
    let client: ReturnType<typeof gateways.client>;
    try {
      client = gateways.client(gdc.spec.gateway, credentials);
    } catch (err) {
      // e.g. a plain http:// endpoint the operator is not allowed to use: fix the spec.
      throw new SyncFailure(Reason.InvalidSpec, `spec.gateway: ${(err as Error).message}`, 'terminal');
    }
    const certificateName = certificateNameOf(gdc);
    const partial = {
      gdc,
      client,
      trustedCaPem: tls.trustedCaPem,
      certificateName,
      directory: this.directory,
    };
    // Names are known up front except for a bare domainId, which only the gateway can name.
    let target = shared || gdc.spec.gateway.domain ? undefined : await resolveDomain(partial, trustStatus);
    const names = shared
      ? (gdc.spec.domains ?? []).map((d) => d.name)
      : [gdc.spec.gateway.domain ?? target?.name ?? ''];
    const prepared = prepareBundle({
      certPem: tls.certPem,
      keyPem: tls.keyPem,
      domains: names,
      now: this.now(),
    });
    if (!prepared.ok) {
      // Name the object to fix: the Secret the certificate came from.
      const where = `Secret ${gdc.metadata.namespace}/${gdc.spec.secretName}`;
      throw new SyncFailure(prepared.reason, `${where}: ${prepared.message}`, 'terminal');
    }
    const leaf = prepared.bundle.leaf;
    const ctx: SyncContext = {
      ...partial,
      bundle: prepared.bundle,
      trusted: trustStatus,
      pending: gdc.status?.pendingWrite,
      intend: () =>
        this.deps.status.patchStatus(gdc, {
          pendingWrite: {
            name: certificateName,
            serialNumber: leaf.serialNumber,
            since: rfc3339(this.now()),
          },
        }),
    };
    target ??= shared ? undefined : await resolveDomain(ctx, trustStatus);
    const mode: SyncMode = target ? domainMode(ctx, target) : sharedMode(ctx);
    const contentHash = createHash('sha256')
      .update([prepared.bundle.certChainPem, tls.trustedCaPem ?? '', certificateName].join('\0'))
      .digest('hex');
    const outcome = { contentHash, secretDigest: tls.digest, interval };

    // The content the status says is bound. Untrusted (the last outcome was not Synced, e.g. waiting on
    // cert-manager or a failure since): one read finds out whether the domain still serves it, instead
    // of uploading the same certificate again.
    const sameContent = known?.id !== undefined && known.contentHash === contentHash;
    let drift: string | undefined;
    if (sameContent && known?.id) {
      if (trustStatus && dueIn > 0) return this.succeed(gdc, ctx, undefined, outcome);
      const seen = await mode.observe(known.id);
      if (seen.serving) return this.succeed(gdc, ctx, seen, outcome);
      if (trustStatus) drift = seen.detail;
      ctx.trusted = false;
    }
    const pushed = await mode.push(known);
    const seen = pushed.seen ?? (await mode.observe(pushed.certificateId));
    if (!seen.serving) {
      throw new SyncFailure(Reason.VerificationFailed, `after ${pushed.action}: ${seen.detail}`, 'backoff');
    }
    const verb = drift ? 'repaired drift' : pushed.action.toLowerCase();
    const where = seen.domains.map((d) => d.name).join(', ');
    const note = `${verb}: ${where} serves ${certificateName} serial ${leaf.serialNumber}, valid until ${rfc3339(leaf.notAfter)}${drift ? ` (${drift})` : ''}`;
    const result = await this.succeed(gdc, ctx, seen, { ...outcome, note }, target && [domainStatus(target)]);
    // After Ready: the Event's POST would otherwise race the status write on the critical path.
    this.deps.events.event(gdc, 'Normal', drift ? 'DriftRepaired' : 'Synced', pushed.action, note);
    // Ready is written; the certificates this push replaced go now, off the critical path. One left
    // behind (a crash right here) is what the sweep removes later.
    if (pushed.replaced?.length) await this.cleanup(gdc, mode, pushed.replaced);
    return result;
  }

  private async cleanup(gdc: GatewayDomainCertificate, mode: SyncMode, ids: string[]): Promise<void> {
    try {
      const deleted = await mode.cleanup(ids);
      if (deleted.length > 0) {
        this.deps.events.event(
          gdc,
          'Normal',
          'Cleaned',
          'Delete',
          `deleted replaced certificate${deleted.length > 1 ? 's' : ''} ${deleted.join(', ')}`,
        );
        this.deps.observer?.cleaned?.(gdc, deleted.length);
      }
    } catch (err) {
      // The new binding is confirmed; a leftover old certificate is untidy, not broken (the sweep retries).
      this.deps.logger.warn({ err: String(err), replaced: ids }, 'could not delete a replaced certificate');
    }
  }

  /**
   * A new or changed generation gets a first status before any gateway work, so GitOps tools see
   * "in progress" (kstatus reads no status at all as Current). Ready drops to Unknown: the binding
   * recorded so far belongs to the previous generation.
   */
  private async announce(gdc: GatewayDomainCertificate): Promise<GatewayDomainCertificate> {
    const generation = gdc.metadata.generation;
    if (generation === undefined || gdc.status?.observedGeneration === generation) return gdc;
    const message = `working on generation ${generation}: reading its Secrets, then the gateway`;
    const status = this.base(gdc);
    await this.writeStatus(gdc, status, 'Unknown', Reason.Progressing, message, {
      kind: 'reconciling',
      reason: Reason.Progressing,
      message,
    });
    return { ...gdc, status };
  }

  private base(gdc: GatewayDomainCertificate): GatewayDomainCertificateStatus {
    const { failures: _f, nextRetryTime: _n, ...rest } = gdc.status ?? {};
    return {
      ...rest,
      ...(gdc.metadata.generation !== undefined ? { observedGeneration: gdc.metadata.generation } : {}),
    };
  }

  /** `seen` undefined: nothing was read (not due for a verify); the status keeps what it says. */
  private async succeed(
    gdc: GatewayDomainCertificate,
    ctx: SyncContext,
    seen: Observation | undefined,
    out: { contentHash: string; secretDigest: string | undefined; interval: number; note?: string },
    domains = seen?.domains ?? gdc.status?.domains ?? [],
  ): Promise<ReconcileResult> {
    const now = rfc3339(this.now());
    const { pendingWrite: _p, ...base } = this.base(gdc);
    const status: GatewayDomainCertificateStatus = {
      ...base,
      certificate: certificateStatus(
        ctx.bundle,
        seen?.certificateId ?? gdc.status?.certificate?.id ?? '',
        ctx.certificateName,
        seen?.certificate,
        out.contentHash,
      ),
      domains,
      ...(out.secretDigest ? { secretDigest: out.secretDigest } : {}),
      lastVerifiedTime: seen ? now : (gdc.status?.lastVerifiedTime ?? now),
      lastSyncTime: out.note ? now : (gdc.status?.lastSyncTime ?? now),
    };
    if (!seen && gdc.status?.certificate?.serialNumber && status.certificate)
      status.certificate.serialNumber = gdc.status.certificate.serialNumber;
    const message =
      out.note ??
      readyCondition(gdc.status)?.message ??
      `${domains.map((d) => d.name).join(', ')} serves ${ctx.certificateName}`;
    await this.writeStatus(gdc, status, 'True', Reason.Synced, message, { kind: 'ready' });
    this.deps.observer?.synced?.(gdc, status);
    const dueIn = seen
      ? out.interval
      : (Date.parse(status.lastVerifiedTime ?? '') || 0) + out.interval - this.now().getTime();
    return { result: 'requeue_after', requeueAfterMs: seen ? jitter(out.interval) : Math.max(1000, dueIn) };
  }

  private async fail(
    gdc: GatewayDomainCertificate,
    f: SyncFailure,
    interval: number,
  ): Promise<ReconcileResult> {
    // Waiting on cert-manager is progress, not a failure: no backoff count, a Normal Event.
    const waiting = f.reason === Reason.IssuancePending;
    // The same terminal outcome again (a restart, an unrelated wake-up): not counted, so no status write
    // (the repeated Event joins its series).
    const prev = readyCondition(gdc.status);
    const again =
      f.disposition === 'terminal' &&
      prev?.status === 'False' &&
      prev.reason === f.reason &&
      prev.message === f.message;
    const failures = waiting ? 0 : (gdc.status?.failures ?? 0) + (again ? 0 : 1);
    const delay =
      f.disposition === 'backoff'
        ? Math.max(jitter(backoffDelayMs(this.deps, failures), 0.2), f.retryAfterMs ?? 0)
        : f.disposition === 'recheck'
          ? jitter(interval)
          : undefined;
    const status: GatewayDomainCertificateStatus = { ...this.base(gdc) };
    if (failures > 0) status.failures = failures;
    if (delay !== undefined) status.nextRetryTime = rfc3339(new Date(this.now().getTime() + delay));
    this.deps.logger[waiting ? 'info' : 'warn'](
      { reason: f.reason, disposition: f.disposition, retryInMs: delay },
      f.message,
    );
    if (waiting) this.deps.events.event(gdc, 'Normal', f.reason, 'Sync', f.message);
    else this.deps.events.event(gdc, 'Warning', 'SyncFailed', 'Sync', `${f.reason}: ${f.message}`);
    // Retried on its own, or waiting for an issuance under way → Reconciling; waits for a change in
    // Kubernetes or the cloud → Stalled.
    const health: Health = {
      kind: f.disposition === 'backoff' || waiting ? 'reconciling' : 'stalled',
      reason: f.reason,
      message: f.message,
    };
    await this.writeStatus(gdc, status, 'False', f.reason, f.message, health);
    this.deps.observer?.failed?.(gdc, f.reason);
    if (delay === undefined) return { result: 'terminal' };
    return { result: f.disposition === 'backoff' ? 'error' : 'requeue_after', requeueAfterMs: delay };
  }

  private async writeStatus(
    gdc: GatewayDomainCertificate,
    status: GatewayDomainCertificateStatus,
    ready: 'True' | 'False' | 'Unknown',
    reason: string,
    message: string,
    health: Health,
  ): Promise<void> {
    status.conditions = healthConditions(
      gdc.status?.conditions,
      {
        type: ConditionType.Ready,
        status: ready,
        reason,
        message,
        ...(gdc.metadata.generation !== undefined ? { observedGeneration: gdc.metadata.generation } : {}),
      },
      health,
      this.now(),
    );
    const patch = statusPatch(gdc.status, status);
    if (patch) await this.deps.status.patchStatus(gdc, patch);
  }
}
