/** Progress and per-stage timings of an audit, shared by its two halves (context loading and the report). */
import type { AuditProgress, AuditStage } from './auditContext';

export interface StageReporter {
  progress(stage: AuditStage, message?: string, fraction?: number): void;
  /** Runs `work` and records its duration in ms under `name`. */
  timed<T>(name: string, work: () => Promise<T> | T): Promise<T>;
}

export function stageReporter(timings: Record<string, number>, onProgress?: (progress: AuditProgress) => void): StageReporter {
  return {
    progress: (stage, message, fraction) =>
      onProgress?.({ stage, ...(message !== undefined && { message }), ...(fraction !== undefined && { fraction }) }),
    timed: async (name, work) => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        timings[name] = Math.round(performance.now() - start);
      }
    },
  };
}
