/**
 * The HTTP side: the browser app (/ and /s/<session>), its hashed assets, a health
 * check (/healthz: the process works; liveness), a readiness check (/readyz: 503 while
 * draining, so an orchestrator sends it no new clients) and Prometheus metrics. Routing is one function; `nodeHandler` and `serveOnUws`
 * adapt it to Node's HTTP server or to uWebSockets.js, whichever Socket.IO runs on.
 */
import http from 'node:http';
import { Registry } from 'prom-client';
import type { TemplatedApp } from 'uWebSockets.js';
import { ClientBuild } from './client-build';

export interface HttpAppOptions {
  client: ClientBuild;
  metrics: Registry;
  health: () => Record<string, unknown>;
  /** Whether this process takes new sessions and clients (false while draining). */
  ready: () => boolean;
}

interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  /** Cache-Control: hashed assets never change; the page is revalidated; the rest is live. */
  cache: string;
}

const NO_STORE = 'no-store';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const ASSET_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

type Route = (method: string, url: string) => Promise<Reply>;

export function createRoutes(options: HttpAppOptions): Route {
  const { page, assets } = options.client;
  const reply = (status: number, type: string, body: string | Buffer, cache = NO_STORE): Reply => ({
    status,
    type,
    body,
    cache,
  });
  return async (method, rawUrl) => {
    const { pathname } = new URL(rawUrl, 'http://localhost');
    if (method !== 'GET') return reply(405, 'text/plain', 'method not allowed');
    if (pathname === '/' || /^\/s\/[a-z0-9-]{1,40}\/?$/.test(pathname))
      return reply(200, 'text/html; charset=utf-8', page, REVALIDATE);
    const asset = /^\/assets\/([\w-]+\.(js|css))$/.exec(pathname);
    if (asset && assets.has(asset[1]))
      return reply(200, ASSET_TYPES[asset[2]], assets.get(asset[1])!, IMMUTABLE);
    if (pathname === '/healthz')
      return reply(200, 'application/json', JSON.stringify(options.health()));
    if (pathname === '/readyz')
      return options.ready()
        ? reply(200, 'text/plain', 'ready')
        : reply(503, 'text/plain', 'draining');
    if (pathname === '/metrics')
      return reply(200, options.metrics.contentType, await options.metrics.metrics());
    return reply(404, 'text/plain', 'not found');
  };
}

export function nodeHandler(route: Route): http.RequestListener {
  return (req, res) => {
    void route(req.method ?? 'GET', req.url ?? '/').then(
      ({ status, type, body, cache }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': cache });
        res.end(body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  };
}

export function serveOnUws(app: TemplatedApp, route: Route): void {
  // Socket.IO registers /socket.io/ first; everything else comes here.
  app.any('/*', (res, req) => {
    const url = req.getUrl() + (req.getQuery() ? `?${req.getQuery()}` : '');
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void route(req.getMethod().toUpperCase(), url).then(
      ({ status, type, body, cache }) =>
        !aborted &&
        res.cork(() => {
          res
            .writeStatus(String(status))
            .writeHeader('content-type', type)
            .writeHeader('cache-control', cache)
            .end(body);
        }),
      () => !aborted && res.cork(() => res.writeStatus('500').end()),
    );
  });
}
