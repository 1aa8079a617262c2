/**
 * Spend check phase: the projected spend of what is left to run against what the budget still
 * allows — a go/no-go question when the caller asks one, a refusal over a cap otherwise — and one
 * probe call to the executor, before a run folder exists.
 */
import { limitsLeft, type EndpointConfig } from '../../llm';
import { probeExecutor } from '../probeExecutor';
import { overBudgetMessage, projectRun, type RunProjection } from '../projectRun';
import { RunSetupError } from '../runErrors';
import type { RunState } from './runState';

export async function checkSpend(run: RunState): Promise<RunProjection> {
  const { options, config, plan, services } = run;
  const { cacheMode, limits, spent, endpoints } = services;
  // The probe asks llm.executor's own model; a command MAS names its models itself, so its first call is the check.
  const probe = (options.probe ?? cacheMode !== 'replay') && plan.pending.length > 0 && endpoints.executor !== undefined && config.mas.kind !== 'command';
  const projection = projectRun(config, run.prompts, plan.pending.map((p) => p.task), { probe, limits: limitsLeft(limits, spent) });
  if (options.confirmSpend && cacheMode !== 'replay') {
    const go = await options.confirmSpend({ what: 'run', projection, complete: projection.complete, limits, spent });
    if (!go) throw new RunSetupError('Not started: the projected spend was not confirmed. Nothing was spent.');
  } else if (projection.exceeds.length && cacheMode !== 'replay') throw new RunSetupError(overBudgetMessage(projection, limits, spent));
  if (probe) {
    try {
      await probeExecutor(endpoints.executor as EndpointConfig, services.llm, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw new RunSetupError('Cancelled before the run started.');
      throw new RunSetupError(`The executor endpoint is not usable: ${(error as Error).message}`);
    }
  }
  if (options.signal?.aborted) throw new RunSetupError('Cancelled before the run started.');
  return projection;
}
