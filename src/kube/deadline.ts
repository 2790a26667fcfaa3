// A time limit for one request, cleared as soon as the request ends. AbortSignal.timeout() keeps its
// timer until it fires and then builds a DOMException (stack trace included) and runs fetch's abort
// steps for a request long finished: with a lease renewed every 2 s, that was CPU spent for nothing.

/** Runs `fn` with a signal that aborts after `ms` (TimeoutError) or when `outer` aborts (its reason). */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(
    () => ctrl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  timer.unref(); // like AbortSignal.timeout(): a pending deadline alone does not keep the process up
  const onOuter = () => ctrl.abort(outer?.reason);
  if (outer?.aborted) ctrl.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await fn(ctrl.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
