/**
 * Error codes every failed request answers with (in its ack, or as a `wt:error` event
 * when it had no ack). The code is stable and machine-readable; the message says what
 * was expected. INTERNAL means a bug on the server and carries no detail.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_SESSION',
  'NOT_JOINED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'SESSION_FULL',
  'NO_CAPACITY',
  'MEDIA_REFUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const WireErrorBody = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type WireErrorBody = z.infer<typeof WireErrorBody>;
