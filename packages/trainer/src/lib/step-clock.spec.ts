import { groupSteps, STAGE_STEPS, StepClock, stepLine } from './step-clock.js';

describe('StepClock', () => {
  it('when a step is timed twice, then its wall and CPU seconds add up, and a throwing step is still timed', () => {
    const clock = new StepClock();
    const spin = () => {
      let x = 0;
      for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
      return x;
    };
    expect(clock.time('fit', spin)).toBeGreaterThan(0);
    const once = { ...clock.steps.fit };
    clock.time('fit', spin);
    expect(clock.steps.fit.wall).toBeGreaterThan(once.wall);
    expect(clock.steps.fit.cpu).toBeGreaterThan(once.cpu);
    expect(() =>
      clock.time('broken', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(clock.steps.broken.wall).toBeGreaterThanOrEqual(0);
    expect(clock.wallSeconds()).toEqual({ fit: clock.steps.fit.wall, broken: clock.steps.broken.wall });
  });

  it('when an async step is timed, then it is recorded after it settles', async () => {
    const clock = new StepClock();
    await expect(clock.timeAsync('gate', async () => 7)).resolves.toBe(7);
    expect(Object.keys(clock.steps)).toEqual(['gate']);
  });
});

describe('groupSteps', () => {
  it('when detailed steps are grouped, then each stage step sums its parts and `other` is the rest of the total', () => {
    const detail = {
      readDatabase: { wall: 1, cpu: 1 },
      selection: { wall: 10, cpu: 19 },
      carveValidation: { wall: 1, cpu: 1 },
      rankerFitSelection: { wall: 5, cpu: 9 },
      rankerTuning: { wall: 2, cpu: 2 },
      evaluation: { wall: 3, cpu: 3 },
      diversitySweep: { wall: 1, cpu: 1 },
      gate: { wall: 2, cpu: 2 },
      save: { wall: 0.5, cpu: 0.5 },
    };
    const grouped = groupSteps(detail, { wall: 30, cpu: 45 });
    expect(Object.keys(grouped)).toEqual([...Object.keys(STAGE_STEPS), 'other', 'total']);
    expect(grouped.ratingModel).toEqual({ wall: 11, cpu: 20 });
    expect(grouped.ranker).toEqual({ wall: 5, cpu: 9 });
    expect(grouped.evaluation).toEqual({ wall: 6, cpu: 6 });
    expect(grouped.contentMap).toEqual({ wall: 0, cpu: 0 });
    expect(grouped.other).toEqual({ wall: 30 - 25.5, cpu: 45 - 38.5 });
    expect(stepLine(grouped)).toContain('ratingModel 11.00 s (cpu 20.00)');
  });

  it('when steps ran on a worker thread beside the others, then they are summed into offThread and `other` is still the rest of this thread', () => {
    const detail = { selection: { wall: 2, cpu: 2 }, neighbourhoodSelection: { wall: 1, cpu: 1 }, servedWait: { wall: 0.5, cpu: 0.5 } };
    const offThread = { servedFit: { wall: 1.5, cpu: 3 }, contentMap: { wall: 2, cpu: 4 } };
    const grouped = groupSteps(detail, { wall: 4, cpu: 10 }, offThread);
    expect(grouped.neighbourhood).toEqual({ wall: 1, cpu: 1 });
    expect(grouped.servedWait).toEqual({ wall: 0.5, cpu: 0.5 });
    expect(grouped.offThread).toEqual({ wall: 3.5, cpu: 7 });
    expect(grouped.other).toEqual({ wall: 0.5, cpu: 6.5 });
    expect(Object.keys(grouped).slice(-3)).toEqual(['offThread', 'other', 'total']);
    expect(groupSteps(detail, { wall: 4, cpu: 10 }).offThread).toBeUndefined();
  });
});
