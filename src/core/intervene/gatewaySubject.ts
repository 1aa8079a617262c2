/**
 * The intervention subject of a command MAS run behind the gateway: the blamed step's recorded
 * call (interventionTarget.ts), and re-runs driven through an intervention gateway that stands
 * where the run's gateway stood (interventionGateway.ts).
 */
import { messagesOf } from '../gateway/requestText';
import type { CreditReport } from '../credit/types';
import type { StoredRun } from '../store';
import { correctedReply, originalReply } from './correctedReply';
import { InterventionGateway } from './interventionGateway';
import type { InterventionSubject } from './interventionSubject';
import { findTarget, type TargetQuery } from './interventionTarget';

export async function gatewaySubject(run: StoredRun, credit: CreditReport | undefined, query: TargetQuery): Promise<InterventionSubject> {
  const target = await findTarget(run, credit, query);
  const response = target.call.response as Record<string, unknown>;
  const sample = target.call.sample;
  return {
    target,
    callId: target.call.id,
    original: originalReply(response),
    messages: messagesOf(target.call.request as Record<string, unknown>),
    after: target.after.map((c) => ({ prompt: c.usage.prompt, completion: c.usage.completion })),
    ...(sample !== undefined ? { sample } : {}),
    start: async (setup) => {
      const gateway = await InterventionGateway.start({
        executor: setup.executor,
        prices: setup.prices,
        budget: setup.budget,
        runDir: setup.runDir,
        interventionId: setup.interventionId,
        ...(sample !== undefined ? { sample } : {}),
        before: target.before,
        blamedKey: target.call.key as string,
        corrected: correctedReply(response, setup.correction),
        afterKeys: new Set(target.after.map((c) => c.key).filter((k): k is string => typeof k === 'string')),
        secrets: setup.secrets,
      });
      return {
        open: () => ({ gateway, ...(sample !== undefined ? { sample } : {}) }),
        tally: () => gateway.lastTally(),
        close: () => gateway.close(),
      };
    },
  };
}
