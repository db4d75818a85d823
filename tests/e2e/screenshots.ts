/**
 * Makes the app's screenshots in docs/media (not a test; run it after changing the UI):
 *
 *   npx tsx tests/e2e/screenshots.ts
 *
 * A server on the default frame source (the shipped generator), a session created from
 * the lobby in democracy, host, player and spectator pages voting, in headless Chromium.
 */
import path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { launchChromium, waitForFrames } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const OUT = path.resolve(__dirname, '../../docs/media');
const VIEWPORT = { width: 1280, height: 860 };

async function page(browser: Browser, href: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const p = await context.newPage();
  await p.goto(href);
  return p;
}

async function main(): Promise<void> {
  const server = await startTestServer({ FRAME_SOURCE: 'generator', SESSIONS: 'default' });
  const browser = await launchChromium();
  try {
    const lobby = await page(browser, `${server.url}/#key=${server.createKey}`);
    await lobby.locator('#sessions tr[data-session="default"]').waitFor();
    await lobby.fill('input[name=title]', 'Crowd night');
    await lobby.fill('input[name=name]', 'ada');
    await lobby.fill('input[name=seed]', '4242');
    await lobby.selectOption('select[name=mode]', 'democracy');
    await lobby.click('#create-form button[type=submit]');
    await lobby.locator('#open-host').waitFor();
    const href = async (link: string) =>
      (await lobby.locator(`[data-link="${link}"] a`).getAttribute('href'))!;
    const [hostLink, playerLink, spectatorLink] = await Promise.all(
      ['host', 'player', 'spectator'].map(href),
    );
    const host = await page(browser, hostLink);
    const player = await page(browser, playerLink);
    const spectator = await page(browser, spectatorLink);
    for (const p of [host, player, spectator]) await waitForFrames(p, 10);
    await lobby.waitForFunction(() => /Crowd night/.test(document.body.textContent ?? ''));
    await lobby.waitForTimeout(3500); // the list refreshes with the new members
    await lobby.screenshot({ path: path.join(OUT, 'app-lobby.png') });

    await host.keyboard.down('KeyW');
    await player.keyboard.down('KeyW');
    await player.keyboard.down('ArrowLeft');
    await player.selectOption('#instruction-slot', 'time');
    await player.selectOption('#instruction-value', 'dusk');
    await player.click('#instruct button[type=submit]');
    await host.waitForFunction(
      () => document.querySelector('#leading')?.textContent !== 'no votes',
    );
    await host.waitForTimeout(1500);
    await host.screenshot({ path: path.join(OUT, 'app-democracy-host.png') });
    await spectator.screenshot({ path: path.join(OUT, 'app-spectator.png') });
    process.stdout.write(`screenshots in ${OUT}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
