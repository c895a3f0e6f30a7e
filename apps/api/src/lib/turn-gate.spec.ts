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
