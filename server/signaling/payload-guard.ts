/**
 * Bounds a wire payload before anything walks it recursively (zod, JSON.stringify,
 * mediasoup): one iterative pass that stops at the first limit it crosses, so a payload
 * nested 10,000 deep or a huge array costs at most its event's byte budget in steps and
 * never the call stack.
 */
import { WireError } from '../session/errors';

/** Deepest nesting any message needs (rtpCapabilities: 5 levels) with room to spare. */
export const MAX_DEPTH = 12;

/**
 * Throws a typed error when the payload nests deeper than MAX_DEPTH, is larger than
 * `maxBytes` as JSON (estimated as it is walked), carries binary attachments, or names a
 * prototype key; else returns nothing.
 */
export function checkPayload(event: string, payload: unknown, maxBytes: number): void {
  const pending: [unknown, number][] = [[payload, 0]];
  let bytes = 0;
  const count = (n: number) => {
    bytes += n;
    if (bytes > maxBytes)
      throw new WireError(
        'PAYLOAD_TOO_LARGE',
        `"${event}" payloads are at most ${maxBytes} bytes of JSON`,
      );
  };
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || value === undefined || typeof value === 'boolean') count(5);
    else if (typeof value === 'number') count(24);
    else if (typeof value === 'string') count(Buffer.byteLength(value) + 2);
    else if (typeof value !== 'object')
      throw new WireError('BAD_REQUEST', `"${event}" payloads are plain JSON`);
    else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
      throw new WireError('BAD_REQUEST', `"${event}" takes no binary attachments`);
    else if (depth >= MAX_DEPTH)
      throw new WireError('BAD_REQUEST', `"${event}" payloads nest at most ${MAX_DEPTH} levels`);
    else {
      count(2);
      for (const [key, child] of Object.entries(value)) {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype')
          throw new WireError('BAD_REQUEST', `"${event}" payloads may not name "${key}"`);
        count(Buffer.byteLength(key) + 4);
        pending.push([child, depth + 1]);
      }
    }
  }
}
