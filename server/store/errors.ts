/** Typed store errors, with messages that say what to check. */

/** The store URL names no store this server knows. */
export class StoreUrlError extends Error {
  override readonly name = 'StoreUrlError';
  constructor(url: string) {
    super(
      `unsupported store URL "${redactUrl(url)}": expected redis://[user:password@]host:port[/db] ` +
        `or rediss://... for Redis, or no URL for the in-memory store`,
    );
  }
}

/** The store's server could not be reached (or refused us) when connecting. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(url: string, cause: unknown) {
    // Not `instanceof Error`: a socket error may come from another realm (jest's sandbox).
    const reason = (cause as { message?: unknown } | null)?.message ?? cause;
    super(
      `cannot connect to Redis at ${redactUrl(url)} (${String(reason)}); check that redis-server is running ` +
        `and reachable there, and that the URL's host, port, password and database are right`,
      { cause },
    );
  }
}

/** Another live process serves this session id. */
export class SessionClaimedError extends Error {
  override readonly name = 'SessionClaimedError';
  constructor(
    readonly sessionId: string,
    readonly owner: string,
  ) {
    super(`session "${sessionId}" is served by process "${owner}"`);
  }
}

/** An append that would not keep the log in tick order (or whose tick is no tick at all). */
export class ActionLogOrderError extends Error {
  override readonly name = 'ActionLogOrderError';
  constructor(sessionId: string, tick: number) {
    super(
      `action log of session "${sessionId}": tick ${tick} must be a whole number after the last appended tick`,
    );
  }
}

/** Both stores' check before appending; `lastTick` is undefined where the backend checks order itself. */
export function assertNextTick(
  sessionId: string,
  tick: number,
  lastTick: number | undefined,
): void {
  if (!Number.isSafeInteger(tick) || tick < 0 || (lastTick !== undefined && tick <= lastTick)) {
    throw new ActionLogOrderError(sessionId, tick);
  }
}

/** Stored data that does not decode: written by something else, or by an older schema. */
export class StoreDataError extends Error {
  override readonly name = 'StoreDataError';
}

/** The URL as it may be logged: any password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * A fleet request that failed: the other process answered with an error (its `code`),
 * or nobody listens under that process id (NO_PROCESS), or no answer came in time (TIMEOUT).
 */
export class FleetRequestError extends Error {
  override readonly name = 'FleetRequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
