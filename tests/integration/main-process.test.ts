/**
 * The main command's process: it starts on defaults, serves the page, reports bad
 * configuration clearly, and shuts down cleanly (transports, workers) on SIGTERM.
 */
import { liveUrl, spawnMain } from '../helpers/process';

describe('server/main.ts', () => {
  it('serves the page, then stops cleanly on SIGTERM', async () => {
    const server = spawnMain({
      PORT: '0',
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
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
  }, 60000);

  it('refuses bad configuration with every problem listed and exit code 2', async () => {
    const { output: out, exited } = spawnMain({ PORT: 'eighty', TICK_HZ: '0' });
    expect(await exited).toBe(2);
    expect(out.stderr).toContain('invalid configuration');
    expect(out.stderr).toMatch(/PORT/);
    expect(out.stderr).toMatch(/TICK_HZ/);
  }, 30000);
});
