/**
 * The main command's process: it starts on defaults, serves the page, reports bad
 * configuration clearly, and shuts down cleanly (transports, workers) on SIGTERM.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function startMain(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(TSX, ['server/main.ts'], { cwd: ROOT, env: { ...process.env, ...env } });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, exited };
}

describe('server/main.ts', () => {
  it('serves the page, then stops cleanly on SIGTERM', async () => {
    const child = startMain({
      PORT: '0',
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      LOG_LEVEL: 'info',
    });
    const { out, exited } = collect(child);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not live in time:\n${out.stderr}`)), 30000);
      child.stdout.on('data', () => {
        const match = /live at (http:\/\/[^/\s]+)\//.exec(out.stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const page = await fetch(`${url}/s/default`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<video id="video"');
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
    const child = startMain({ PORT: 'eighty', TICK_HZ: '0' });
    const { out, exited } = collect(child);
    expect(await exited).toBe(2);
    expect(out.stderr).toContain('invalid configuration');
    expect(out.stderr).toMatch(/PORT/);
    expect(out.stderr).toMatch(/TICK_HZ/);
  }, 30000);
});
