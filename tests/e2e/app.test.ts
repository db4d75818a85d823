/**
 * The app people play in, end to end in headless Chromium: a session created from the
 * lobby (seed, democracy), host, player and spectator pages opened from its links,
 * democracy votes deciding the applied action on all three, a mode vote switching to
 * anarchy, touch controls on a phone-sized page, the stats toggle's latency, an
 * instruction proposed from the picker and passed by a second vote, the host handing
 * off the solo controls, a scripted gamepad steering, and the close announced to all.
 */
import { Browser, BrowserContext, Page } from 'playwright-core';
import { RunningServer } from '../../server/app';
import { launchChromium, waitForFrames } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

jest.setTimeout(120_000);

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'default', VOTE_WINDOW_MS: '300' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page in its own browser context (its own sessionStorage, like another person's browser). */
async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const context = await browser.newContext(options);
  contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

async function open(href: string, options?: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const page = await newPage(options);
  await page.goto(href);
  await waitForFrames(page, 3);
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

async function everyPage(
  pages: Page[],
  selector: string,
  expected: string | RegExp,
): Promise<void> {
  for (const page of pages) {
    await page.waitForFunction(
      ([s, e]) => {
        const t = document.querySelector(s)?.textContent ?? '';
        return e.startsWith('/') ? new RegExp(e.slice(1, -1)).test(t) : t === e;
      },
      [selector, expected instanceof RegExp ? String(expected) : expected] as const,
      { timeout: 15_000 },
    );
  }
}

describe('the app, from the lobby to a crowd steering one world', () => {
  let host: Page;
  let player: Page;
  let spectator: Page;
  let links: { host: string; player: string; spectator: string };

  it('creates a democracy session with a seed from the lobby and shows its links', async () => {
    const lobby = await newPage();
    await lobby.goto(`${server.url}/#key=${server.createKey}`);
    await lobby.locator('#sessions tr[data-session="default"]').waitFor();
    await lobby.fill('input[name=title]', 'Crowd night');
    await lobby.fill('input[name=seed]', '4242');
    await lobby.selectOption('select[name=mode]', 'democracy');
    await lobby.click('#create-form button[type=submit]');
    await lobby.locator('#open-host').waitFor();
    const href = (sel: string) => lobby.locator(`[data-link="${sel}"] a`).getAttribute('href');
    links = {
      host: (await href('host'))!,
      player: (await href('player'))!,
      spectator: (await href('spectator'))!,
    };
    expect(links.host).toMatch(/\/s\/[a-z0-9-]+#token=/);
    expect(links.spectator).toMatch(/\?role=spectator$/);
    // The new session is listed with its title and mode.
    await lobby.waitForFunction(() =>
      Array.from(document.querySelectorAll('#sessions tr')).some((r) =>
        /Crowd night.*democracy/.test(r.textContent ?? ''),
      ),
    );
  });

  it('opens host, player and spectator pages from the links', async () => {
    host = await open(links.host);
    player = await open(links.player);
    spectator = await open(links.spectator);
    expect(await text(host, '#role')).toBe('host');
    expect(await text(player, '#role')).toBe('player');
    expect(await text(spectator, '#role')).toBe('spectator');
    expect(await text(host, '#title')).toBe('Crowd night');
  });

  it('shows the spectator count, and the spectator no controls', async () => {
    await everyPage([host, player, spectator], '#spectator-count', '1');
    for (const sel of ['#mode-vote', '#instruct', '#touch-controls', '#host-panel'])
      expect(await spectator.locator(sel).count()).toBe(0);
    expect(await player.locator('#host-panel').count()).toBe(0);
    expect(await host.locator('#host-panel').count()).toBe(1);
  });

  it('lets the votes decide the applied action, with the tally shown to all', async () => {
    await host.keyboard.down('ArrowLeft');
    await player.keyboard.down('ArrowLeft');
    await everyPage([host, player, spectator], '#leading', 'turn left');
    await everyPage([host, player, spectator], '#applied', /turn_left/);
    await host.keyboard.up('ArrowLeft');
    await player.keyboard.up('ArrowLeft');
    await everyPage([host, player, spectator], '#applied', 'idle');
  });

  it('switches to anarchy by a supermajority mode vote, on every page', async () => {
    await host.click('button[data-mode="anarchy"]');
    await player.click('button[data-mode="anarchy"]');
    await everyPage([host, player, spectator], '#mode', 'anarchy');
  });

  it('steers with touch controls on a phone-sized page', async () => {
    const phone = await open(links.player, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const jump = phone.locator('#touch-controls [data-key="jump"]');
    expect(await jump.isVisible()).toBe(true);
    await jump.dispatchEvent('pointerdown');
    await everyPage([spectator], '#applied', /jump/);
    await jump.dispatchEvent('pointerup');
  });

  it('shows an action-to-photon figure for this member in anarchy', async () => {
    await player.click('#stats summary');
    for (let i = 0; i < 3; i++) {
      await player.keyboard.down('KeyW');
      await player.waitForTimeout(300);
      await player.keyboard.up('KeyW');
      await player.waitForTimeout(200);
    }
    await everyPage([player], '#latency', /^\d+ ms$/);
  });

  it('passes an instruction picked by one player and voted by another, shown to all', async () => {
    await player.selectOption('#instruction-slot', 'weather');
    await player.selectOption('#instruction-value', 'snow');
    await player.click('#instruct button[type=submit]');
    await host
      .locator('#proposals li', { hasText: 'weather=snow' })
      .locator('button.approve')
      .click();
    await everyPage([host, player, spectator], '#applied-log', /weather=snow applied at tick \d+/);
  });

  it('lets the host set solo and hand the controls to the player', async () => {
    await host.selectOption('#set-mode', 'solo');
    await host.click('#apply-mode');
    await everyPage([host, player, spectator], '#mode', 'solo');
    const playerName = await player.evaluate(() => localStorage.getItem('worldtick:name'));
    await host.locator('#hand-off-to').waitFor();
    await host.selectOption('#hand-off-to', { label: playerName! });
    await host.click('#hand-off');
    await everyPage([spectator], '#pilot', playerName!);
    await everyPage([player], '#pilot', `${playerName} (you)`);
  });

  it('steers with a gamepad (a scripted navigator.getGamepads)', async () => {
    await player.evaluate(() => {
      const pad = {
        axes: [0, 0, 0.9, 0],
        buttons: Array.from({ length: 17 }, () => ({ pressed: false, value: 0 })),
      };
      (navigator as unknown as { getGamepads: () => unknown[] }).getGamepads = () => [pad];
    });
    await everyPage([spectator, host], '#applied', /turn_right/);
  });

  it('tells every page when the host closes the session', async () => {
    await host.click('#close-session');
    for (const page of [player, spectator]) {
      await page
        .locator('#banner', { hasText: 'This session has ended (closed by host)' })
        .waitFor();
      expect(await text(page, '#state')).toBe('closed');
    }
  });
});
