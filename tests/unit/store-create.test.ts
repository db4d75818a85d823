/** Choosing a store by URL, and what a deployment sees when its Redis is not there. */
import net from 'node:net';
import { createStore, StoreUnavailableError, StoreUrlError } from '../../server/store';

it('is the in-memory store when no URL is given', async () => {
  const store = await createStore(undefined, { ttlMs: 5000 });
  expect(store.kind).toBe('memory');
  expect(store.ttlMs).toBe(5000);
  expect(store.createSocketAdapter()).toBeUndefined();
  await store.close();
});

it('names the accepted URL forms for an unknown scheme', async () => {
  await expect(createStore('memcached://127.0.0.1:11211')).rejects.toThrow(StoreUrlError);
  await expect(createStore('127.0.0.1:6379')).rejects.toThrow(/redis:\/\/.*no URL/);
});

it('fails fast naming the URL (password hidden) and what to check when Redis is unreachable', async () => {
  const port = await closedPort();
  const url = `redis://worker:s3cret@127.0.0.1:${port}/2`;
  const started = Date.now();
  const failure = createStore(url);

  await expect(failure).rejects.toThrow(StoreUnavailableError);
  await expect(failure).rejects.toThrow(`redis://worker:***@127.0.0.1:${port}/2`);
  await expect(failure).rejects.toThrow(/ECONNREFUSED.*redis-server is running/);
  await expect(failure).rejects.not.toThrow(/s3cret/);
  expect(Date.now() - started).toBeLessThan(2000);
});

/** A port nothing listens on: bound once, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
