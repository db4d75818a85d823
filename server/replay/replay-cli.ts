/**
 * Re-renders a logged session to a video file:
 *   npx tsx server/replay/replay-cli.ts --session default --out replay.webm [--store redis://127.0.0.1:6379] [--prefix worldtick:]
 * The session's origin and action log come from the shared state store (Redis; the
 * in-memory store lives and dies with its server process, so it cannot be replayed
 * from another command).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EngineFrameSource } from '../generator/engine-source';
import { FrameSource } from '../generator/frame-source';
import { SessionId } from '../protocol/client-events';
import { createStore, SessionOrigin } from '../store';
import { replayFrames } from './replay';
import { openVideo } from './video-writer';

const Args = z.object({
  session: SessionId,
  out: z.string().regex(/\.(webm|mp4|mkv)$/, '--out must end in .webm, .mp4 or .mkv'),
  store: z.string().url('--store takes a redis:// URL'),
  prefix: z.string().min(1),
});

function sourceFor(origin: SessionOrigin): FrameSource {
  if (origin.frameSource === 'engine') return new EngineFrameSource(origin.width, origin.height);
  throw new Error(`cannot replay frame source "${origin.frameSource}" yet (only "engine")`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      session: { type: 'string' },
      out: { type: 'string' },
      store: { type: 'string', default: process.env.STORE_URL ?? 'redis://127.0.0.1:6379' },
      prefix: { type: 'string', default: process.env.STORE_KEY_PREFIX ?? 'worldtick:' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`replay: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
    process.exit(2);
  }
  const args = parsed.data;
  const store = await createStore(args.store, { keyPrefix: args.prefix });
  try {
    const origin = await store.actions.origin(args.session);
    if (!origin) throw new Error(`no action log for session "${args.session}" in ${args.store}`);
    const log = await store.actions.read(args.session);
    const video = openVideo(args.out, origin.width, origin.height, origin.tickHz);
    let written = 0;
    for await (const { frame } of replayFrames(origin, log, sourceFor(origin))) {
      await video.write(frame);
      if (++written % 200 === 0)
        process.stderr.write(`replay: ${written}/${log.length + 1} frames\n`);
    }
    await video.finish();
    process.stdout.write(
      `wrote ${args.out}: ${written} frames of "${args.session}" (${origin.frameSource}, seed ${origin.seed})\n`,
    );
  } finally {
    await store.close();
  }
}

main().catch((error) => {
  process.stderr.write(`replay failed: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
