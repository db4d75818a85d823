/**
 * The browser app, built once per change of its sources: esbuild bundles client/ (and
 * the protocol it imports) into client/dist/<hash>/ with content-hashed file names, so
 * the server serves them with immutable cache headers and only the page itself is
 * revalidated. A server start with unchanged sources reuses the build on disk.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

export const CLIENT_DIR = path.resolve(__dirname, '../../client');
const PROTOCOL_DIR = path.resolve(__dirname, '../protocol');
const DIST_DIR = path.join(CLIENT_DIR, 'dist');

export interface ClientBuild {
  /** Folder holding index.html and the hashed assets. */
  dir: string;
  /** The page (every app route serves it). */
  page: Buffer;
  /** Hashed asset names (e.g. "app-3F2A1B.js") and their bytes. */
  assets: Map<string, Buffer>;
}

/** The current build of the client, made now if its sources changed since the last one. */
export async function clientBuild(): Promise<ClientBuild> {
  const dir = path.join(DIST_DIR, await sourceHash());
  const page = await fs.readFile(path.join(dir, 'index.html')).catch(() => null);
  if (!page) await buildInto(dir);
  return readBuild(dir);
}

async function buildInto(dir: string): Promise<void> {
  const staging = `${dir}.${process.pid}.tmp`;
  const result = await build({
    entryPoints: {
      app: path.join(CLIENT_DIR, 'main.ts'),
      style: path.join(CLIENT_DIR, 'style.css'),
    },
    bundle: true,
    outdir: staging,
    entryNames: '[name]-[hash]',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const script = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'))!;
  const style = outputs.find((f) => f.startsWith('style-') && f.endsWith('.css'))!;
  const template = await fs.readFile(path.join(CLIENT_DIR, 'index.html'), 'utf8');
  await fs.writeFile(
    path.join(staging, 'index.html'),
    template.replace('/app.js', `/assets/${script}`).replace('/style.css', `/assets/${style}`),
  );
  // Another process may have built the same sources meanwhile: either copy will do.
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
  // Earlier builds are of older sources: nothing serves them any more.
  for (const old of await fs.readdir(DIST_DIR)) {
    if (path.join(DIST_DIR, old) !== dir && !old.endsWith('.tmp'))
      await fs.rm(path.join(DIST_DIR, old), { recursive: true, force: true });
  }
}

async function readBuild(dir: string): Promise<ClientBuild> {
  const assets = new Map<string, Buffer>();
  for (const name of await fs.readdir(dir)) {
    if (name !== 'index.html') assets.set(name, await fs.readFile(path.join(dir, name)));
  }
  return { dir, page: await fs.readFile(path.join(dir, 'index.html')), assets };
}

/** A digest of every file the bundle is made from (the client and the protocol). */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  // The bundled libraries (mediasoup-client, socket.io-client, zod) too.
  hash.update(await fs.readFile(path.join(CLIENT_DIR, '../package-lock.json')));
  for (const root of [CLIENT_DIR, PROTOCOL_DIR]) {
    for (const file of (await listFiles(root)).sort()) {
      hash.update(path.relative(CLIENT_DIR, file));
      hash.update(await fs.readFile(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => e.name !== 'dist')
      .map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])),
  );
  return nested.flat();
}
