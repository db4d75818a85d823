/**
 * The main command's process: it starts on defaults, serves the page, reports bad
 * configuration clearly, measures its session capacity, and on SIGTERM drains (members
 * told, unready, exit once they have left) and shuts down cleanly (transports, workers).
 */
import { JoinTokens } from '../../server/session/join-tokens';
import { liveUrl, spawnLocalMain, spawnMain } from '../helpers/process';
import { ask, connect, waitFor } from '../helpers/server';
import type { RunningServer } from '../../server/app';

describe('server/main.ts', () => {
  it('serves the page, then stops cleanly on SIGTERM', async () => {
    const server = spawnLocalMain({
      LOG_LEVEL: 'info',
    });
    const { child, output: out, exited } = server;
    const url = await liveUrl(server);
    const page = await fetch(`${url}/s/default`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    // The page names its content-hashed script, which may be cached for good.
    const script = /<script src="(\/assets\/app-\w+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await asset.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${url}/assets/app-NOSUCH.js`)).status).toBe(404);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/worldtick_tick_duration_ms_count \d+/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const logs = out.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['worldtick serving', 'shutting down', 'worldtick stopped']),
    );
    // Capacity was measured on the default source (the generator): its step time.
    const capacity = logs.find((l) => l.msg === 'session capacity');
    expect(capacity.sessions).toBeGreaterThanOrEqual(1);
    expect(capacity.basis.stepMs).toBeGreaterThan(0);
  }, 60000);

  it('drains on SIGTERM: members told, unready, and it exits once they have left', async () => {
    const secret = 'drain-test-secret-0123456789';
    const server = spawnLocalMain({
      FRAME_SOURCE: 'engine',
      JOIN_SECRET: secret,
      DRAIN_TIMEOUT_MS: '20000',
    });
    const url = await liveUrl(server);
    const member = await connect({ url } as RunningServer);
    const token = await new JoinTokens(secret, 60).issue('default', 'spectator', 'watcher');
    expect(await ask(member, 'join', { token })).toMatchObject({ ok: true });
    const told = waitFor<{ withinMs: number }>(member, 'session:draining');

    const signalled = performance.now();
    server.child.kill('SIGTERM');
    expect(await told).toEqual({ sessionId: 'default', withinMs: 20000 });
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    // Still serving its member while draining.
    await waitFor(member, 'tick');
    const closed = waitFor<{ reason: string }>(member, 'session:closed').catch(() => null);
    member.close();
    expect(await server.exited).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(15000);
    expect(await closed).toBeNull(); // it had left before the close
  }, 60000);

  it('refuses bad configuration with every problem listed and exit code 2', async () => {
    const { output: out, exited } = spawnMain({ PORT: 'eighty', TICK_HZ: '0' });
    expect(await exited).toBe(2);
    expect(out.stderr).toContain('invalid configuration');
    expect(out.stderr).toMatch(/PORT/);
    expect(out.stderr).toMatch(/TICK_HZ/);
  }, 30000);
});
