/**
 * Fan-out cost: CPU of the server process (tick, engine, encoder) and of the
 * mediasoup workers while 0, 1, 2, 4 and 8 headless Chromium viewers consume one
 * session's stream. The frame is encoded once whatever the number of viewers, so the
 * marginal cost per viewer is the SFU forwarding (SRTP, RTCP) alone.
 * Run: npx tsx bench/fanout.bench.ts [-- --viewers 0,1,2,4,8 --seconds 10]
 */
import { parseArgs } from 'node:util';
import { Page } from 'playwright-core';
import { launchChromium, waitForFrames } from '../tests/helpers/browser';
import { startTestServer } from '../tests/helpers/server';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '0,1,2,4,8' },
    seconds: { type: 'string', default: '10' },
  },
});
const seconds = Number(values.seconds);

async function workerCpuMs(
  workers: { getResourceUsage(): Promise<{ ru_utime: number; ru_stime: number }> }[],
) {
  const usage = await Promise.all(workers.map((w) => w.getResourceUsage()));
  return usage.reduce((sum, u) => sum + u.ru_utime + u.ru_stime, 0);
}

async function main() {
  const server = await startTestServer({ SESSIONS: 'fanout', MEDIA_WORKERS: '1' });
  const browser = await launchChromium();
  const pages: Page[] = [];
  const rows = [];
  for (const target of values.viewers!.split(',').map(Number)) {
    while (pages.length < target) {
      const page = await browser.newPage();
      await page.goto(`${server.url}/s/fanout?role=spectator`);
      await waitForFrames(page, 5);
      pages.push(page);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = process.cpuUsage();
    const worker0 = await workerCpuMs(server.pool.workers);
    const session = server.registry.get('fanout');
    const bytes0 = session.video.stats().bytesSent;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const workerMs = (await workerCpuMs(server.pool.workers)) - worker0;
    const bytes = session.video.stats().bytesSent - bytes0;
    const row = {
      viewers: target,
      consumers: session.video.stats().consumers,
      serverCpuPercent: +(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100).toFixed(1),
      mediasoupCpuPercent: +((workerMs / (seconds * 1000)) * 100).toFixed(1),
      producedKbps: Math.round((bytes * 8) / seconds / 1000),
    };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
  await browser.close();
  await server.close();
  console.log(JSON.stringify(rows, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
