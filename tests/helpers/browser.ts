/** Debian's Chromium, headless, driven by playwright-core (no browser download). */
import { Browser, chromium, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * The next `count` frames the page's <video> presents, as RGB bytes, each read in its
 * own requestVideoFrameCallback so every capture is a distinct decoded frame.
 */
export async function captureFrames(
  page: Page,
  count: number,
): Promise<{ width: number; height: number; frames: Uint8Array[] }> {
  const result = await page.evaluate(async (n) => {
    const video = document.querySelector('video') as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const frames: number[][] = [];
    await new Promise<void>((resolve) => {
      const grab = () => {
        ctx.drawImage(video, 0, 0);
        const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const rgb: number[] = [];
        for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i], rgba[i + 1], rgba[i + 2]);
        frames.push(rgb);
        if (frames.length === n) resolve();
        else video.requestVideoFrameCallback(grab);
      };
      video.requestVideoFrameCallback(grab);
    });
    return { width: canvas.width, height: canvas.height, frames };
  }, count);
  return { ...result, frames: result.frames.map((f) => Uint8Array.from(f)) };
}

export interface PageState {
  status: string;
  memberId: string;
  source: string;
  framesShown: number;
  lastShownTick: number;
  shownTicks: number[];
  latenciesMs: number[];
  consumedAt: number;
  firstFrameAt: number;
}

export function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => (window as unknown as { worldtick: PageState }).worldtick);
}

export async function waitForFrames(page: Page, count: number, timeoutMs = 15000): Promise<void> {
  await page.waitForFunction(
    (n) => (window as unknown as { worldtick: PageState }).worldtick?.framesShown >= n,
    count,
    {
      timeout: timeoutMs,
    },
  );
}

/**
 * Waits until the page presents `count` more frames than it has now. A live stream
 * passes in about half a second at 20 fps; the generous timeout lets a loaded CI
 * machine stall briefly without calling a live stream frozen.
 */
export async function waitForMoreFrames(
  page: Page,
  count: number,
  timeoutMs = 10000,
): Promise<void> {
  const shown = (await pageState(page)).framesShown;
  await waitForFrames(page, shown + count, timeoutMs);
}
