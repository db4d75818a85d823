/** `npm start`: one worldtick server on embedded defaults, configured from the environment. */
import { startServer } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './log';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, log);
  const first = config.SESSIONS[0];
  const hostLinks = Object.entries(server.hostTokens).map(
    ([id, token]) => `  host of "${id}": ${server.url}/s/${id}#token=${token}\n`,
  );
  process.stdout.write(
    `worldtick is live at ${server.url}/ (spectate: ${server.url}/s/${first}?role=spectator)\n${hostLinks.join('')}` +
      // A generated key is shown once, here; a configured one is never echoed.
      (config.CREATE_KEY
        ? `  create sessions from the lobby with the key in CREATE_KEY\n`
        : `  create sessions from the lobby: ${server.url}/#key=${server.createKey}\n` +
          `  (or over Socket.IO with auth { key: "${server.createKey}" })\n`),
  );
  let stopping = false;
  // SIGTERM (the orchestrator) drains first; SIGINT (Ctrl-C) and a second signal stop now.
  const stop = (signal: string, drainMs: number) => {
    if (stopping) {
      log.warn('stopping at once', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal, drainMs });
    server
      .drain(drainMs)
      .then(() => server.close())
      .then(
        () => process.exit(0),
        (error) => {
          log.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', config.DRAIN_TIMEOUT_MS));
}

main().catch((error) => {
  process.stderr.write(`worldtick failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
