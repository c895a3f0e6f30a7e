import { isIPv4, isIPv6 } from 'node:net';

const seconds = () => performance.now() / 1000;

/** A token bucket: `burst` requests at once, one more earned every `refillSeconds`. */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly burst: number,
    private readonly refillSeconds: number,
    private readonly now: () => number = seconds,
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

interface Entry {
  tokens: number;
  updated: number;
}

/**
 * One token bucket per key (a client address), spent only by *failures*: `burst` failures at once,
 * one more earned every `refillSeconds`. A key whose bucket is empty is refused before it may try
 * again, while every other key is unaffected. Entries live in a Map ordered by their last failure;
 * an entry whose bucket has refilled completely is the same as no entry and is dropped, and at
 * `maxEntries` the oldest entry is dropped, so memory is bounded whatever an attacker sends.
 *
 * Global cap (`global`): every failure, whatever its key, also spends one token of one shared bucket.
 * While that bucket is empty, only keys that succeeded recently (`clear`ed; the last `maxTrusted`)
 * may try; every other key is refused before its token is looked at. So rotating through more keys
 * than `maxEntries` (every forgotten key comes back with a full budget) still gives at most the
 * global rate of guesses, while an operator at an address that authenticated before keeps working.
 */
export interface GlobalFailureCap {
  burst: number;
  refillSeconds: number;
  /** Keys that authenticated recently, remembered (default 1,000; the least recent forgotten). */
  maxTrusted?: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly global: Entry | undefined;
  private readonly trusted = new Set<string>();

  constructor(
    private readonly burst: number,
    private readonly refillSeconds: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = seconds,
    private readonly cap?: GlobalFailureCap,
  ) {
    this.global = cap ? { tokens: cap.burst, updated: now() } : undefined;
  }

  /** Seconds until `key` may try again, or undefined when it may try now. Takes nothing. */
  blocked(key: string): number | undefined {
    const entry = this.entries.get(key);
    const t = this.now();
    const tokens = entry ? this.refilled(entry, t) : this.burst;
    if (tokens < 1) return Math.max(1, Math.ceil((1 - tokens) * this.refillSeconds));
    if (!this.global || !this.cap || this.trusted.has(key)) return undefined;
    const shared = this.refilledGlobal(t);
    return shared >= 1 ? undefined : Math.max(1, Math.ceil((1 - shared) * this.cap.refillSeconds));
  }

  /** Records one failure of `key`. */
  fail(key: string): void {
    const t = this.now();
    if (this.global) {
      this.global.tokens = Math.max(0, this.refilledGlobal(t) - 1);
      this.global.updated = t;
    }
    const entry = this.entries.get(key);
    const tokens = entry ? this.refilled(entry, t) : this.burst;
    this.entries.delete(key); // re-inserted last: the Map stays ordered by last failure
    this.sweep(t);
    this.entries.set(key, { tokens: Math.max(0, tokens - 1), updated: t });
  }

  /** Forgets `key`'s failures and trusts it while the global budget is spent (after it authenticated). */
  clear(key: string): void {
    this.entries.delete(key);
    if (!this.cap) return;
    this.trusted.delete(key); // re-inserted last: the Set stays ordered by last success
    this.trusted.add(key);
    if (this.trusted.size > (this.cap.maxTrusted ?? 1_000)) this.trusted.delete(this.trusted.values().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }

  private refilled(entry: Entry, t: number): number {
    return Math.min(this.burst, entry.tokens + (t - entry.updated) / this.refillSeconds);
  }

  private refilledGlobal(t: number): number {
    const { global, cap } = this;
    return global && cap ? Math.min(cap.burst, global.tokens + (t - global.updated) / cap.refillSeconds) : Infinity;
  }

  /** Drops expired entries from the old end, then the oldest while the map is full. */
  private sweep(t: number): void {
    for (const [key, entry] of this.entries) {
      if (this.refilled(entry, t) < this.burst && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/**
 * One token bucket per key (an identity), spent by amounts: `burst` at once, `1 / refillSeconds` per
 * second sustained. A request costing more than `burst` passes on a full bucket and leaves it in debt
 * (down to -burst), so a large batch waits it off afterwards instead of never passing. Memory is
 * bounded like FailureLimiter's: full buckets are dropped, and at `maxEntries` the least recently used.
 */
export class KeyedBuckets {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly burst: number,
    private readonly refillSeconds: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = seconds,
  ) {}

  /** Seconds until `key` may spend `cost`, or undefined when it may now. Spends nothing. */
  wait(key: string, cost: number): number | undefined {
    const entry = this.entries.get(key);
    if (!entry || cost <= 0) return undefined;
    const need = Math.min(cost, this.burst);
    const tokens = this.refilled(entry, this.now());
    return tokens >= need ? undefined : Math.max(1, Math.ceil((need - tokens) * this.refillSeconds));
  }

  /** Spends `cost` without asking (after `wait` said yes, or what another process spent). */
  spend(key: string, cost: number): void {
    if (cost <= 0) return;
    const t = this.now();
    const entry = this.entries.get(key);
    const tokens = entry ? this.refilled(entry, t) : this.burst;
    this.entries.delete(key); // re-inserted last: the Map stays ordered by last use
    for (const [old, e] of this.entries) {
      if (this.refilled(e, t) < this.burst && this.entries.size < this.maxEntries) break;
      this.entries.delete(old);
    }
    this.entries.set(key, { tokens: Math.max(-this.burst, tokens - cost), updated: t });
  }

  get size(): number {
    return this.entries.size;
  }

  private refilled(entry: Entry, t: number): number {
    return Math.min(this.burst, entry.tokens + (t - entry.updated) / this.refillSeconds);
  }
}

/**
 * The rate-limit key of a client address: an IPv4 address as is (also when written IPv4-mapped,
 * `::ffff:a.b.c.d`), an IPv6 address by its /64 prefix (one host usually owns a whole /64, so
 * counting single IPv6 addresses would give it 2^64 budgets).
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0];
  if (!isIPv6(bare)) return address;
  const [head, tail = ''] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = bare.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
