/**
 * Two Socket.IO servers in one jest process, each with the adapter of its own Redis
 * store, as two server processes would have: a room broadcast from one reaches a
 * client of the other, and a client that drops from one recovers its identity, rooms
 * and missed packets on the other (connection-state recovery across nodes).
 * Plain Node HTTP servers only: uWebSockets.js patches the adapter prototype globally.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connectClient, Socket } from 'socket.io-client';
import { createStore, StateStore } from '../../server/store';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';
import { waitUntil } from '../helpers/server';

interface Node {
  io: Server;
  store: StateStore;
  url: string;
}

const prefix = uniqueKeyPrefix('adapter');
let redis: TestRedis;
const nodes: Node[] = [];
const clients: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  // Socket.IO servers first: the store's connection carries their last messages.
  await Promise.all(nodes.map((node) => node.io.close()));
  await Promise.all(nodes.splice(0).map((node) => node.store.close()));
});

afterAll(async () => {
  await deleteKeys(redis.url, prefix);
  await redis.stop();
});

async function startNode(): Promise<Node> {
  const store = await createStore(redis.url, { keyPrefix: prefix });
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    adapter: store.createSocketAdapter(),
    connectionStateRecovery: { maxDisconnectionDuration: 10_000 },
  });
  io.on('connection', (socket) => {
    if (!socket.recovered) socket.join('room');
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const node = { io, store, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
  nodes.push(node);
  return node;
}

async function connect(url: string): Promise<Socket> {
  const client = connectClient(url, { transports: ['websocket'], reconnection: false });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('connect_error', reject);
  });
  return client;
}

function nextNews(client: Socket): Promise<string> {
  return new Promise((resolve) => client.once('news', resolve));
}

/**
 * Repeats `emit` until `arrived` settles. A node's stream reader starts at the end of
 * the stream when its first XREAD runs, so the first broadcasts after start-up may
 * pass before the other node reads; steady state is what is under test.
 */
async function emitUntil<T>(emit: () => void, arrived: Promise<T>, timeoutMs = 5000): Promise<T> {
  let done = false;
  const settled = arrived.finally(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (!done && Date.now() < deadline) {
    emit();
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  if (!done) throw new Error(`nothing arrived within ${timeoutMs} ms`);
  return settled;
}

it('delivers a room broadcast from one server to a client of the other', async () => {
  const [a, b] = [await startNode(), await startNode()];
  const client = await connect(b.url);

  const news = await emitUntil(() => a.io.to('room').emit('news', 'from a'), nextNews(client));

  expect(news).toBe('from a');
});

it('recovers a dropped connection on the other server, with the packets it missed', async () => {
  const [a, b] = [await startNode(), await startNode()];
  const client = await connect(a.url);
  const id = client.id;
  // A broadcast gives the client the stream offset it resumes from.
  await emitUntil(() => b.io.to('room').emit('news', 'before'), nextNews(client));

  // The connection drops; server a keeps the session in Redis for the recovery window.
  const { _pid: pid } = client as unknown as { _pid: string };
  client.io.engine.close();
  const raw = createClient({ url: redis.url });
  await raw.connect();
  await waitUntil(async () => (await raw.exists(`${prefix}sio:session:${pid}`)) === 1, 'session');
  await raw.close();
  a.io.to('room').emit('news', 'missed');

  // The client comes back through a load balancer that routes it to server b.
  (client.io as unknown as { uri: string }).uri = b.url;
  const missed = nextNews(client);
  client.connect();
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));

  expect(client.recovered).toBe(true);
  expect(client.id).toBe(id);
  expect(await missed).toBe('missed');
  // And it is back in its room, on b.
  expect(await emitUntil(() => a.io.to('room').emit('news', 'after'), nextNews(client))).toBe(
    'after',
  );
});
