/**
 * Time spent in each detection stage, for the benchmark's per-stage breakdown: wraps stages so
 * every call is clocked with process.hrtime.bigint(). Only a profiling run wraps its stages, so the
 * sensor's normal path pays nothing. A wrapper has exactly the methods of its stage (the pipeline
 * looks at which ones a stage has, e.g. to hand out stream bytes only when someone reads them).
 * An asynchronous finish is clocked up to its first await only.
 */
import type { DetectionStage } from './detectionStage.ts';

export interface StageTimes {
  /** Nanoseconds per stage name, all methods together. */
  readonly nanos: Map<string, bigint>;
}

const METHODS = ['onPacket', 'onStream', 'onAppRecord', 'onFlowEnd', 'onTick', 'finish'] as const;

export function timedStages(stages: readonly DetectionStage[]): { stages: DetectionStage[]; times: StageTimes } {
  const nanos = new Map<string, bigint>();
  const wrapped = stages.map((stage) => {
    nanos.set(stage.name, nanos.get(stage.name) ?? 0n);
    const w: Record<string, unknown> = { name: stage.name };
    for (const m of METHODS) {
      const fn = stage[m] as ((...args: unknown[]) => unknown) | undefined;
      if (fn === undefined) continue;
      w[m] = (...args: unknown[]): unknown => {
        const t0 = process.hrtime.bigint();
        const r = fn.apply(stage, args);
        nanos.set(stage.name, (nanos.get(stage.name) ?? 0n) + (process.hrtime.bigint() - t0));
        return r;
      };
    }
    return w as unknown as DetectionStage;
  });
  return { stages: wrapped, times: { nanos } };
}

