/**
 * Bounds a wire payload before anything walks it recursively (zod, JSON.stringify,
 * mediasoup): one iterative pass that stops at the first limit it crosses, so a payload
 * nested 10,000 deep or a huge array costs at most its event's byte budget in steps and
 * never the call stack. Before that, the Socket.IO parser (`guardedParser`) does not even
 * build a payload that nests too deep: JSON.parse of one 10,000 levels deep takes 1-6 ms.
 */
import * as socketIoParser from 'socket.io-parser';
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

/** A packet's JSON is `[event, ...arguments]`: one level above the payload. */
const MAX_PACKET_DEPTH = MAX_DEPTH + 1;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether JSON text nests deeper than `limit`; stops at the first level past it. */
export function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The event name a packet's JSON starts with (`["name",`), or null. */
const LEADING_EVENT = /^\[\s*("(?:[^"\\]|\\.)*")\s*,/;

/** A value `checkPayload` refuses as too deep, as any payload past MAX_DEPTH is. */
function tooDeep(): unknown {
  let value: unknown = [];
  for (let i = 0; i < MAX_DEPTH; i++) value = [value];
  return value;
}

const parseJson: (this: socketIoParser.Decoder, json: string) => unknown = Reflect.get(
  socketIoParser.Decoder.prototype,
  'tryParse',
);

/**
 * Socket.IO's decoder, except that a packet nesting deeper than any payload may is not
 * parsed: it becomes `[event, <too deep>]`, with its ack id kept, so the event's handler
 * answers BAD_REQUEST ("nest at most 12 levels") as it would have, at the cost of a scan
 * that stops at level 14 instead of building every level. A packet whose event is not a
 * leading string is refused as the stock parser refuses a non-string event.
 */
class DepthGuardDecoder extends socketIoParser.Decoder {}
Object.defineProperty(DepthGuardDecoder.prototype, 'tryParse', {
  value(this: socketIoParser.Decoder, json: string): unknown {
    if (!nestsDeeperThan(json, MAX_PACKET_DEPTH)) return parseJson.call(this, json);
    const event = LEADING_EVENT.exec(json);
    return event ? [JSON.parse(event[1]), tooDeep()] : false;
  },
});

/** The `parser` option of the Socket.IO server: the stock encoder, the depth-guarding decoder. */
export const guardedParser = { ...socketIoParser, Decoder: DepthGuardDecoder };
