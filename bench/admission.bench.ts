/**
 * Admission: a full process refuses the next session instead of slowing the ones it runs.
 * A server process (its own OS process, capacity measured at start-up from its frame
 * source) is filled to capacity with ticking sessions (PAUSE_WHEN_EMPTY=false: ticking as
 * if watched); its overrun rate is measured, then once more after one more session was
 * asked for and refused with NO_CAPACITY. For contrast, a second process is told a
 * capacity one higher and runs that many: what admitting the extra session would cost.
 * Run: npx tsx bench/admission.bench.ts [--source generator --model-dir model/shipped --seconds 20]
 */
import { parseArgs } from 'node:util';
import type { RunningServer } from '../server/app';
import { ask, connect } from '../tests/helpers/server';
import { sleep } from './lib/cpu-window';
import { emitResult, progress, runMain } from './lib/result';
import type { AdmissionResult, AdmissionRow, DataOf } from './lib/results';
import { ServerProcess, startServerProcess } from './lib/server-process';
import { round } from './lib/stats';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'generator' },
    'model-dir': { type: 'string', default: 'model/shipped' },
    seconds: { type: 'string', default: '20' },
    settle: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const CREATE_KEY = 'admission-bench-operator-key';

interface Health {
  sessions: number;
  capacity: number;
  tick: { ticks: number; overruns: number };
}

const health = async (server: ServerProcess): Promise<Health> =>
  (await fetch(`${server.url}/healthz`)).json();

/** Overruns over a window of the process's ticks, and how many sessions ticked. */
async function overrunsOver(server: ServerProcess, label: string, refused: boolean) {
  await sleep(Number(values.settle) * 1000);
  const before = await health(server);
  await sleep(Number(values.seconds) * 1000);
  const after = await health(server);
  const ticks = after.tick.ticks - before.tick.ticks;
  const overruns = after.tick.overruns - before.tick.overruns;
  const row: AdmissionRow = {
    label,
    sessions: after.sessions,
    capacity: after.capacity,
    refused,
    ticks,
    overruns,
    overrunRate: round(overruns / Math.max(1, ticks + overruns), 4),
  };
  progress('admission', row);
  return row;
}

async function start(capacity?: number): Promise<ServerProcess> {
  return startServerProcess(
    {
      SESSIONS: '',
      FRAME_SOURCE: values.source!,
      MODEL_DIR: values['model-dir']!,
      CREATE_KEY,
      // Nobody joins these sessions: keep them for the whole run.
      UNJOINED_CLOSE_MS: '600000',
      IDLE_CLOSE_MS: '600000',
      ...(capacity ? { SESSION_CAPACITY: String(capacity) } : {}),
    },
    120000,
  );
}

/** Asks `count` sessions of the process; the replies' error codes, or 'ok'. */
async function create(server: ServerProcess, count: number): Promise<string[]> {
  const lobby = await connect({ url: server.url, createKey: CREATE_KEY } as RunningServer);
  try {
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      const reply = await ask(lobby, 'session:create', { name: `load-${i}` });
      codes.push(reply.ok ? 'ok' : reply.error.code);
    }
    return codes;
  } finally {
    lobby.close();
  }
}

runMain(async () => {
  const rows: AdmissionRow[] = [];
  const full = await start();
  let capacity: number;
  try {
    capacity = (await health(full)).capacity;
    const filled = await create(full, capacity);
    if (filled.some((code) => code !== 'ok')) throw new Error(`could not fill: ${filled}`);
    rows.push(await overrunsOver(full, 'full', false));
    const [extra] = await create(full, 1);
    if (extra !== 'NO_CAPACITY') throw new Error(`the extra session was answered ${extra}`);
    rows.push(await overrunsOver(full, 'full, one more refused', true));
  } finally {
    await full.stop();
  }
  const over = await start(capacity + 1);
  try {
    await create(over, capacity + 1);
    rows.push(await overrunsOver(over, 'one more admitted (contrast)', false));
  } finally {
    await over.stop();
  }
  emitResult<DataOf<AdmissionResult>>('admission', values.out, {
    source: values.source!,
    seconds: Number(values.seconds),
    rows,
  });
});
