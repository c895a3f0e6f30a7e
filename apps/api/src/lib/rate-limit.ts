/** A token bucket: `burst` requests at once, one more earned every `refillSeconds`. */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly burst: number,
    private readonly refillSeconds: number,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    this.tokens = burst;
    this.updated = now();
  }

  /** Takes a token if one is available; otherwise returns the seconds until the next one. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.updated) / this.refillSeconds);
    this.updated = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) * this.refillSeconds)) };
  }
}
