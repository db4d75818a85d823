/**
 * Failover: time from SIGKILL of a session's host to live video again in the player's
 * browser. Two hosts in network namespaces (tests/helpers/fleet-hosts.ts), one Redis,
 * engine sessions, the registry TTL of infra/k8s (3 s); per trial: a session on host A,
 * its player in Chromium, SIGKILL of A; host B resumes the session from the action log
 * and the page, not reaching A, asks B where the session went and goes there. Measured:
 * until the page moved to B, and until it showed 5 new frames. Host A is then started
 * again for the next trial. Needs root (network namespaces).
 * Run: npx tsx bench/failover.bench.ts [--trials 5 --ttl-ms 3000]
 */
import { parseArgs } from 'node:util';
import { launchChromium, waitForFrames, pageState } from '../tests/helpers/browser';
import { FleetHosts } from '../tests/helpers/fleet-hosts';
import { netnsUnavailable } from '../tests/helpers/netns';
import { ask } from '../tests/helpers/server';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, FailoverResult, FailoverRow } from './lib/results';
import { round, summarize } from './lib/stats';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    'ttl-ms': { type: 'string', default: '3000' },
    out: { type: 'string' },
  },
});
const FRAMES_AGAIN = 5;

runMain(async () => {
  const unavailable = netnsUnavailable();
  if (unavailable) throw new Error(`cannot make test hosts: ${unavailable}`);
  const trials = Number(values.trials);
  const ttlMs = Number(values['ttl-ms']);
  const fleet = await FleetHosts.create(2, {
    SESSIONS: '',
    SESSION_CAPACITY: String(trials + 1),
    FRAME_SOURCE: 'engine',
    MEDIA_WORKERS: '1',
    LOG_LEVEL: 'warn',
    STORE_TTL_MS: String(ttlMs),
  });
  const browser = await launchChromium();
  const rows: FailoverRow[] = [];
  try {
    const b = await fleet.start(1);
    for (let trial = 0; trial < trials; trial++) {
      const a = await fleet.start(0);
      const lobby = await fleet.lobby(a);
      const created = (await ask(lobby, 'session:create', { name: 'player' })) as unknown as {
        session: { id: string };
        token: string;
      };
      lobby.close();
      const page = await browser.newPage();
      await page.goto(`${a.url}/s/${created.session.id}#token=${created.token}`);
      await waitForFrames(page, 10, 30000);

      a.server.child.kill('SIGKILL');
      const killed = performance.now();
      await a.server.exited;
      await page.waitForURL(`${b.url}/**`, { timeout: 60000 });
      const movedMs = performance.now() - killed;
      await waitForFrames(page, FRAMES_AGAIN, 30000);
      const videoAgainMs = performance.now() - killed;
      const { lastShownTick } = await pageState(page);
      await page.close();
      rows.push({
        trial,
        movedMs: round(movedMs, 0),
        videoAgainMs: round(videoAgainMs, 0),
        lastShownTick,
      });
      progress('failover', rows.at(-1));
    }
  } finally {
    await browser.close();
    await fleet.close();
  }
  emitResult<DataOf<FailoverResult>>('failover', values.out, {
    ttlMs,
    rows,
    videoAgainMs: summarize(rows.map((r) => r.videoAgainMs)),
  });
});
