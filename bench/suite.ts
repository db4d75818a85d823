/**
 * What `npm run bench` runs, and with which arguments in each mode: the full suite
 * (about 12-14 minutes on 2 cores, plus the reliability run's 13 minutes, 10 of them its soak) and the smoke mode CI runs (under 2 minutes), which
 * exercises every benchmark's code path with tiny sizes and durations.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SuiteResults } from './lib/results';

export interface SuiteOptions {
  /** The generator model folder (manifest.json + graphs). */
  modelDir: string;
  /** Frame source of the action-to-photon run. */
  source: 'generator' | 'engine';
  torchConfig: string;
  torchSet: string[];
}

export interface BenchSpec {
  name: keyof SuiteResults;
  script: string;
  args: string[];
  /** Set when the benchmark cannot run here, with the reason. */
  skip?: string;
  timeoutS: number;
}

const REPOSITORY = path.resolve(__dirname, '..');

export function suite(mode: 'full' | 'smoke', options: SuiteOptions): BenchSpec[] {
  const full = mode === 'full';
  const pick = (fullArgs: string[], smokeArgs: string[]) => (full ? fullArgs : smokeArgs);
  const timeoutS = (fullS: number) => (full ? fullS : 60);
  const model = ['--model-dir', options.modelDir];
  const noModel = existsSync(path.resolve(REPOSITORY, options.modelDir, 'manifest.json'))
    ? undefined
    : `no generator model at ${options.modelDir}`;
  return [
    {
      name: 'engine',
      script: 'bench/engine.bench.ts',
      args: pick(['--sizes', '128,256', '--frames', '3000'], ['--sizes', '128', '--frames', '300']),
      timeoutS: timeoutS(60),
    },
    {
      name: 'encode',
      script: 'bench/encode.bench.ts',
      args: pick(['--seconds', '10'], ['--sizes', '128', '--codecs', 'vp8', '--seconds', '2']),
      timeoutS: timeoutS(240),
    },
    {
      name: 'generator',
      script: 'bench/generator.bench.ts',
      args: [
        ...model,
        ...['--torch-config', options.torchConfig],
        ...options.torchSet.flatMap((s) => ['--torch-set', s]),
        ...pick(['--batches', '1,2,4,8', '--runs', '30'], ['--batches', '1,2', '--runs', '5']),
      ],
      timeoutS: timeoutS(240),
    },
    {
      name: 'tick',
      script: 'bench/tick.bench.ts',
      args: pick(
        ['--sessions', '1,4,8', '--seconds', '20'],
        ['--sessions', '2', '--seconds', '2', '--warmup', '0.5'],
      ),
      timeoutS: timeoutS(180),
    },
    {
      name: 'tick-generator',
      script: 'bench/tick.bench.ts',
      args: [
        ...['--source', 'generator', ...model],
        ...pick(
          ['--sessions', '1,2,4,8', '--seconds', '10'],
          ['--sessions', '1', '--seconds', '2', '--warmup', '0.5'],
        ),
      ],
      skip: noModel,
      timeoutS: timeoutS(150),
    },
    {
      name: 'fanout',
      script: 'bench/fanout.bench.ts',
      args: pick(
        ['--browsers', '0,1,2,4', '--synthetic', '8,16,32,64,128,256,512,1024', '--seconds', '8'],
        ['--browsers', '0,1', '--synthetic', '8', '--seconds', '1'],
      ),
      timeoutS: timeoutS(300),
    },
    {
      name: 'ingest',
      script: 'bench/ingest.bench.ts',
      args: pick(
        ['--clients', '32', '--window', '4', '--seconds', '6', '--rate', '1000', '--rounds', '3'],
        ['--clients', '4', '--seconds', '1', '--rate', '200', '--rounds', '1'],
      ),
      timeoutS: timeoutS(240),
    },
    {
      name: 'memory',
      script: 'bench/memory.bench.ts',
      args: pick(
        ['--sessions', '1,10,50', '--settle', '5', '--seconds', '10'],
        ['--sessions', '2', '--settle', '0.5', '--seconds', '1'],
      ),
      timeoutS: timeoutS(180),
    },
    {
      name: 'edges',
      script: 'bench/edges.bench.ts',
      args: pick(
        ['--processes', '1,2,4', '--viewers', '0,250,500,1000,2000', '--seconds', '10'],
        ['--processes', '1,2', '--viewers', '0,8', '--seconds', '1'],
      ),
      timeoutS: timeoutS(600),
    },
    {
      name: 'paused',
      script: 'bench/paused.bench.ts',
      args: [
        ...model,
        ...pick(
          ['--sessions', '16', '--settle', '5', '--seconds', '30'],
          ['--source', 'engine', '--sessions', '2', '--settle', '0.5', '--seconds', '1'],
        ),
      ],
      skip: full ? noModel : undefined,
      timeoutS: timeoutS(300),
    },
    {
      name: 'admission',
      script: 'bench/admission.bench.ts',
      args: [
        ...model,
        ...pick(['--seconds', '20'], ['--source', 'engine', '--seconds', '1', '--settle', '0.5']),
      ],
      skip: full ? noModel : undefined,
      timeoutS: timeoutS(300),
    },
    {
      name: 'failover',
      script: 'bench/failover.bench.ts',
      args: pick(['--trials', '5'], ['--trials', '1']),
      skip: process.getuid?.() === 0 ? undefined : 'needs root (network namespaces)',
      timeoutS: timeoutS(300),
    },
    {
      // Issue 15's long run: 100k hostile messages, a 10-minute soak (a player, 20 spectators),
      // the lobby flood, 5 s and 20 s Redis outages.
      name: 'reliability',
      script: 'bench/reliability.ts',
      args: pick(
        ['--messages', '100000', '--clients', '20', '--soak', '600', '--outages', '5,20'],
        [
          '--messages',
          '6000',
          '--clients',
          '4',
          '--soak',
          '3',
          '--spectators',
          '4',
          '--outages',
          '2',
        ],
      ),
      // Smoke: about 40 s (three servers, a Redis, the 3 s soak), so more than the others' 60.
      timeoutS: full ? 1500 : 120,
    },
    photon(
      'action-to-photon',
      '0',
      pick(['--actions', '500'], ['--actions', '12', '--warmup', '2']),
    ),
    // The alternative: Chromium's own jitter buffer instead of "show it at once".
    photon(
      'action-to-photon-adaptive',
      'adaptive',
      pick(['--actions', '200'], ['--actions', '6', '--warmup', '2']),
    ),
  ];

  function photon(name: BenchSpec['name'], playoutDelay: string, sizes: string[]): BenchSpec {
    return {
      name,
      script: 'bench/action-to-photon.bench.ts',
      args: [...['--source', options.source, ...model, '--playout-delay', playoutDelay], ...sizes],
      timeoutS: timeoutS(300),
    };
  }
}
