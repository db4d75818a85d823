/** Builds the configured frame source: the learned generator (default) or the engine. */
import path from 'node:path';
import { Config } from '../config';
import { Logger } from '../log';
import { EngineFrameSource } from './engine-source';
import { FrameSource } from './frame-source';
import { GeneratorRuntime } from './generator-runtime';
import { GeneratorFrameSource } from './generator-source';

const REPOSITORY = path.resolve(__dirname, '../..');

export async function createFrameSource(config: Config, log: Logger): Promise<FrameSource> {
  if (config.FRAME_SOURCE === 'engine')
    return new EngineFrameSource(config.FRAME_WIDTH, config.FRAME_HEIGHT);
  const dir = path.resolve(REPOSITORY, config.MODEL_DIR);
  const began = performance.now();
  const runtime = await GeneratorRuntime.load(dir, {
    provider: config.GENERATOR_PROVIDER,
    threads: config.GENERATOR_THREADS,
    maxBatch: config.GENERATOR_MAX_BATCH,
  });
  const { name, version, frame, fps } = runtime.manifest;
  log.info('generator loaded', {
    model: `${name}@${version}`,
    dir,
    provider: runtime.provider,
    threads: config.GENERATOR_THREADS,
    frame: `${frame.width}x${frame.height}`,
    loadMs: Math.round(performance.now() - began),
  });
  if (fps !== config.TICK_HZ)
    log.warn('the model was trained at another tick rate', {
      modelFps: fps,
      tickHz: config.TICK_HZ,
    });
  return new GeneratorFrameSource(runtime);
}
