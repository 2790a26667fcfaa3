// Reading a gateway answer: headers, JSON bodies, the error body's code and message, Retry-After.

export function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim().length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function errorBody(text: string): { code?: string; msg?: string } {
  try {
    const j = JSON.parse(text) as { error_code?: unknown; error_msg?: unknown };
    return {
      code: typeof j.error_code === 'string' ? j.error_code : undefined,
      msg: typeof j.error_msg === 'string' ? j.error_msg : undefined,
    };
  } catch {
    return { msg: text.slice(0, 200) || undefined };
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
