/**
 * A mediasoup worker killed with SIGKILL: the pool starts a replacement, every session
 * that lived on it rebuilds its router and producer there, says 'reset', and frames
 * flow again; its members' transports are gone (they must create new ones).
 */
import { once } from 'node:events';
import { SessionMedia } from '../../server/media/session-media';
import { WorkerPool, type WorkerReplaced } from '../../server/media/worker-pool';
import { ensureWorkerBin, FramePump, RtpTap } from './media-helpers';

const VIDEO = { codec: 'vp8', width: 128, height: 128, fps: 20 } as const;

beforeAll(() => {
  ensureWorkerBin();
});

test('a killed worker is replaced and its session resumes on the replacement', async () => {
  const pool = await WorkerPool.create({ size: 1 });
  const media = await SessionMedia.create(pool, VIDEO);
  const pump = new FramePump(media);
  try {
    await media.createTransport('alice');
    await media.consume('alice', media.rtpCapabilities);
    const before = await RtpTap.open(media);
    await pump.push(5);
    await before.waitFor(() => before.frameTimestamps.length === 5, 1000, 'frames before the kill');
    const [worker] = pool.workers;
    const oldRouter = media.router;

    const replaced = once(pool, 'workerReplaced') as Promise<[WorkerReplaced]>;
    const reset = once(media, 'reset');
    process.kill(worker.pid, 'SIGKILL');
    const [info] = await replaced;
    await reset;

    expect(info.diedPid).toBe(worker.pid);
    expect(info.pid).not.toBe(worker.pid);
    expect(pool.workers.map((w) => w.pid)).toEqual([info.pid]);
    expect(oldRouter.closed).toBe(true);
    expect(media.router).not.toBe(oldRouter);
    expect(media.stats()).toMatchObject({ consumers: 0, resets: 1 });
    await expect(media.consume('alice', media.rtpCapabilities)).rejects.toThrow(/no transport/);

    // Members come back the way the session tells them to: new transport, new consumer.
    await media.createTransport('alice');
    await media.consume('alice', media.rtpCapabilities);
    const after = await RtpTap.open(media);
    const firstTick = pump.nextTick;
    await pump.push(5);
    await after.waitFor(() => after.frameTimestamps.length === 5, 2000, 'frames after the reset');
    expect(after.frameTimestamps[0]).toBe(media.rtpTimestampOfTick(firstTick));
    expect(after.keyframeTimestamps('vp8')[0]).toBe(after.frameTimestamps[0]);
    expect(media.stats().consumers).toBe(1);
    expect(pump.errors).toEqual([]);
  } finally {
    media.close();
    await pool.close();
  }
});

test('with two workers, a session on the dead one moves to the live one at once', async () => {
  const pool = await WorkerPool.create({ size: 2 });
  const sessions = await Promise.all([
    SessionMedia.create(pool, VIDEO),
    SessionMedia.create(pool, VIDEO),
  ]);
  try {
    // Least-loaded placement: one router per worker.
    const pids = await Promise.all(sessions.map((s) => workerPidOf(pool, s)));
    expect(new Set(pids).size).toBe(2);

    const [victim, survivor] = sessions;
    const survivorRouter = survivor.router;
    const reset = once(victim, 'reset');
    const replaced = once(pool, 'workerReplaced');
    process.kill(pids[0], 'SIGKILL');
    await Promise.all([reset, replaced]);

    expect(survivor.router).toBe(survivorRouter);
    expect(survivorRouter.closed).toBe(false);
    const tap = await RtpTap.open(victim);
    await new FramePump(victim).push(3);
    await tap.waitFor(() => tap.frameTimestamps.length === 3, 2000, 'frames after the reset');
  } finally {
    sessions.forEach((s) => s.close());
    await pool.close();
  }
});

test('closing the pool closes every worker', async () => {
  const pool = await WorkerPool.create({ size: 2 });
  const workers = pool.workers;
  await pool.close();
  expect(workers.every((w) => w.closed)).toBe(true);
  await expect(pool.createRouter()).rejects.toThrow('worker pool is closed');
});

test('a missing worker binary is reported with the script that builds it', async () => {
  await expect(WorkerPool.create({ workerBin: '/nonexistent/mediasoup-worker' })).rejects.toThrow(
    /"\/nonexistent\/mediasoup-worker" is missing or not executable; infra\/mediasoup\/ensure-worker\.sh/,
  );
});

async function workerPidOf(pool: WorkerPool, media: SessionMedia): Promise<number> {
  for (const worker of pool.workers) {
    if ((await worker.dump()).routerIds.includes(media.router.id)) return worker.pid;
  }
  throw new Error('router is on no worker of the pool');
}
