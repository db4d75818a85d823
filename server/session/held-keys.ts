/**
 * One member's held keys. Clients send their whole held-key set whenever it changes
 * and refresh it while keys are held, each message with a rising sequence number.
 * Duplicates and reordered (older) messages are dropped. Keys not refreshed within
 * `staleMs` read as released, so a vanished client never leaves a key stuck down.
 */
import { ActionBits, IDLE_ACTION } from '../../model/engine/actions';

export class HeldKeys {
  private bits: ActionBits = IDLE_ACTION;
  private seq = -1;
  private updatedAt = -Infinity;

  constructor(private readonly staleMs: number) {}

  /** Returns false when the message is a duplicate or older than one already applied. */
  update(seq: number, bits: ActionBits, now: number): boolean {
    if (seq <= this.seq) return false;
    this.seq = seq;
    this.bits = bits;
    this.updatedAt = now;
    return true;
  }

  current(now: number): ActionBits {
    return now - this.updatedAt > this.staleMs ? IDLE_ACTION : this.bits;
  }

  get lastSeq(): number {
    return this.seq;
  }

  release(): void {
    this.bits = IDLE_ACTION;
  }
}
