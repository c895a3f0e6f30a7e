import { readApiEnv } from './api-config.js';
import { clientKey, FailureLimiter } from './rate-limit.js';

describe('FailureLimiter', () => {
  let t: number;
  const limiter = (maxEntries = 100) => new FailureLimiter(3, 10, maxEntries, () => t);
  beforeEach(() => (t = 1000));

  it('when an address fails its burst, then it is blocked until one failure is earned back, and other addresses are not', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.blocked('a')).toBeUndefined();
      l.fail('a');
    }
    expect(l.blocked('a')).toBe(10);
    expect(l.blocked('b')).toBeUndefined();
    t += 4;
    expect(l.blocked('a')).toBe(6);
    t += 6;
    expect(l.blocked('a')).toBeUndefined();
    l.fail('a');
    expect(l.blocked('a')).toBe(10);
  });

  it('when failures from many addresses spend the global budget, then untrusted addresses wait for it and addresses that authenticated do not', () => {
    const l = new FailureLimiter(3, 10, 100, () => t, { burst: 4, refillSeconds: 2 });
    l.clear('operator'); // authenticated once
    for (const address of ['a', 'b', 'c', 'd']) {
      expect(l.blocked(address)).toBeUndefined();
      l.fail(address); // one failure each: no address is near its own budget
    }
    expect(l.blocked('e')).toBe(2); // a fresh address
    expect(l.blocked('a')).toBe(2);
    expect(l.blocked('operator')).toBeUndefined();
    t += 2;
    expect(l.blocked('e')).toBeUndefined(); // one global failure earned back
    l.fail('e');
    expect(l.blocked('f')).toBe(2);
  });

  it('when an address authenticates, then its failures are forgotten', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.fail('a');
    l.clear('a');
    expect(l.blocked('a')).toBeUndefined();
    expect(l.size).toBe(0);
  });

  it('when entries have refilled completely, then they are dropped at the next failure', () => {
    const l = limiter();
    l.fail('a');
    l.fail('b');
    t += 10; // both back to a full bucket
    l.fail('c');
    expect(l.size).toBe(1);
  });

  it('when more addresses fail than the map holds, then the oldest are dropped and the size stays bounded', () => {
    const l = limiter(50);
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      l.fail(`10.0.${i >> 8}.${i & 255}`);
      largest = Math.max(largest, l.size);
    }
    expect([largest, l.size]).toEqual([50, 50]);
    for (let i = 0; i < 2; i++) l.fail('10.0.39.15'); // the newest: 3 failures in all
    expect(l.blocked('10.0.39.15')).toBe(10);
  });
});

describe('clientKey', () => {
  it.each([
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('when the address is %s, then the key is %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('REELRANK_TRUST_PROXY (which addresses may name the client in X-Forwarded-For)', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7,loopback', ['10.0.0.0/8', '192.168.1.7', 'loopback']],
    ['fd00::/8', ['fd00::/8']],
  ])('when it is %p, then trust proxy is %p', (value, expected) => {
    expect(readApiEnv({ REELRANK_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'yes', '10.0.0.0/8,proxy.example'])(
    'when it is %p (trust everyone, or not an address), then reading the environment fails',
    (value) => {
      expect(() => readApiEnv({ REELRANK_TRUST_PROXY: value })).toThrow(/REELRANK_TRUST_PROXY must be/);
    },
  );
});
