/**
 * The main job end to end: a real server, real Chromium pages receiving the session's
 * one stream through mediasoup, steered with the keyboard.
 */
import { Browser, Page } from 'playwright-core';
import { RunningServer } from '../../server/app';
import { horizontalShift } from '../../model/metrics/view-shift';
import {
  captureFrames,
  launchChromium,
  pageState,
  waitForFrames,
  waitForMoreFrames,
} from '../helpers/browser';
import { startTestServer } from '../helpers/server';

jest.setTimeout(60000);

let server: RunningServer;
let browser: Browser;
let player: Page;
let spectator: Page;

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'e2e' });
  browser = await launchChromium();
  player = await browser.newPage();
  await player.goto(`${server.url}/s/e2e`);
  spectator = await browser.newPage();
  await spectator.goto(`${server.url}/s/e2e?role=spectator`);
  await Promise.all([waitForFrames(player, 10), waitForFrames(spectator, 10)]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Shift between two consecutive presented frames (+ = picture slid right). */
async function shiftWhile(page: Page): Promise<number> {
  const { width, height, frames } = await captureFrames(page, 2);
  return horizontalShift(frames[0], frames[1], { width, height, maxShift: 40 });
}

describe('live slice in a real browser', () => {
  it('shows decoded video of the session’s size with a rising frame count', async () => {
    const size = await player.evaluate(() => {
      const v = document.querySelector('video') as HTMLVideoElement;
      return [v.videoWidth, v.videoHeight];
    });
    expect(size).toEqual([128, 128]);
    // A page in the background presents no frames; the spectator's page opened last.
    await player.bringToFront();
    await waitForMoreFrames(player, 10);
  });

  it('turns the view left and right in opposite directions (idle stays still)', async () => {
    await player.bringToFront();
    expect(await shiftWhile(player)).toBe(0);
    await player.keyboard.down('ArrowLeft');
    await player.waitForTimeout(400); // reach turning speed
    const left = await shiftWhile(player);
    await player.keyboard.up('ArrowLeft');
    await player.waitForTimeout(600); // coast to a stop
    await player.keyboard.down('ArrowRight');
    await player.waitForTimeout(400);
    const right = await shiftWhile(player);
    await player.keyboard.up('ArrowRight');
    expect(left).toBeGreaterThan(2);
    expect(right).toBeLessThan(-2);
  });

  it('gives a spectator the same stream, frame for frame by tick', async () => {
    await player.waitForTimeout(500);
    const [p, s] = await Promise.all([pageState(player), pageState(spectator)]);
    const common = p.shownTicks.filter((t) => s.shownTicks.includes(t));
    expect(common.length).toBeGreaterThan(20);
    expect(Math.abs(p.lastShownTick - s.lastShownTick)).toBeLessThan(10);
  });

  it('shows a late joiner a picture within 1 s', async () => {
    await player.waitForTimeout(5000);
    const late = await browser.newPage();
    await late.goto(`${server.url}/s/e2e?role=spectator`);
    await waitForFrames(late, 1);
    const state = await pageState(late);
    expect(state.firstFrameAt - state.consumedAt).toBeLessThan(1000);
    await late.close();
  });

  it('keeps a reloaded page’s seat, and its keys steer at once', async () => {
    const { memberId } = await pageState(player);
    await player.reload();
    await waitForFrames(player, 5);
    // Its sequence numbers start again at 1: the server must not take them for old ones.
    expect((await pageState(player)).memberId).toBe(memberId);
    await player.bringToFront();
    await player.keyboard.down('ArrowLeft');
    await player.waitForTimeout(400);
    const left = await shiftWhile(player);
    await player.keyboard.up('ArrowLeft');
    expect(left).toBeGreaterThan(2);
  });
});
