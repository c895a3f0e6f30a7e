import { TurnGate } from './turn-gate.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('TurnGate', () => {
  it('when several callers wait, then they get their turns in order, one per event-loop turn, with timers run in between', async () => {
    const gate = new TurnGate();
    const log: string[] = [];
    const steps = [0, 1, 2].map(async (i) => {
      await gate.turn();
      log.push(`step ${i}`);
      setTimeout(() => log.push(`timer of ${i}`), 0); // stands for I/O that arrived meanwhile
      busy(3); // the step's synchronous work: the timer is due before the next turn
    });
    expect(gate.queued).toBe(3);
    await Promise.all(steps);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log).toEqual(['step 0', 'timer of 0', 'step 1', 'timer of 1', 'step 2', 'timer of 2']);
    expect(gate.queued).toBe(0);
  });
});

describe('TurnGate between owners and in slices', () => {
  it('when one owner queues many callers before another queues one, then the turns alternate between the owners', async () => {
    const gate = new TurnGate();
    const log: string[] = [];
    const waits = [
      ...[0, 1, 2, 3].map(async (i) => {
        await gate.turn('key:abuser');
        log.push(`abuser ${i}`);
      }),
      ...[0, 1].map(async (i) => {
        await gate.turn('visitor:page');
        log.push(`visitor ${i}`);
      }),
    ];
    await Promise.all(waits);
    expect(log).toEqual(['abuser 0', 'visitor 0', 'abuser 1', 'visitor 1', 'abuser 2', 'abuser 3']);
  });

  it('when a long run is under way, then another caller runs between its slices, not after the whole run', async () => {
    const gate = new TurnGate(1);
    const log: string[] = [];
    function* long() {
      for (let slice = 0; slice < 5; slice++) {
        log.push(`long ${slice}`);
        busy(2); // more than the gate's slice: one step per turn
        yield;
      }
      return 'long done';
    }
    function* short() {
      log.push('short');
      yield;
      return 'short done';
    }
    const first = gate.run('addr:abuser', long());
    await new Promise((resolve) => setImmediate(resolve)); // the long run has started
    const second = gate.run('visitor:page', short());
    expect(await Promise.all([first, second])).toEqual(['long done', 'short done']);
    expect(log.indexOf('short')).toBeLessThanOrEqual(2);
    expect(log.filter((line) => line.startsWith('long'))).toHaveLength(5);
  });

  it('when the steps throw, then run rejects with the error and the gate serves the next caller', async () => {
    const gate = new TurnGate();
    function* failing(): Generator<void, number, void> {
      throw new RangeError('movie index 7 is outside the model');
    }
    await expect(gate.run('a', failing())).rejects.toThrow('outside the model');
    function* one(): Generator<void, number, void> {
      yield;
      return 1;
    }
    await expect(gate.run('a', one())).resolves.toBe(1);
    expect(gate.queued).toBe(0);
  });
});
