import { ErrorLog } from '../../server/signaling/error-log';
import { createLogger } from '../../server/log';

it('writes a burst of handler errors, then one line counting those left out', () => {
  const lines: { msg: string; count?: number; payload?: unknown }[] = [];
  let now = 0;
  const log = new ErrorLog(
    createLogger('info', {}, (line) => lines.push(JSON.parse(line))),
    3,
    1000,
    () => now,
  );
  for (let i = 0; i < 100; i++) log.error('handler failed', { event: 'action' });
  expect(lines).toHaveLength(3);
  now = 1000;
  log.error('handler failed', { event: 'action' });
  expect(lines.slice(3).map((l) => [l.msg, l.count])).toEqual([
    ['handler errors left out of the log', 97],
    ['handler failed', undefined],
  ]);
});
