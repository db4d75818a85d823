/**
 * The HTTP side: the browser app (/ and /s/<session>), its script and style, a health
 * check and Prometheus metrics. Socket.IO attaches to the same server.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Registry } from 'prom-client';
import { CLIENT_DIR } from './client-bundle';

export interface HttpAppOptions {
  clientScript: string;
  metrics: Registry;
  health: () => Record<string, unknown>;
}

export function createHttpHandler(options: HttpAppOptions): http.RequestListener {
  const page = fs.readFileSync(path.join(CLIENT_DIR, 'index.html'));
  const style = fs.readFileSync(path.join(CLIENT_DIR, 'style.css'));
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed');
    if (url.pathname === '/' || /^\/s\/[a-z0-9-]{1,40}\/?$/.test(url.pathname))
      return send(200, 'text/html; charset=utf-8', page);
    if (url.pathname === '/app.js')
      return send(200, 'text/javascript; charset=utf-8', options.clientScript);
    if (url.pathname === '/style.css') return send(200, 'text/css; charset=utf-8', style);
    if (url.pathname === '/healthz')
      return send(200, 'application/json', JSON.stringify(options.health()));
    if (url.pathname === '/metrics') {
      options.metrics.metrics().then(
        (text) => send(200, options.metrics.contentType, text),
        () => send(500, 'text/plain', 'metrics unavailable'),
      );
      return;
    }
    send(404, 'text/plain', 'not found');
  };
}
