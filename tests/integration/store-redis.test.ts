/**
 * What only the Redis store can show: separate processes (separate connections)
 * sharing one Redis, the key layout redis-store.ts documents, and a loud failure on
 * data the store did not write. The shared behaviour is in store-contract.test.ts.
 */
import { createClient } from 'redis';
import { createStore, SessionEntry, StateStore, StoreDataError } from '../../server/store';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';

const TTL_MS = 1000;
const runPrefix = uniqueKeyPrefix('redis');
let prefix = runPrefix;
let tests = 0;
let redis: TestRedis;
let raw: ReturnType<typeof createClient>;
const open: StateStore[] = [];

beforeAll(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
});

beforeEach(() => {
  prefix = `${runPrefix}${tests++}:`;
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  await raw.close();
  await deleteKeys(redis.url, runPrefix);
  await redis.stop();
});

async function processStore(): Promise<StateStore> {
  const store = await createStore(redis.url, { ttlMs: TTL_MS, keyPrefix: prefix });
  open.push(store);
  return store;
}

function entry(sessionId: string, processId: string): SessionEntry {
  const origin = { seed: 7, frameSource: 'engine', width: 64, height: 64, tickHz: 20 };
  return { sessionId, processId, url: `http://${processId}:3000`, ...origin };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('shares state between processes; a process that dies unannounced lapses, its log stays', async () => {
  const [a, b] = [await processStore(), await processStore()];
  await a.sessions.register(entry('from-a', 'proc-a'));
  await a.presence.put('from-a', { memberId: 'm1', role: 'player' });
  await a.actions.begin('from-a', entry('from-a', 'proc-a'));
  await a.actions.append('from-a', { tick: 0, action: 1, instructions: [], pilot: 'm1' });

  expect(await b.sessions.lookup('from-a')).toEqual(entry('from-a', 'proc-a'));
  expect(await b.presence.list('from-a')).toEqual([{ memberId: 'm1', role: 'player' }]);

  await a.close(); // dies: no unregister, no presence removal
  await b.sessions.register(entry('from-b', 'proc-b'));
  await sleep(TTL_MS * 0.6);
  await b.sessions.register(entry('from-b', 'proc-b'));
  await sleep(TTL_MS * 0.6);

  expect(await b.sessions.lookup('from-a')).toBeNull();
  expect(await b.sessions.list()).toEqual([entry('from-b', 'proc-b')]);
  expect(await b.presence.list('from-a')).toEqual([]);
  expect(await b.actions.length('from-a')).toBe(1);
  expect(await b.actions.origin('from-a')).toMatchObject({ seed: 7, frameSource: 'engine' });
});

it('lays its keys out as documented, with TTLs on the liveness records', async () => {
  const store = await processStore();
  await store.sessions.register(entry('s1', 'proc-1'));
  await store.presence.put('s1', { memberId: 'm1', role: 'host' });
  await store.actions.begin('s1', entry('s1', 'proc-1'));
  await store.actions.append('s1', { tick: 0, action: 0, instructions: [], pilot: null });
  await store.actions.append('s1', {
    tick: 1,
    action: 5,
    instructions: [
      { slot: 'weather', value: 'fog' },
      { slot: 'event', value: 'fire' },
    ],
    pilot: 'm1',
  });

  const ttl = async (key: string) => raw.pTTL(prefix + key);
  expect(await raw.hGetAll(`${prefix}session:s1`)).toMatchObject({
    processId: 'proc-1',
    seed: '7',
  });
  expect(await raw.sMembers(`${prefix}sessions`)).toEqual(['s1']);
  expect(await raw.hGetAll(`${prefix}member:s1:m1`)).toEqual({ memberId: 'm1', role: 'host' });
  expect(await raw.sMembers(`${prefix}presence:s1`)).toEqual(['m1']);
  for (const key of ['session:s1', 'member:s1:m1', 'presence:s1']) {
    expect(await ttl(key)).toBeGreaterThan(0);
    expect(await ttl(key)).toBeLessThanOrEqual(TTL_MS);
  }
  expect(await raw.xRange(`${prefix}log:s1`, '-', '+')).toEqual([
    { id: '0-1', message: { action: '0', instructions: '' } },
    { id: '1-1', message: { action: '5', instructions: 'weather=fog event=fire', pilot: 'm1' } },
  ]);
  expect(await raw.hGetAll(`${prefix}origin:s1`)).toMatchObject({ seed: '7', tickHz: '20' });
  expect(await ttl('log:s1')).toBe(-1); // the log outlives the process
});

it('refuses to decode data it did not write', async () => {
  const store = await processStore();
  await raw.hSet(`${prefix}session:odd`, { sessionId: 'odd', seed: 'many' });
  await raw.sAdd(`${prefix}sessions`, 'odd');
  await raw.xAdd(`${prefix}log:odd`, '0-1', { action: '1', instructions: 'weather: hail' });

  await expect(store.sessions.lookup('odd')).rejects.toThrow(StoreDataError);
  await expect(store.sessions.list()).rejects.toThrow(/registry entry does not decode/);
  await expect(store.actions.read('odd')).rejects.toThrow(/entry 0-1 does not decode/);
});
