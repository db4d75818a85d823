/**
 * The state-store contract, run against both implementations: what the server may
 * rely on whichever store a deployment configures. Redis is a real server.
 */
import { actionFromKeys } from '../../model/engine/actions';
import { makeInstruction } from '../../model/engine/instructions';
import {
  ActionLogEntry,
  ActionLogOrderError,
  createStore,
  FleetRequestError,
  PresenceMember,
  ProcessLoad,
  SessionClaimedError,
  SessionEntry,
  SessionOrigin,
  StateStore,
} from '../../server/store';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';

const TTL_MS = 1000;
const prefix = uniqueKeyPrefix('contract');
let redis: TestRedis;
let opened = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

const backends: [string, () => Promise<StateStore>][] = [
  ['memory', () => createStore(undefined, { ttlMs: TTL_MS })],
  // A fresh prefix per test: each starts from an empty Redis as it does from empty memory.
  ['redis', () => createStore(redis.url, { ttlMs: TTL_MS, keyPrefix: `${prefix}${opened++}:` })],
];

const ORIGIN: SessionOrigin = {
  seed: 4_000_000_007,
  frameSource: 'engine',
  width: 128,
  height: 96,
  tickHz: 20,
};

function entry(sessionId: string, processId: string): SessionEntry {
  return { sessionId, processId, url: `http://${processId}.internal:3000`, ...ORIGIN };
}

const byId = <T extends { sessionId: string } | { memberId: string }>(items: T[]) =>
  [...items].sort((a, b) => idOf(a).localeCompare(idOf(b)));
const idOf = (item: { sessionId: string } | { memberId: string }) =>
  'sessionId' in item ? item.sessionId : item.memberId;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Five ticks exercising every field: idle and held keys, zero to two instructions, a pilot or none. */
const TICKS: ActionLogEntry[] = [
  { tick: 0, action: 0, instructions: [], pilot: null },
  {
    tick: 1,
    action: actionFromKeys(['forward']),
    instructions: [makeInstruction('weather', 'snow')],
    pilot: 'member-1',
  },
  {
    tick: 2,
    action: actionFromKeys(['forward', 'jump', 'sprint']),
    instructions: [makeInstruction('event', 'tornado'), makeInstruction('time', 'night')],
    pilot: 'member-1',
  },
  { tick: 3, action: actionFromKeys(['turn_left']), instructions: [], pilot: 'member-2' },
  { tick: 4, action: 0, instructions: [makeInstruction('biome', 'desert')], pilot: null },
];

describe.each(backends)('%s store', (_kind, open) => {
  let store: StateStore;

  beforeEach(async () => {
    store = await open();
  });

  afterEach(async () => {
    await store.close();
  });

  describe('session registry', () => {
    it('finds registered sessions by id and lists them', async () => {
      await store.sessions.register(entry('alpha', 'proc-1'));
      await store.sessions.register(entry('beta', 'proc-2'));

      expect(await store.sessions.lookup('alpha')).toEqual(entry('alpha', 'proc-1'));
      expect(await store.sessions.lookup('missing')).toBeNull();
      expect(byId(await store.sessions.list())).toEqual([
        entry('alpha', 'proc-1'),
        entry('beta', 'proc-2'),
      ]);
    });

    it('lets one live process hold a session; only the holder refreshes or removes it', async () => {
      await store.sessions.register(entry('alpha', 'proc-1'));

      const stolen = store.sessions.register(entry('alpha', 'proc-2'));
      await expect(stolen).rejects.toThrow(SessionClaimedError);
      await expect(stolen).rejects.toMatchObject({ sessionId: 'alpha', owner: 'proc-1' });

      const moved = { ...entry('alpha', 'proc-1'), url: 'http://proc-1.public:4000' };
      await store.sessions.register(moved);
      expect(await store.sessions.lookup('alpha')).toEqual(moved);

      await store.sessions.unregister('alpha', 'proc-2');
      expect(await store.sessions.lookup('alpha')).toEqual(moved);
      await store.sessions.unregister('alpha', 'proc-1');
      expect(await store.sessions.lookup('alpha')).toBeNull();
      expect(await store.sessions.list()).toEqual([]);

      await store.sessions.register(entry('alpha', 'proc-2'));
      expect(await store.sessions.lookup('alpha')).toEqual(entry('alpha', 'proc-2'));
    });

    it("drops a dead process's sessions after the TTL while a heartbeat keeps a live one's", async () => {
      await store.sessions.register(entry('kept', 'live'));
      await store.sessions.register(entry('orphan', 'dead'));
      await sleep(TTL_MS * 0.6);
      await store.sessions.register(entry('kept', 'live')); // the live process's heartbeat
      await sleep(TTL_MS * 0.6);

      expect(await store.sessions.lookup('orphan')).toBeNull();
      expect(await store.sessions.list()).toEqual([entry('kept', 'live')]);
      // The dead process's claim is free again.
      await store.sessions.register(entry('orphan', 'live'));
      expect(await store.sessions.lookup('orphan')).toEqual(entry('orphan', 'live'));
    });

    it("keeps a session's lobby summary with its entry, typed as given", async () => {
      const summary = {
        title: 'Desert run',
        controlMode: 'democracy',
        players: 3,
        spectators: 40,
        paused: false,
        startedAt: 1_764_000_000_000,
      };
      await store.sessions.register({ ...entry('alpha', 'proc-1'), ...summary });
      expect(await store.sessions.lookup('alpha')).toEqual({
        ...entry('alpha', 'proc-1'),
        ...summary,
      });
      await store.sessions.register({ ...entry('alpha', 'proc-1'), ...summary, paused: true });
      expect((await store.sessions.list())[0]).toMatchObject({ paused: true, players: 3 });
    });

    it('keeps only the entry fields of a richer object', async () => {
      await store.sessions.register({ ...entry('alpha', 'proc-1'), extra: 'x' } as SessionEntry);
      expect(await store.sessions.lookup('alpha')).toEqual(entry('alpha', 'proc-1'));
    });
  });

  describe('process loads', () => {
    const load = (processId: string, sessions: number, draining = false): ProcessLoad => ({
      processId,
      url: `http://${processId}.internal:3000`,
      sessions,
      capacity: 4,
      viewers: 3 * sessions,
      viewerCapacity: 1000,
      draining,
    });
    const byProcess = (loads: ProcessLoad[]) =>
      [...loads].sort((a, b) => a.processId.localeCompare(b.processId));

    it('lists what each process announced last, and forgets a withdrawn one', async () => {
      await store.processes.announce(load('proc-1', 1));
      await store.processes.announce(load('proc-2', 0));
      await store.processes.announce(load('proc-1', 2, true));
      expect(byProcess(await store.processes.list())).toEqual([
        load('proc-1', 2, true),
        load('proc-2', 0),
      ]);
      await store.processes.withdraw('proc-1');
      expect(await store.processes.list()).toEqual([load('proc-2', 0)]);
    });

    it('forgets a process that stopped announcing (it died) after the TTL', async () => {
      await store.processes.announce(load('live', 1));
      await store.processes.announce(load('dead', 1));
      await sleep(TTL_MS * 0.6);
      await store.processes.announce(load('live', 1));
      await sleep(TTL_MS * 0.6);
      expect(await store.processes.list()).toEqual([load('live', 1)]);
    });

    it('keeps only the load fields of a richer object', async () => {
      await store.processes.announce({ ...load('proc-1', 1), extra: 'x' } as ProcessLoad);
      expect(await store.processes.list()).toEqual([load('proc-1', 1)]);
    });
  });

  describe('fleet bus', () => {
    const never = () => new Promise<never>(() => {});

    it("answers a request with the handler's result", async () => {
      await store.bus.listen('proc-1', async (body) => ({ echoed: body }));
      expect(await store.bus.request('proc-1', { hello: [1, 2] }, 2000)).toEqual({
        echoed: { hello: [1, 2] },
      });
    });

    it("gives the asker the handler's error code and message", async () => {
      await store.bus.listen('proc-1', async () => {
        throw Object.assign(new Error('no such session "x"'), { code: 'UNKNOWN_SESSION' });
      });
      const asked = store.bus.request('proc-1', {}, 2000);
      await expect(asked).rejects.toThrow(FleetRequestError);
      await expect(asked).rejects.toMatchObject({
        code: 'UNKNOWN_SESSION',
        message: 'no such session "x"',
      });
    });

    it('fails at once for a process nobody listens as, and at the timeout for a silent one', async () => {
      await expect(store.bus.request('nobody', {}, 2000)).rejects.toMatchObject({
        code: 'NO_PROCESS',
      });
      await store.bus.listen('proc-1', never);
      const began = performance.now();
      await expect(store.bus.request('proc-1', {}, 200)).rejects.toMatchObject({
        code: 'TIMEOUT',
      });
      expect(performance.now() - began).toBeGreaterThanOrEqual(190);
    });
  });

  describe('presence', () => {
    const host: PresenceMember = { memberId: 'm-host', role: 'host' };
    const viewer: PresenceMember = { memberId: 'm-view', role: 'spectator' };

    it('adds, updates, lists and removes members per session', async () => {
      await store.presence.put('alpha', host);
      await store.presence.put('alpha', viewer);
      await store.presence.put('beta', viewer);
      expect(byId(await store.presence.list('alpha'))).toEqual([host, viewer]);

      const promoted = { ...viewer, role: 'player' };
      await store.presence.put('alpha', promoted);
      expect(byId(await store.presence.list('alpha'))).toEqual([host, promoted]);

      await store.presence.remove('alpha', 'm-host');
      expect(await store.presence.list('alpha')).toEqual([promoted]);
      expect(await store.presence.list('beta')).toEqual([viewer]);
      expect(await store.presence.list('nobody-here')).toEqual([]);
    });

    it('forgets a member not announced again within the TTL', async () => {
      await store.presence.put('alpha', host);
      await store.presence.put('alpha', viewer);
      await sleep(TTL_MS * 0.6);
      await store.presence.put('alpha', viewer);
      await sleep(TTL_MS * 0.6);
      expect(await store.presence.list('alpha')).toEqual([viewer]);
    });

    it('keeps only memberId and role of a richer member object', async () => {
      await store.presence.put('alpha', { ...host, connected: true } as PresenceMember);
      expect(await store.presence.list('alpha')).toEqual([host]);
    });
  });

  describe('action log', () => {
    async function logTicks(sessionId: string) {
      await store.actions.begin(sessionId, ORIGIN);
      for (const tick of TICKS) await store.actions.append(sessionId, tick);
    }

    it('keeps seats until they are removed or the log begins again', async () => {
      const seat = (memberId: string, role: string) => ({
        memberId,
        name: `name of ${memberId}`,
        role,
        tokenId: `token-${memberId}`,
        resumeToken: `secret-${memberId}`,
      });
      await store.actions.begin('alpha', ORIGIN);
      await store.actions.putSeat('alpha', seat('m1', 'host'));
      await store.actions.putSeat('alpha', seat('m2', 'player'));
      await store.actions.putSeat('alpha', seat('m2', 'spectator')); // replaced
      await store.actions.putSeat('beta', seat('m3', 'player'));
      const byMember = (seats: { memberId: string }[]) =>
        [...seats].sort((a, b) => a.memberId.localeCompare(b.memberId));
      expect(byMember(await store.actions.seats('alpha'))).toEqual([
        seat('m1', 'host'),
        seat('m2', 'spectator'),
      ]);
      await store.actions.removeSeat('alpha', 'm1');
      expect(await store.actions.seats('alpha')).toEqual([seat('m2', 'spectator')]);
      await store.actions.begin('alpha', ORIGIN);
      expect(await store.actions.seats('alpha')).toEqual([]);
      expect(await store.actions.seats('beta')).toEqual([seat('m3', 'player')]);
    });

    it('reads back what was appended, in tick order, whole or by range', async () => {
      await logTicks('alpha');

      expect(await store.actions.origin('alpha')).toEqual(ORIGIN);
      expect(await store.actions.length('alpha')).toBe(TICKS.length);
      expect(await store.actions.read('alpha')).toEqual(TICKS);
      expect(await store.actions.read('alpha', 1, 3)).toEqual(TICKS.slice(1, 4));
      expect(await store.actions.read('alpha', 3)).toEqual(TICKS.slice(3));
      expect(await store.actions.read('alpha', 4, 2)).toEqual([]);
    });

    it('is append-only: a tick at or before the last one is refused', async () => {
      await logTicks('alpha');

      for (const tick of [4, 2, -1, 1.5, NaN]) {
        await expect(store.actions.append('alpha', { ...TICKS[0], tick })).rejects.toThrow(
          ActionLogOrderError,
        );
      }
      expect(await store.actions.length('alpha')).toBe(TICKS.length);
      await store.actions.append('alpha', { ...TICKS[0], tick: 5 });
      expect((await store.actions.read('alpha', 5)).map((e) => e.tick)).toEqual([5]);
    });

    it('starts afresh when the session id begins again, and keeps logs apart', async () => {
      await logTicks('alpha');
      await logTicks('beta');
      const reseeded = { ...ORIGIN, seed: 1 };

      await store.actions.begin('alpha', reseeded);
      expect(await store.actions.origin('alpha')).toEqual(reseeded);
      expect(await store.actions.length('alpha')).toBe(0);
      await store.actions.append('alpha', TICKS[0]);
      expect(await store.actions.read('alpha')).toEqual([TICKS[0]]);
      expect(await store.actions.read('beta')).toEqual(TICKS);
    });

    it('keeps how the session is run with its origin, and its changes', async () => {
      const run = { title: 'Co-op night', controlMode: 'democracy', instructionRule: 'vote' };
      await store.actions.begin('alpha', { ...ORIGIN, ...run });
      expect(await store.actions.origin('alpha')).toEqual({ ...ORIGIN, ...run });
      await store.actions.putOrigin('alpha', { ...ORIGIN, ...run, controlMode: 'anarchy' });
      expect(await store.actions.origin('alpha')).toMatchObject({ controlMode: 'anarchy' });
    });

    it('writes a lost origin again without touching the entries', async () => {
      await logTicks('alpha');
      await store.actions.putOrigin('alpha', ORIGIN);
      await store.actions.putOrigin('fresh', ORIGIN);

      expect(await store.actions.origin('alpha')).toEqual(ORIGIN);
      expect(await store.actions.read('alpha')).toEqual(TICKS);
      expect(await store.actions.origin('fresh')).toEqual(ORIGIN);
      expect(await store.actions.length('fresh')).toBe(0);
    });

    it('lists logs begun and not ended as unfinished; an ended log stays readable', async () => {
      await store.actions.begin('died', ORIGIN);
      await store.actions.begin('closed', ORIGIN);
      await store.actions.append('closed', TICKS[0]);
      await store.actions.end('closed');
      expect(await store.actions.unfinished()).toEqual(['died']);
      expect(await store.actions.read('closed')).toEqual([TICKS[0]]);
      // Begun again under the same id: a new world, unfinished again.
      await store.actions.begin('closed', ORIGIN);
      expect((await store.actions.unfinished()).sort()).toEqual(['closed', 'died']);
    });

    it('keeps the latest snapshot of a session, byte for byte, until it begins again', async () => {
      expect(await store.actions.snapshot('alpha')).toBeNull();
      await store.actions.begin('alpha', ORIGIN);
      const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);
      await store.actions.putSnapshot('alpha', { tick: 100, bytes: new Uint8Array(10) });
      await store.actions.putSnapshot('alpha', { tick: 200, bytes });
      expect(await store.actions.snapshot('alpha')).toEqual({ tick: 200, bytes });
      expect(await store.actions.snapshot('beta')).toBeNull();
      await store.actions.begin('alpha', ORIGIN);
      expect(await store.actions.snapshot('alpha')).toBeNull();
    });

    it('has nothing for a session that never logged', async () => {
      expect(await store.actions.origin('missing')).toBeNull();
      expect(await store.actions.read('missing')).toEqual([]);
      expect(await store.actions.length('missing')).toBe(0);
    });
  });
});
