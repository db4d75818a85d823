/**
 * Puts Socket.IO and the HTTP routes on a port, on Node's HTTP server (the default)
 * or on uWebSockets.js (`SOCKET_ENGINE=uws`, when the optional module is installed).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { createRoutes, HttpAppOptions, nodeHandler, serveOnUws } from './http-app';

export type SocketEngine = 'node' | 'uws';

export interface Listener {
  port: number;
  close(): Promise<void>;
}

export async function listen(
  engine: SocketEngine,
  io: SocketServer,
  app: HttpAppOptions,
  host: string,
  port: number,
): Promise<Listener> {
  const route = createRoutes(app);
  return engine === 'uws' ? listenUws(io, route, host, port) : listenNode(io, route, host, port);
}

async function listenNode(
  io: SocketServer,
  route: ReturnType<typeof createRoutes>,
  host: string,
  port: number,
): Promise<Listener> {
  const server = http.createServer(nodeHandler(route));
  io.attach(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listenUws(
  io: SocketServer,
  route: ReturnType<typeof createRoutes>,
  host: string,
  port: number,
): Promise<Listener> {
  let uws: typeof import('uWebSockets.js');
  try {
    const loaded = await import('uWebSockets.js');
    // Imported as an ES module (tsx: `npm start`), the CommonJS addon shows only `default`.
    uws = loaded.default ?? loaded;
  } catch (error) {
    throw new Error(
      `SOCKET_ENGINE=uws needs the optional uWebSockets.js module (npm install), which failed to load: ${error}`,
    );
  }
  const app = uws.App();
  io.attachApp(app);
  serveOnUws(app, route);
  const socket = await new Promise<unknown>((resolve, reject) =>
    app.listen(host, port, (token) =>
      token
        ? resolve(token)
        : reject(new Error(`uWebSockets.js could not listen on ${host}:${port}`)),
    ),
  );
  return {
    port: uws.us_socket_local_port(socket as never),
    close: async () => {
      uws.us_listen_socket_close(socket as never);
      app.close();
    },
  };
}
