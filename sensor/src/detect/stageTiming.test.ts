import { describe, expect, it } from 'vitest';
import type { DetectionStage } from './detectionStage.ts';
import { timedStages } from './stageTiming.ts';

describe('timedStages', () => {
  it('wraps exactly the methods a stage has, passes calls through and clocks them per stage name', () => {
    const calls: string[] = [];
    const stage: DetectionStage = {
      name: 'demo',
      onTick(sec) {
        calls.push(`tick ${sec}`);
        let x = 0;
        for (let i = 0; i < 10_000; i++) x += i;
        if (x < 0) calls.push('never');
      },
    };
    const { stages, times } = timedStages([stage]);
    const w = stages[0]!;
    expect(w.name).toBe('demo');
    expect(w.onStream).toBeUndefined();
    expect(w.onPacket).toBeUndefined();
    w.onTick?.(7, () => undefined);
    expect(calls).toEqual(['tick 7']);
    expect(times.nanos.get('demo')! > 0n).toBe(true);
  });
});
