/**
 * Crowd control end to end: a host, a player and a spectator in real Chromium pages on
 * a democracy session. The host's and the player's held keys are their votes; the
 * winning action is what all three pages show as applied.
 */
import { Browser, Page } from 'playwright-core';
import { RunningServer } from '../../server/app';
import { launchChromium, waitForFrames } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

jest.setTimeout(60000);

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({
    SESSIONS: 'crowd',
    CONTROL_MODE: 'democracy',
    VOTE_WINDOW_MS: '300',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}${path}`);
  await waitForFrames(page, 5);
  return page;
}

const applied = (page: Page) => page.locator('#applied').textContent();

describe('democracy with three real pages', () => {
  it('applies the action the host and the player vote for, on every page', async () => {
    const host = await open(`/s/crowd#token=${server.hostTokens.crowd}`);
    const player = await open('/s/crowd');
    const spectator = await open('/s/crowd?role=spectator');
    expect(await host.locator('#role').textContent()).toBe('host');
    expect(await spectator.locator('#role').textContent()).toBe('spectator');
    await host.keyboard.down('ArrowLeft');
    await player.keyboard.down('ArrowLeft');
    for (const page of [host, player, spectator]) {
      await page.waitForFunction(
        () => document.querySelector('#applied')?.textContent?.includes('turn_left'),
        undefined,
        {
          timeout: 10000,
        },
      );
    }
    await host.keyboard.up('ArrowLeft');
    await player.keyboard.up('ArrowLeft');
    // With both votes withdrawn, the next windows go idle for everyone.
    await spectator.waitForFunction(
      () => document.querySelector('#applied')?.textContent === 'idle',
      undefined,
      { timeout: 10000 },
    );
    expect(await applied(spectator)).toBe('idle');
  });
});
