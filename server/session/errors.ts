/**
 * Typed errors that reach the sender. `code` is stable and machine-readable; the
 * message says what was expected. Anything else that escapes a handler is reported
 * as INTERNAL without details.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNKNOWN_SESSION'
  | 'NOT_JOINED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'SESSION_FULL'
  | 'MEDIA_REFUSED'
  | 'INTERNAL';

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WireErrorBody {
  code: ErrorCode;
  message: string;
}

export function toWireError(error: unknown): WireErrorBody {
  if (error instanceof WireError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'internal error' };
}
