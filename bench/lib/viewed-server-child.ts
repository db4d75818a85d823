/**
 * A server whose one session has synthetic viewers, as its own process (forked by
 * `startViewedServer` in server-process.ts), so a soak measures the server's memory
 * apart from its clients: the server in-process (tests/helpers/server.ts) plus
 * `viewers` SRTP consumers of the session's video (synthetic-viewers.ts; their UDP
 * sockets live in one more process).
 *
 * argv[2]: JSON `ViewedServerSpec`. Messages out: { url } once live. In: 'window' (memory
 * sampled every second from now on, viewers' frames counted) -> 'window', 'report' ->
 * `ViewedServerReport`, 'stop' (closes and exits).
 */
import type { SessionMedia } from '../../server/media/session-media';
import { startTestServer } from '../../tests/helpers/server';
import type { ViewedServerReport, ViewedServerSpec } from './server-process';
import { SyntheticViewers } from './synthetic-viewers';

const SAMPLE_EVERY_MS = 1000;

async function main() {
  const spec = JSON.parse(process.argv[2]) as ViewedServerSpec;
  const server = await startTestServer({
    // The synthetic viewers are consumers, not members: keep the session ticking.
    PAUSE_WHEN_EMPTY: 'false',
    ...spec.env,
    SESSIONS: spec.session,
  });
  const media = server.registry.get(spec.session).video as SessionMedia;
  const viewers = SyntheticViewers.start(media.router, media.producerId);
  await viewers.grow(spec.viewers);

  const memory: ViewedServerReport['memory'] = [];
  let endWindow = () => {};
  let measured: Promise<ViewedServerReport['viewerFramesPerSecond']> | null = null;
  let sampler: NodeJS.Timeout | undefined;
  process.on('message', async (message) => {
    if (message === 'window') {
      const began = performance.now();
      const sample = () => {
        const { rss, heapUsed } = process.memoryUsage();
        memory.push({ s: (performance.now() - began) / 1000, rssBytes: rss, heapBytes: heapUsed });
      };
      sample();
      sampler = setInterval(sample, SAMPLE_EVERY_MS);
      const ended = new Promise<void>((resolve) => (endWindow = resolve));
      measured = viewers
        .measure(() => ended)
        .then((w) => w.streams.map((s) => s.frames / (w.wallMs / 1000)));
      process.send!('window');
    } else if (message === 'report') {
      clearInterval(sampler);
      endWindow();
      const viewerFramesPerSecond = (await measured) ?? [];
      process.send!({ memory, viewerFramesPerSecond } satisfies ViewedServerReport);
    } else if (message === 'stop') {
      viewers.close();
      await server.close();
      process.exit(0);
    }
  });
  process.send!({ url: server.url });
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
