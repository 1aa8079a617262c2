/**
 * Algorithm 1, line 12: per task, the method turns the credit signals and the agents' current
 * units into typed edits (Ψ). The no-units ablation asks instead for one whole-list rewrite per
 * implicated agent, taken as it is (globalRewrite.ts). The round's credit is written once its
 * suggestions are in.
 */
import { globalRewrite } from '../globalRewrite';
import { writeCredit } from '../../credit/creditFiles';
import { withoutRefutedAgents } from '../blameFindings';
import type { Checked, Proposed } from './roundState';
import type { OptimizeRun } from './runState';

export async function suggestEdits(run: OptimizeRun, round: Checked): Promise<Proposed> {
  const { ablations, methodName } = run.settings;
  const { context, report, trajectories, batch, stage } = round;
  stage('suggest');
  let proposal: Proposed['proposal'];
  if (ablations.noUnits) {
    // The no-units ablation: one whole-list rewrite per implicated agent, taken as it is —
    // no per-unit support, top-k or conflict filtering (that would be unit refinement again).
    const rewrites = await globalRewrite(context, report, trajectories, { sampledTaskIds: batch.map((t) => t.id), method: methodName });
    proposal = { kind: 'rewrites', suggestions: rewrites.suggestions };
  } else {
    const raws = await run.method.suggest(context, report, trajectories);
    proposal = { kind: 'edits', raws: withoutRefutedAgents(raws, round.checks, round.note) };
  }
  await writeCredit(run.dir, report, true);
  run.creditLines += report.signals.length;
  return { ...round, proposal };
}
