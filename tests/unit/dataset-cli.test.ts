import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';

const ROOT = path.resolve(__dirname, '../..');

/** Runs a TypeScript command through tsx's loader (much faster to start than npx). */
function run(
  script: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, script), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dataset = (args: string[]) => run('model/dataset/cli.ts', args);
const preview = (args: string[]) => run('model/dataset/preview-cli.ts', args);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'worldtick-cli-'));
}

describe('dataset CLI input errors', () => {
  const out = path.join(os.tmpdir(), 'worldtick-cli-never-written');

  it.each([
    [['--out', out, '--episodes', 'abc'], '--episodes must be a whole number (got "abc")'],
    [['--out', out, '--episodes', '0'], '--episodes must be at least 1 (got "0")'],
    [['--out', out, '--heldout', '0.9'], '--heldout must be at most 0.5 (got "0.9")'],
    [['--out', out, '--width', '8'], '--width must be at least 16 (got "8")'],
    [['--out', out, '--seed=-3'], '--seed must be a whole number (got "-3")'],
    [
      ['--out', out, '--seed', '4294967296'],
      '--seed must be at most 4294967295 (got "4294967296")',
    ],
    [['--out', out, '--steps'], "Option '--steps <value>' argument missing"],
    [['--out', out, '--bogus', '1'], "Unknown option '--bogus'; known options: --out, --episodes"],
    [['--episodes', '3'], '--out is required'],
    [['--out', out, 'stray'], "Unexpected argument 'stray'"],
  ])('%j exits 2 with a message naming the problem', (args, message) => {
    const result = dataset(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`error: ${message}`);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('prints usage with --help and exits 0', () => {
    const result = dataset(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--episodes N');
    expect(result.stdout).toContain('(default 200)');
  });
});

describe('dataset and preview CLIs on a tiny dataset', () => {
  const dir = tempDir();
  let first: ReturnType<typeof dataset>;
  beforeAll(() => {
    first = dataset([
      '--out',
      dir,
      '--episodes',
      '2',
      '--steps',
      '3',
      '--width',
      '16',
      '--height',
      '16',
    ]);
  });

  it('writes the dataset, plain progress lines (not a TTY) and a coverage report', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'heldout-000.bin',
      'manifest.json',
      'train-000.bin',
    ]);
    expect(first.stdout).toContain('100% 2/2 episodes');
    expect(first.stdout).toMatch(/frames 8, steps 6, .* frames\/s/);
    expect(first.stdout).toMatch(/weather=clear +\d+/);
    expect(first.stdout).toMatch(/forward +\d+/);
  });

  it('refuses to overwrite a dataset without --force (exit 2), and replaces it with --force', () => {
    const tiny = [
      '--out',
      dir,
      '--episodes',
      '1',
      '--steps',
      '2',
      '--width',
      '16',
      '--height',
      '16',
    ];
    const again = dataset(tiny);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already holds a dataset; pass --force');
    const forced = dataset([...tiny, '--force']);
    expect(forced.status).toBe(0);
    // One episode means no held-out split: the old held-out shard must be gone too.
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'train-000.bin']);
  });

  it('previews a stored episode as a contact sheet PNG of the expected size, and a GIF', () => {
    const out = tempDir();
    const result = preview([
      '--data',
      dir,
      '--episode',
      '0',
      '--every',
      '1',
      '--columns',
      '2',
      '--png',
      path.join(out, 'sheet.png'),
      '--gif',
      path.join(out, 'clip.gif'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'sheet.png')));
    // 3 records (2 steps + start) in 2 columns: 2 rows of (16 + 2*2 border) x (16 + 2*2 + 6 strip) tiles.
    expect([png.width, png.height]).toEqual([2 * 20, 2 * 26]);
    expect(fs.readFileSync(path.join(out, 'clip.gif')).toString('ascii', 0, 6)).toBe('GIF89a');
  });

  it('preview exits 2 when told to write nothing or asked for a missing episode', () => {
    const nothing = preview(['--seed', '1']);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain('nothing to write');
    const missing = preview([
      '--data',
      dir,
      '--episode',
      '5',
      '--png',
      path.join(tempDir(), 'x.png'),
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--episode 5 is not in');
  });
});
