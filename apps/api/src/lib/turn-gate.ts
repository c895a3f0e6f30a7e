import type { Steps } from '@reelrank/model';

/**
 * Expensive work (fold-ins) one slice per event-loop turn, for the whole process: `await gate.turn(owner)`
 * resolves one caller per setImmediate, so pending I/O (other requests, GET /health) is served between
 * any two slices however many requests are waiting. (Yielding per request is not enough: the requests
 * resumed in one turn would each run a slice before I/O is polled again.)
 *
 * Turns are fair between owners (the identities the work is done for): each owner has a queue of its
 * own, and the turns go round the owners that are waiting, one each, so an identity with many callers
 * waiting delays another by one slice per round, not by its whole queue.
 */
export class TurnGate {
  private readonly queues = new Map<string, (() => void)[]>();
  /** Owners with callers waiting, in the order their next turn comes. */
  private readonly round: string[] = [];
  private waitingCount = 0;
  private scheduled = false;

  /** @param sliceMs how long `run` works on one caller's steps in one turn */
  constructor(private readonly sliceMs = 3) {}

  turn(owner = ''): Promise<void> {
    return new Promise((resolve) => {
      let queue = this.queues.get(owner);
      if (!queue) {
        this.queues.set(owner, (queue = []));
        this.round.push(owner);
      }
      queue.push(resolve);
      this.waitingCount++;
      this.schedule();
    });
  }

  /**
   * Runs `steps` to the end in slices of about `sliceMs`, each in a turn of `owner`'s; resolves with
   * their result (rejects with what they throw).
   */
  async run<T>(owner: string, steps: Steps<T>): Promise<T> {
    for (;;) {
      await this.turn(owner);
      const until = performance.now() + this.sliceMs;
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (performance.now() >= until) break;
      }
    }
  }

  /** Callers waiting for their turn. */
  get queued(): number {
    return this.waitingCount;
  }

  private schedule(): void {
    if (this.scheduled || this.waitingCount === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const owner = this.round.shift()!;
      const queue = this.queues.get(owner)!;
      const next = queue.shift()!;
      if (queue.length > 0) this.round.push(owner);
      else this.queues.delete(owner);
      this.waitingCount--;
      next();
      this.schedule(); // an immediate queued now runs in the next turn, after I/O
    });
  }
}
