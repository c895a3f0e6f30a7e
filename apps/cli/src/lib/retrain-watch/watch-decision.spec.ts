import { backoffSeconds, decideRetrain, type WatchFacts, type WatchSettings } from './watch-decision';

const settings: WatchSettings = { minNewRatings: 100, intervalSeconds: 3600, pollSeconds: 60, backoffSeconds: 30, backoffMaxSeconds: 600 };
const T0 = Date.parse('2026-12-04T12:00:00Z');
const facts = (over: Partial<WatchFacts>): WatchFacts => ({
  now: T0,
  ratingsWaiting: 0,
  lastTrainedAt: T0 - 60_000,
  consecutiveFailures: 0,
  lastFailureAt: null,
  ...over,
});

describe('decideRetrain', () => {
  it('when N ratings are waiting, then it trains at once, however recent the last training', () => {
    expect(decideRetrain(facts({ ratingsWaiting: 100, lastTrainedAt: T0 - 1000 }), settings)).toMatchObject({
      decision: 'train',
      reason: '100 new rating(s) waiting, at least 100',
    });
    expect(decideRetrain(facts({ ratingsWaiting: 99, lastTrainedAt: T0 - 1000 }), settings).decision).toBe('wait');
  });

  it('when fewer than N wait, then it trains once T has passed since the last training, and says when that comes meanwhile', () => {
    const early = decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 3599_000 }), settings);
    expect(early).toMatchObject({
      decision: 'wait',
      reason: expect.stringMatching(/^5 of 100 new rating\(s\) waiting; 60.0 min since the last training, retraining anyway in 1 s$/),
    });
    expect(early.nextCheckAt).toBe(T0 + 1000); // the interval falls before the next poll
    expect(decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 3600_000 }), settings)).toMatchObject({
      decision: 'train',
      reason: '5 new rating(s) waiting and 60.0 min since the last training, at least 60.0 min',
    });
  });

  it('when no rating waits, then T passing starts nothing (the run would rebuild the same model)', () => {
    const verdict = decideRetrain(facts({ ratingsWaiting: 0, lastTrainedAt: T0 - 10 * 3600_000 }), settings);
    expect(verdict).toEqual({ decision: 'wait', reason: 'no new ratings; 10.0 h since the last training', nextCheckAt: T0 + 60_000 });
  });

  it('when there is no trained model, then it trains', () => {
    expect(decideRetrain(facts({ ratingsWaiting: null, lastTrainedAt: null }), settings)).toMatchObject({
      decision: 'train',
      reason: 'no trained model yet',
    });
  });

  it('when runs failed, then it waits the back-off (doubling, capped) before it tries again, and says it is a retry', () => {
    expect([1, 2, 3, 4, 5, 6, 60].map((n) => backoffSeconds(n, settings))).toEqual([30, 60, 120, 240, 480, 600, 600]);
    const failedAt = T0 - 50_000;
    const third = facts({ ratingsWaiting: 500, consecutiveFailures: 3, lastFailureAt: failedAt });
    // 3 failures: 120 s after the last one.
    expect(decideRetrain(third, settings)).toEqual({
      decision: 'wait',
      reason: 'backing off after 3 failed run(s): next try in 70 s',
      nextCheckAt: T0 + 60_000, // the next poll comes first
    });
    expect(decideRetrain({ ...third, now: failedAt + 100_000 }, settings).nextCheckAt).toBe(failedAt + 120_000); // the retry comes first
    expect(decideRetrain({ ...third, now: failedAt + 120_000 }, settings)).toMatchObject({
      decision: 'train',
      reason: '500 new rating(s) waiting, at least 100 (retry after 3 failed run(s))',
    });
    // A wait longer than the poll is looked at again at the next poll.
    expect(decideRetrain(facts({ ratingsWaiting: 500, consecutiveFailures: 6, lastFailureAt: T0 }), settings).nextCheckAt).toBe(T0 + 60_000);
  });

  it('when the clock moves on, then the same facts turn from waiting into training exactly at T', () => {
    const trainedAt = T0;
    const at = (seconds: number) =>
      decideRetrain(facts({ now: trainedAt + seconds * 1000, ratingsWaiting: 1, lastTrainedAt: trainedAt }), settings).decision;
    expect([at(0), at(1800), at(3599.999), at(3600), at(7200)]).toEqual(['wait', 'wait', 'wait', 'train', 'train']);
  });
});

describe('decideRetrain on drift', () => {
  const drift = { feature: 'rating' as const, window: 'day' as const, psi: 0.9123 };
  const onDrift = { ...settings, onDrift: true, driftCooldownSeconds: 600 };

  it('when the switch is on and ratings wait, then drift over the threshold trains before N or T, naming the feature and its PSI', () => {
    expect(decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 601_000, drift }), onDrift)).toEqual({
      decision: 'train',
      reason: 'drift psi 0.912 on feature rating (day); 5 new rating(s) waiting',
      nextCheckAt: T0 + 60_000,
    });
  });

  it('when the switch is off, or no drift is reported, then the same facts wait for N or T', () => {
    expect(decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 601_000, drift }), settings).decision).toBe('wait');
    expect(decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 601_000, drift: null }), onDrift).decision).toBe('wait');
  });

  it('when no rating waits, then drift starts nothing (the run would rebuild the same model)', () => {
    expect(decideRetrain(facts({ ratingsWaiting: 0, lastTrainedAt: T0 - 7200_000, drift }), onDrift)).toMatchObject({
      decision: 'wait',
      reason: 'no new ratings; 2.0 h since the last training',
    });
  });

  it('when the last training is more recent than the cooldown, then it waits, says so, and looks again when the cooldown ends', () => {
    const verdict = decideRetrain(facts({ ratingsWaiting: 5, lastTrainedAt: T0 - 570_000, drift }), onDrift);
    expect(verdict).toEqual({
      decision: 'wait',
      reason:
        '5 of 100 new rating(s) waiting; 9.5 min since the last training, retraining anyway in 50.5 min; drift psi 0.912 on feature rating (day), retraining for it in 30 s (cooldown)',
      nextCheckAt: T0 + 30_000,
    });
    expect(decideRetrain(facts({ now: T0 + 30_000, ratingsWaiting: 5, lastTrainedAt: T0 - 570_000, drift }), onDrift).decision).toBe('train');
  });
});
