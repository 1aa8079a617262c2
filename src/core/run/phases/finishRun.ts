/**
 * Finish phase: how the run ended — completed, or stopped and why (a failed store write, a stop
 * the calls reported, the user's cancel, tasks left over) — written to the manifest and the
 * journal, and the invocation's summary stored and returned.
 */
import { summarizeRun, type RunStatus } from '../../store';
import type { RunResult } from '../runOptions';
import { storeWrite } from '../storeWrite';
import type { OpenRun } from './runState';

export async function finishRun(run: OpenRun): Promise<RunResult> {
  const { store, runId, workspaceRoot, options, plan, services } = run;
  const { status, statusReason } = runEnding(run);
  // A store that failed during the run fails these writes too: the stored tasks stay, the manifest
  // still says 'running' (so the run reads as interrupted), and the message says how to go on.
  await storeWrite(workspaceRoot, store.dir, runId, async () => {
    await store.updateManifest({ status, statusReason });
    if (status === 'completed') await store.journal({ event: 'run-completed' });
    else await store.journal({ event: 'run-stopped', status, reason: statusReason ?? status });
  }, run.storeFailure);
  const finishedAt = run.now();
  const summary = summarizeRun(store.manifest, run.results, services.recorder.all, {
    number: run.invocation,
    startedAt: run.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - run.startedAt.getTime(),
    skipped: plan.finishedBefore.size,
    ran: run.results.length - plan.finishedBefore.size,
    usage: services.accounting.snapshot().total,
  });
  await storeWrite(workspaceRoot, store.dir, runId, () => store.writeSummary(summary), run.storeFailure);
  await store.flush().catch(() => undefined);
  options.onProgress?.({ type: 'finished', status, ...(statusReason !== undefined ? { reason: statusReason } : {}) });
  return { runId, dir: store.dir, status, summary };
}

/** The run's status: a store failure first, then a stop its calls reported, the user's cancel, or what is left undone. */
function runEnding(run: OpenRun): { status: RunStatus; statusReason: string | undefined } {
  const remaining = run.plan.selection.length - new Set(run.results.map((t) => t.taskId)).size;
  const stop = run.storeFailure
    ? { status: 'failed' as const, reason: run.storeFailure.message }
    : (run.services.recorder.interruption ??
      // A cancel that came after the last task had finished stopped nothing: the run is complete
      // (the signal can arrive while the final records are still being written).
      (run.options.signal?.aborted && remaining > 0 ? { status: 'cancelled' as const, reason: 'cancelled by the user' } : undefined));
  const status: RunStatus = stop ? stop.status : remaining === 0 ? 'completed' : 'failed';
  const statusReason = stop?.reason ?? (remaining > 0 ? `${remaining} tasks were not finished` : undefined);
  return { status, statusReason };
}
