/**
 * Decides which frames must be keyframes. Requests (a new viewer, a PLI or FIR) are
 * remembered, not dropped: a burst of them yields one keyframe now and at most one more
 * per `minIntervalMs`, because each keyframe costs several times a delta frame's bits.
 * Any keyframe, forced or periodic, satisfies every request made before it was sent.
 */
export class KeyframeGate {
  private requested = true; // The first frame of a stream must be a keyframe.
  private lastKeyframeAt = -Infinity;

  constructor(
    readonly minIntervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(): void {
    this.requested = true;
  }

  /** A new stream (new producer): its first frame is a keyframe, whatever came before. */
  restart(): void {
    this.requested = true;
    this.lastKeyframeAt = -Infinity;
  }

  get pending(): boolean {
    return this.requested;
  }

  /** Whether the frame about to be encoded must be a keyframe. */
  shouldForce(): boolean {
    return this.requested && this.now() - this.lastKeyframeAt >= this.minIntervalMs;
  }

  /** A keyframe has just been sent. */
  sent(): void {
    this.requested = false;
    this.lastKeyframeAt = this.now();
  }
}
