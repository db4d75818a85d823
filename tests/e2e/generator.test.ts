/**
 * @jest-environment ./tests/environments/onnxruntime.js
 *
 * The main job with its default frame source, the shipped model, end to end: a real
 * server steps the generator through onnxruntime-node every tick and a real Chromium
 * page plays the stream; a video prompt (over the wire, or an image uploaded in the
 * lobby) starts a session from given frames, and text
 * alone (the model's start graph) starts one with no frame at all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { Engine } from '../../model/engine/engine';
import { meanSquaredError } from '../../model/eval/image-metrics';
import { RunningServer } from '../../server/app';
import { launchChromium, pageState, waitForFrames, waitForMoreFrames } from '../helpers/browser';
import { ask, connect, startTestServer } from '../helpers/server';

jest.setTimeout(60000);

let server: RunningServer;
let browser: Browser;
let player: Page;

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'gen', FRAME_SOURCE: 'generator' });
  browser = await launchChromium();
  player = await browser.newPage();
  await player.goto(`${server.url}/s/gen`);
  await waitForFrames(player, 10);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the generator as the frame source', () => {
  it('streams the model’s frames to a browser', async () => {
    const state = await pageState(player);
    expect(server.source.name).toBe('generator:worldtick-warp@0.6.1');
    expect(state.source).toBe(server.source.name);
    await waitForMoreFrames(player, 10);
  });

  it('starts a session from an image uploaded in the lobby', async () => {
    const prompted = new Engine({ seed: 77, width: 128, height: 128 }).render();
    const own = new Engine({ seed: 5, width: 128, height: 128 }).render();
    const png = new PNG({ width: 128, height: 128 });
    for (let i = 0; i < 128 * 128; i++) {
      png.data.set(prompted.subarray(i * 3, i * 3 + 3), i * 4);
      png.data[i * 4 + 3] = 255;
    }
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'prompt-')), 'prompt.png');
    writeFileSync(file, PNG.sync.write(png));
    const lobby = await browser.newPage();
    await lobby.goto(`${server.url}/#key=${server.createKey}`);
    await lobby.locator('#create-form').waitFor();
    await lobby.fill('input[name=seed]', '5');
    await lobby.check('input[name=start][value=prompt]');
    await lobby.setInputFiles('input[name=prompt]', file);
    await lobby.locator('.prompt-preview', { hasText: '1 frame(s) at 128×128' }).waitFor();
    await lobby.click('#create-form button[type=submit]');
    await lobby.locator('#open-host').waitFor();
    const id = /created "([a-z0-9-]+)"/.exec(
      (await lobby.locator('#create-status').textContent())!,
    )![1];
    const frame = server.source.current(id);
    expect(meanSquaredError(frame, prompted)).toBeLessThan(meanSquaredError(frame, own) / 2);
    await lobby.close();
  });

  it('starts a session from a video prompt instead of its world’s first frame', async () => {
    const socket = await connect(server);
    const prompted = new Engine({ seed: 77, width: 128, height: 128 }).render();
    const own = new Engine({ seed: 5, width: 128, height: 128 }).render();
    const reply = await ask(socket, 'session:create', {
      id: 'prompted',
      name: 'host',
      seed: 5,
      prompt: [Buffer.from(prompted).toString('base64')],
    });
    expect(reply).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    const frame = server.source.current('prompted');
    expect(meanSquaredError(frame, prompted)).toBeLessThan(meanSquaredError(frame, own) / 2);
    socket.close();
  });

  it('starts a session from text alone, and the text decides what it shows', async () => {
    const socket = await connect(server);
    const luma = (frame: Uint8Array) => frame.reduce((sum, v) => sum + v, 0) / frame.length;
    for (const [id, text] of [
      ['desert-noon', 'biome=desert time=noon'],
      ['desert-night', 'biome=desert time=night character=wizard'],
    ]) {
      expect(await ask(socket, 'session:create', { id, name: 'host', text })).toMatchObject({
        ok: true,
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(luma(server.source.current('desert-night'))).toBeLessThan(
      luma(server.source.current('desert-noon')) * 0.7,
    );
    expect(await ask(socket, 'session:create', { name: 'host', text: 'biome=moon' })).toMatchObject(
      {
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringMatching(/unknown value "moon"/) },
      },
    );
    socket.close();
  });

  it('refuses a prompt of the wrong size, and a prompt on the engine source, with clear errors', async () => {
    const socket = await connect(server);
    expect(
      await ask(socket, 'session:create', {
        name: 'host',
        prompt: [Buffer.alloc(30).toString('base64')],
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/prompt frame 0 has 30 bytes; expected 128x128 RGB/),
      },
    });
    socket.close();
    const engine = await startTestServer({ SESSIONS: 'e' });
    const other = await connect(engine);
    const frame = Buffer.alloc(128 * 128 * 3).toString('base64');
    expect(await ask(other, 'session:create', { name: 'host', prompt: [frame] })).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/cannot start from a video prompt/),
      },
    });
    expect(await ask(other, 'session:create', { name: 'host', text: 'time=dusk' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/cannot start from text/) },
    });
    other.close();
    await engine.close();
  });
});
