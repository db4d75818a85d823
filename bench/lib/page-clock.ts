/**
 * The offset between this process's performance.now() and a page's, both on the host's
 * monotonic clock: page time = node time + offsetMs. Taken from the round trip with the
 * smallest delay; the true offset is within +/- uncertaintyMs.
 */
import type { Page } from 'playwright-core';

const SAMPLES = 25;

export interface ClockOffset {
  offsetMs: number;
  uncertaintyMs: number;
}

export async function pageClockOffset(page: Page): Promise<ClockOffset> {
  let best: ClockOffset = { offsetMs: NaN, uncertaintyMs: Infinity };
  for (let i = 0; i < SAMPLES; i++) {
    const sent = performance.now();
    const pageNow = await page.evaluate(() => performance.now());
    const back = performance.now();
    const uncertaintyMs = (back - sent) / 2;
    if (uncertaintyMs < best.uncertaintyMs)
      best = { offsetMs: pageNow - (sent + back) / 2, uncertaintyMs };
  }
  return best;
}
