/**
 * The HTTP side: the browser app (/ and /s/<session>), its script and style, a health
 * check and Prometheus metrics. Routing is one function; `nodeHandler` and `serveOnUws`
 * adapt it to Node's HTTP server or to uWebSockets.js, whichever Socket.IO runs on.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { TemplatedApp } from 'uWebSockets.js';
import { CLIENT_DIR } from './client-bundle';

export interface HttpAppOptions {
  clientScript: string;
  metrics: Registry;
  health: () => Record<string, unknown>;
}

interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
}

type Route = (method: string, url: string) => Promise<Reply>;

export function createRoutes(options: HttpAppOptions): Route {
  const page = fs.readFileSync(path.join(CLIENT_DIR, 'index.html'));
  const style = fs.readFileSync(path.join(CLIENT_DIR, 'style.css'));
  const reply = (status: number, type: string, body: string | Buffer): Reply => ({
    status,
    type,
    body,
  });
  return async (method, rawUrl) => {
    const { pathname } = new URL(rawUrl, 'http://localhost');
    if (method !== 'GET') return reply(405, 'text/plain', 'method not allowed');
    if (pathname === '/' || /^\/s\/[a-z0-9-]{1,40}\/?$/.test(pathname))
      return reply(200, 'text/html; charset=utf-8', page);
    if (pathname === '/app.js')
      return reply(200, 'text/javascript; charset=utf-8', options.clientScript);
    if (pathname === '/style.css') return reply(200, 'text/css; charset=utf-8', style);
    if (pathname === '/healthz')
      return reply(200, 'application/json', JSON.stringify(options.health()));
    if (pathname === '/metrics')
      return reply(200, options.metrics.contentType, await options.metrics.metrics());
    return reply(404, 'text/plain', 'not found');
  };
}

export function nodeHandler(route: Route): http.RequestListener {
  return (req, res) => {
    void route(req.method ?? 'GET', req.url ?? '/').then(
      ({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
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
      ({ status, type, body }) =>
        !aborted &&
        res.cork(() => {
          res
            .writeStatus(String(status))
            .writeHeader('content-type', type)
            .writeHeader('cache-control', 'no-store')
            .end(body);
        }),
      () => !aborted && res.cork(() => res.writeStatus('500').end()),
    );
  });
}
