/**
 * Algorithm 1, lines 8–11: the credit method turns the batch's trajectories into credit signals
 * (Φ: TRUCE per sub-trajectory, BCD per turn and round, GBC per edge of the attribution graph).
 * The method context it gets is also what suggest() gets in the next phase.
 */
import { loadPromptSet } from '../../mas';
import { buildAgentUnits } from '../../credit/agentUnits';
import type { MethodContext } from '../../credit/types';
import { editHistory } from '../editHistory';
import { readerOf } from '../promptSetHash';
import { derivedRandom } from '../random';
import type { Credited, RolledOut } from './roundState';
import type { OptimizeRun } from './runState';

export async function assignCredit(run: OptimizeRun, round: RolledOut): Promise<Credited> {
  const { config, seed, ablations, signal } = run.settings;
  const { k, note, stage, trajectories } = round;
  const prompts = await loadPromptSet(config, readerOf(run.best));
  const context: MethodContext = {
    config,
    prompts,
    agents: buildAgentUnits(config, run.best),
    optimizer: run.optimizer,
    executor: run.executor,
    random: derivedRandom(seed, 'method', k),
    ablations,
    note,
    history: editHistory(run.suggestions, run.records),
    ...(signal ? { signal } : {}),
  };
  stage('credit');
  const report = await run.method.credit(context, trajectories);
  return { ...round, context, report };
}
