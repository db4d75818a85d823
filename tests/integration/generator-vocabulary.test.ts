/**
 * @jest-environment ./tests/environments/onnxruntime.js
 *
 * A model with its own words drops in: the shipped model's graphs under a manifest
 * whose action keys, one instruction slot and its values are renamed (same counts, so
 * the graphs' shapes and files are unchanged). A real server loads it as its frame
 * source; members steer and instruct with the model's names, which the tick carries,
 * and the engine's names are refused.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import type { TickMessage } from '../../server/protocol/server-events';
import { ask, connect, joinAs, startTestServer, waitFor } from '../helpers/server';

jest.setTimeout(60000);

const KEYS = [
  'walk',
  'retreat',
  'slide_left',
  'slide_right',
  'spin_left',
  'spin_right',
  'hop',
  'dash',
];
const SKY = ['bright', 'drizzle', 'blizzard', 'haze'];

let dir: string;
let server: RunningServer;
let socket: Socket;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wt-own-words-'));
  cpSync(path.join(__dirname, '../../model/shipped'), dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  expect(manifest.actions.keys).toHaveLength(KEYS.length);
  expect(manifest.instructions.slots.weather).toHaveLength(SKY.length);
  manifest.actions.keys = KEYS;
  const { slotOrder, slots } = manifest.instructions;
  manifest.instructions.slotOrder = slotOrder.map((slot: string) =>
    slot === 'weather' ? 'sky' : slot,
  );
  manifest.instructions.slots = Object.fromEntries(
    slotOrder.map((slot: string) => (slot === 'weather' ? ['sky', SKY] : [slot, slots[slot]])),
  );
  writeFileSync(file, JSON.stringify(manifest));
  server = await startTestServer({ SESSIONS: 'own', FRAME_SOURCE: 'generator', MODEL_DIR: dir });
  socket = await connect(server);
});

afterAll(async () => {
  socket?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a generator whose manifest has its own vocabulary', () => {
  it('tells members its words when they join', async () => {
    const reply = await joinAs(server, socket, 'own', 'host');
    expect(reply).toMatchObject({
      ok: true,
      session: {
        vocabulary: { keys: KEYS, slots: expect.arrayContaining([{ name: 'sky', values: SKY }]) },
      },
    });
    expect(JSON.stringify(reply)).not.toMatch(/weather|forward/);
  });

  it('steers with the model’s keys and applies its instructions; the tick carries them', async () => {
    expect(await ask(socket, 'action', { seq: 1, keys: ['walk', 'hop'] })).toEqual({ ok: true });
    const steered = await waitFor<TickMessage>(socket, 'tick', (t) => t.keys.length > 0);
    expect(steered.keys).toEqual(['walk', 'hop']);
    expect(steered.action).toBe(0b1000001);
    expect(steered.steering).toMatchObject({ mode: 'anarchy', pressed: { walk: 1, hop: 1 } });

    expect(await ask(socket, 'instruction', { text: 'sky=blizzard' })).toMatchObject({ ok: true });
    const instructed = await waitFor<TickMessage>(socket, 'tick', (t) => t.instructions.length > 0);
    expect(instructed.instructions).toEqual(['sky=blizzard']);
  });

  it('refuses the engine’s words with BAD_REQUEST', async () => {
    for (const [event, payload, message] of [
      ['action', { seq: 2, keys: ['forward'] }, /keys/],
      [
        'instruction',
        { text: 'weather=snow' },
        /unknown instruction slot "weather"; expected one of: sky/,
      ],
      ['instruction', { text: 'sky=snow' }, /unknown value "snow" for slot "sky"/],
    ] as const) {
      expect(await ask(socket, event, payload)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
      });
    }
  });

  it('starts a session from text in the model’s words', async () => {
    const other = await connect(server);
    expect(
      await ask(other, 'session:create', { id: 'own-text', name: 'host', text: 'sky=haze' }),
    ).toMatchObject({ ok: true });
    expect(await ask(other, 'session:create', { name: 'host', text: 'weather=fog' })).toMatchObject(
      { ok: false, error: { code: 'BAD_REQUEST' } },
    );
    other.close();
  });
});
