/** Bundles the browser app (client/) in memory with esbuild, once at start-up. */
import path from 'node:path';
import { build } from 'esbuild';

export const CLIENT_DIR = path.resolve(__dirname, '../../client');

export async function bundleClient(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(CLIENT_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
