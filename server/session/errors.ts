/**
 * The server's typed error: thrown anywhere below a handler, it reaches the sender as
 * its code and message (server/protocol/errors.ts). Anything else that escapes a
 * handler is reported as INTERNAL without details.
 */
import type { ErrorCode, WireErrorBody } from '../protocol/errors';

export type { ErrorCode, WireErrorBody };

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function toWireError(error: unknown): WireErrorBody {
  if (error instanceof WireError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'internal error' };
}
