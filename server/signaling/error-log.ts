/**
 * Logs handler failures without letting a client flood the log: at most `burst` lines
 * per window, then one line saying how many were left out. A line names the event, the
 * socket and the error, never the payload (which may be huge or hostile).
 */
import { Logger } from '../log';

export class ErrorLog {
  private windowStart = 0;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly burst = 10,
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  error(msg: string, fields: Record<string, unknown>): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0)
        this.log.warn('handler errors left out of the log', { count: this.suppressed });
      this.windowStart = now;
      this.written = 0;
      this.suppressed = 0;
    }
    if (this.written >= this.burst) {
      this.suppressed++;
      return;
    }
    this.written++;
    this.log.error(msg, fields);
  }
}
