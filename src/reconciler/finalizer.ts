// Deletion. Retain leaves the cloud alone. Detach unbinds and deletes the certificate this
// operator made. The rule for a cloud that keeps failing: retry with backoff while the deletion is
// younger than deletionTimeout (default 10 min), then let go — remove the finalizer and say in a
// Warning Event which certificate may remain. Missing credentials let go at once: nothing can
// ever succeed without them, and a resource must never be stuck in deletion forever.
import type { GatewayDomainCertificate } from '../api/v1alpha1.ts';
import { ConditionType, FINALIZER, Reason } from '../api/v1alpha1.ts';
import { healthConditions, rfc3339 } from './conditions.ts';
import { isNotFound, toSyncFailure } from './failures.ts';
import { loadCredentials } from './inputs.ts';
import { certificateNameOf } from './naming.ts';
import { backoffDelayMs, type ReconcileResult, type ReconcilerDeps } from './ports.ts';
import { listingFor } from './sweep.ts';
import { removeUnbound } from './sync-context.ts';

export async function finalize(
  deps: ReconcilerDeps,
  gdc: GatewayDomainCertificate,
  now: Date,
): Promise<ReconcileResult> {
  if (!(gdc.metadata.finalizers ?? []).includes(FINALIZER)) return { result: 'success' };
  const cert = gdc.status?.certificate;
  const ourName = certificateNameOf(gdc);
  // Without a recorded certificate there is still cleanup when a create/upload may have happened.
  if (gdc.spec.deletionPolicy !== 'Detach' || (!cert?.id && !gdc.status?.pendingWrite)) {
    await deps.status.setFinalizer(gdc, false);
    deps.observer?.deleted?.(gdc);
    return { result: 'success' };
  }
  try {
    const client = deps.gateways.client(gdc.spec.gateway, await loadCredentials(deps.secrets, gdc));
    const ignoreMissing = (err: unknown) => {
      if (!isNotFound(err)) throw err;
    };
    const id = cert?.id;
    for (const d of gdc.status?.domains ?? []) {
      if (!id || !d.instanceId || !d.groupId || !d.id) continue;
      if (gdc.spec.mode === 'Shared') {
        await client
          .detachDomains(id, [{ domain: d.name ?? '', instance_ids: [d.instanceId] }])
          .catch(ignoreMissing);
      } else {
        await client.unbindDomainCertificate(d.instanceId, d.groupId, d.id, id).catch(ignoreMissing);
      }
    }
    // Only a certificate carrying our name is ours to delete.
    if (id && cert?.name === ourName) await client.deleteCertificate(id).catch(ignoreMissing);
    // Copies under our name that an interrupted sync left (a lost create answer, a replaced certificate
    // whose delete was cut short): the sweep serves live resources only, so they go now, if unbound.
    const listOn = listingFor(gdc);
    const copies = listOn
      ? (await client.listAllCertificates({ name: ourName, ...listOn }))
          .filter((c) => c.name === ourName && c.id !== id)
          .map((c) => c.id)
      : [];
    const leftovers = await removeUnbound({ client }, copies);
    const what = id ? `unbound and deleted certificate ${id} (${cert?.name})` : 'nothing was bound';
    const extra = leftovers.length
      ? `; deleted ${leftovers.length} leftover copies (${leftovers.join(', ')})`
      : '';
    deps.events.event(gdc, 'Normal', 'Detached', 'Delete', `${what}${extra}`);
  } catch (err) {
    const f = toSyncFailure(err, gdc);
    const since = Date.parse(gdc.metadata.deletionTimestamp as unknown as string) || now.getTime();
    const timeout = deps.deletionTimeoutMs ?? 600_000;
    if (f.reason !== Reason.CredentialsNotFound && now.getTime() - since < timeout) {
      const failures = (gdc.status?.failures ?? 0) + 1;
      const delay = backoffDelayMs(deps, failures);
      const message = `${f.reason}: ${f.message}`;
      deps.events.event(gdc, 'Warning', Reason.DeletionFailed, 'Delete', message);
      await deps.status.patchStatus(gdc, {
        failures,
        nextRetryTime: rfc3339(new Date(now.getTime() + delay)),
        // Retried until the deletion timeout: Reconciling (kstatus says Terminating for any deletion).
        conditions: healthConditions(
          gdc.status?.conditions,
          { type: ConditionType.Ready, status: 'False', reason: Reason.DeletionFailed, message },
          { kind: 'reconciling', reason: Reason.DeletionFailed, message },
          now,
        ),
      });
      return { result: 'error', requeueAfterMs: delay };
    }
    deps.events.event(
      gdc,
      'Warning',
      'DeletionAbandoned',
      'Delete',
      `gave up cleaning the gateway (${f.reason}: ${f.message}); certificate ${cert?.id ?? '(none recorded)'} (${cert?.name ?? ourName}) may remain`,
    );
  }
  await deps.status.setFinalizer(gdc, false);
  deps.observer?.deleted?.(gdc);
  return { result: 'success' };
}
