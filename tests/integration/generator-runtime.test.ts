/**
 * @jest-environment ./tests/environments/onnxruntime.js
 *
 * The generator runtime on the shipped model through real onnxruntime-node: manifest
 * and graph validation, batching, the video prompt and held instructions.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../model/engine/engine';
import { makeInstruction } from '../../model/engine/instructions';
import { GeneratorRuntime, StepRequest } from '../../server/generator/generator-runtime';
import { loadManifest, Manifest, ManifestError } from '../../server/generator/manifest';

jest.setTimeout(60000);

const SHIPPED = path.join(__dirname, '../../model/shipped');
const options = { provider: 'cpu' as const, threads: 2, maxBatch: 8 };

/** A copy of the shipped model whose manifest the test may edit. */
function copyModel(edit: (manifest: Manifest, dir: string) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wt-model-'));
  cpSync(SHIPPED, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  edit(manifest, dir);
  writeFileSync(file, JSON.stringify(manifest));
  return dir;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function engineFrames(seed: number, count: number): Uint8Array[] {
  const engine = new Engine({ seed, width: 128, height: 128 });
  const frames = [engine.render()];
  for (let i = 1; i < count; i++) {
    engine.step(1, []);
    frames.push(engine.render());
  }
  return frames;
}

describe('model manifest and graph validation', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const broken = (edit: (m: Manifest, dir: string) => void) => {
    const dir = copyModel(edit);
    dirs.push(dir);
    return dir;
  };

  it('accepts the shipped model', async () => {
    const { manifest } = await loadManifest(SHIPPED);
    expect(manifest.format).toBe('worldtick-model');
  });

  it('refuses an unknown format version, naming the versions it reads', async () => {
    const dir = broken((m) => (m.formatVersion = 9));
    await expect(loadManifest(dir)).rejects.toThrow(
      /formatVersion 9 is not supported; this server reads 1/,
    );
  });

  it('refuses a graph file that differs from its SHA-256', async () => {
    const dir = broken((m, d) => {
      const step = path.join(d, m.graphs.step.file);
      const bytes = readFileSync(step);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(step, bytes);
    });
    await expect(loadManifest(dir)).rejects.toThrow(
      /graph "step": .* has SHA-256 [0-9a-f]{64}, the manifest says/,
    );
  });

  it('refuses a manifest whose shapes disagree with its own sizes', async () => {
    const dir = broken((m) => (m.graphs.step.inputs[0].shape[1] = 7));
    await expect(loadManifest(dir)).rejects.toThrow(
      /graphs\.step\.inputs "context": shape \["batch",7,.*expected \["batch",4,/,
    );
  });

  it('refuses a model that lacks an action key the server sends', async () => {
    const dir = broken(
      (m) => (m.actions.keys = m.actions.keys.map((k: string) => (k === 'jump' ? 'leap' : k))),
    );
    await expect(loadManifest(dir)).rejects.toThrow(ManifestError);
    await expect(loadManifest(dir)).rejects.toThrow(/actions\.keys lacks the server's keys jump/);
  });

  it('refuses a wrong graph: a decode graph shipped as the encode graph', async () => {
    const dir = broken((m, d) => {
      m.graphs.encode = {
        ...m.graphs.encode,
        file: m.graphs.decode.file,
        sha256: sha256(path.join(d, m.graphs.decode.file)),
        bytes: m.graphs.decode.bytes,
      };
    });
    await expect(GeneratorRuntime.load(dir, options)).rejects.toThrow(
      /graph "encode" inputs: tensors are \[latent\], expected \[frame\]/,
    );
  });
});

describe('generator runtime', () => {
  let runtime: GeneratorRuntime;
  beforeAll(async () => {
    runtime = await GeneratorRuntime.load(SHIPPED, options);
  });
  afterAll(() => runtime?.release());

  it('steps a batch of sessions to the same frames as one session at a time', async () => {
    const seeds = [3, 5, 8];
    for (const seed of seeds) {
      await runtime.open(`batched-${seed}`, engineFrames(seed, 2));
      await runtime.open(`single-${seed}`, engineFrames(seed, 2));
    }
    let largest = 0;
    for (let tick = 0; tick < 6; tick++) {
      const requests: StepRequest[] = seeds.map((seed, i) => ({
        sessionId: `batched-${seed}`,
        action: (tick * 37 + i * 11) & 0xff,
        instructions: tick === 1 && i === 0 ? [makeInstruction('weather', 'snow')] : [],
      }));
      const batched = await runtime.step(requests);
      for (const [i, request] of requests.entries()) {
        const [single] = await runtime.step([{ ...request, sessionId: `single-${seeds[i]}` }]);
        for (let p = 0; p < single.length; p++)
          largest = Math.max(largest, Math.abs(single[p] - batched[i][p]) / 255);
      }
    }
    expect(largest).toBeLessThanOrEqual(1e-4);
  });

  it('continues from a video prompt, and a prompt changes what it shows', async () => {
    await runtime.open('prompt-a', engineFrames(21, 4));
    await runtime.open('prompt-b', engineFrames(22, 1));
    const [a, b] = await runtime.step([
      { sessionId: 'prompt-a', action: 0, instructions: [] },
      { sessionId: 'prompt-b', action: 0, instructions: [] },
    ]);
    expect(a).toHaveLength(128 * 128 * 3);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
  });

  it('refuses a prompt frame of the wrong size and an unknown session, clearly', async () => {
    await expect(runtime.open('bad', [new Uint8Array(10)])).rejects.toThrow(
      /start frame 0 has 10 bytes; expected 128x128 RGB \(49152 bytes\)/,
    );
    await expect(
      runtime.step([{ sessionId: 'nobody', action: 0, instructions: [] }]),
    ).rejects.toThrow(/no session "nobody"/);
  });
});
