/**
 * What this member holds: the union of every input device's keys (keyboard, gamepad,
 * touch). The whole held set is sent when it changes and refreshed while anything is
 * held (the server releases keys it stops hearing about). Presses are remembered until
 * a shown frame's applied action contains them, which is this member's action-to-photon
 * latency in every control mode.
 */

const REFRESH_MS = 250;
/** A press nobody applied by then (outvoted, someone else's turn) stops waiting. */
const PRESS_EXPIRY_MS = 3000;

export interface Press {
  keys: string[];
  at: number;
}

export class HeldKeys {
  private readonly sources = new Map<string, ReadonlySet<string>>();
  private held = new Set<string>();
  private seq = 0;
  private pending: Press[] = [];
  private enabled = true;

  constructor(
    /** The vocabulary's keys: anything else a device reports is ignored. */
    private readonly keys: readonly string[],
    private readonly send: (message: { seq: number; keys: string[] }) => void,
  ) {
    setInterval(() => this.held.size > 0 && this.flush(), REFRESH_MS);
  }

  /** Sets what one device holds now; sends when the union changed. */
  set(source: string, keys: Iterable<string>): void {
    this.sources.set(source, new Set([...keys].filter((k) => this.keys.includes(k))));
    const next = new Set([...this.sources.values()].flatMap((s) => [...s]));
    if (!this.enabled) next.clear();
    const pressed = [...next].filter((k) => !this.held.has(k));
    const changed = pressed.length > 0 || [...this.held].some((k) => !next.has(k));
    this.held = next;
    if (pressed.length > 0) this.pending.push({ keys: pressed, at: performance.now() });
    if (changed) this.flush();
  }

  /** Spectators and closed sessions send nothing; disabling releases what was held. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled && this.held.size > 0) {
      this.held.clear();
      this.flush();
    }
  }

  /** A new connection starts a new sequence (the server resets its count per connection). */
  resetSequence(): void {
    this.seq = 0;
  }

  get current(): ReadonlySet<string> {
    return this.held;
  }

  /** The presses a frame applying `applied` answers, removed from the waiting list. */
  answered(applied: readonly string[], now: number): Press[] {
    this.pending = this.pending.filter((p) => now - p.at < PRESS_EXPIRY_MS);
    const done = this.pending.filter((p) => p.keys.every((k) => applied.includes(k)));
    this.pending = this.pending.filter((p) => !done.includes(p));
    return done;
  }

  private flush(): void {
    this.send({ seq: ++this.seq, keys: [...this.held] });
  }
}
