/** The depth guard in front of Socket.IO's JSON.parse (server/signaling/payload-guard.ts). */
import {
  checkPayload,
  guardedParser,
  MAX_DEPTH,
  nestsDeeperThan,
} from '../../server/signaling/payload-guard';
import { deepArray, deepObject } from '../helpers/wire';

function decode(text: string): { id?: number; data?: unknown[] } {
  const decoder = new guardedParser.Decoder();
  let packet: { id?: number; data?: unknown[] } = {};
  decoder.on('decoded', (p: typeof packet) => (packet = p));
  decoder.add(text);
  return packet;
}

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan(deepArray(3), 3)).toBe(false);
    expect(nestsDeeperThan(deepArray(4), 3)).toBe(true);
    expect(nestsDeeperThan(deepObject(4), 3)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[[[{{{{', b: 'q"[[[[' }), 1)).toBe(false);
  });
});

describe('guardedParser', () => {
  it('decodes ordinary packets as the stock parser does', () => {
    const packet = decode('27["action",{"seq":1,"keys":["forward"],"s":"[[[[[[[[[[[[[[[["}]');
    expect(packet).toMatchObject({ id: 7, data: ['action', { seq: 1, keys: ['forward'] }] });
  });

  it.each([
    ['array', deepArray(10_000)],
    ['object', deepObject(10_000)],
  ])('turns a 10,000-deep %s into a payload checkPayload refuses, ack id kept', (_, deep) => {
    const packet = decode(`2${42}["join",${deep}]`);
    expect(packet.id).toBe(42);
    expect(packet.data?.[0]).toBe('join');
    expect(() => checkPayload('join', packet.data?.[1], 4096)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('leaves a payload exactly MAX_DEPTH deep to the handler', () => {
    const packet = decode(`2["join",${deepArray(MAX_DEPTH)}]`);
    expect(JSON.stringify(packet.data?.[1])).toBe(deepArray(MAX_DEPTH));
  });

  it('refuses a too-deep packet whose event is not a string, as the stock parser does', () => {
    expect(() => decode(`2[${deepArray(100)}]`)).toThrow('invalid payload');
  });
});
