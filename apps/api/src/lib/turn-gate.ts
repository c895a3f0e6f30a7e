/**
 * One expensive step (a fold-in) per event-loop turn, for the whole process: `await gate.turn()`
 * resolves callers in order, one per setImmediate, so pending I/O (other requests, GET /health) is
 * served between any two steps however many requests are waiting to fold. (Yielding per request is
 * not enough: the requests resumed in one turn would each run a step before I/O is polled again.)
 */
export class TurnGate {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Callers waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      this.schedule(); // an immediate queued now runs in the next turn, after I/O
    });
  }
}
