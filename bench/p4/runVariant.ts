/**
 * One P4 variant on one scenario: a fresh simulation workspace (so its response cache starts
 * empty and nothing is shared with another variant), the fake OpenAI server with the world behind
 * it, and the product's optimize loop in-process with the given credit method in place of TRUCE's.
 * Returns the loop's per-round and total usage by phase, what the server received, the accepted
 * edits with recall/precision (bench/sim/figures.ts), and — when asked — what replaying the
 * recorded run costs: `optimize --resume` of the finished run, and a fresh rerun of the same
 * configuration in the same workspace (same response cache).
 */
import { start, type FakeOpenAiServer, type RecordedRequest } from '../../test/support/fakeOpenAiServer';
import { createSimResponder, writeSimWorkspace, type World } from '../../test/support/sim';
import { optimize, type OptimizeResult } from '../../src/core/optimize/optimizeLoop';
import { readPrompts, readSuggestions } from '../../src/core/optimize/optimizeStore';
import type { MethodFactory } from '../../src/core/credit/resolveMethod';
import { methodRegistry } from '../../src/core/methods';
import { defectRecall, editPrecision } from '../sim/figures';
import { usageFigures, type UsageFigures } from './phaseUsage';
import { psiWithoutIssues, type PsiSignalFigures } from './psiWithoutIssues';

export interface VariantSpec {
  name: string;
  /** Replaces the 'truce' method of the loop; absent: the product's own TRUCE. */
  truce?: MethodFactory;
  llmMerge: boolean;
  /** Measure resume and rerun of the recorded run afterwards. */
  replay: boolean;
}

export interface RoundFigures extends UsageFigures {
  round: number;
  retained: number;
  candidateAccepted: boolean;
  acceptedEdits: number;
}

export interface ReplayFigures {
  /** Requests the fake server received during the replay. */
  serverRequests: number;
  byKind: Record<string, number>;
  cachedCalls: number;
  status: string;
  /** The replay ended with the same best prompt set and the same accepted edits as the recorded run. */
  sameOutcome: boolean;
}

export interface VariantFigures {
  variant: string;
  status: string;
  statusReason?: string;
  rounds: RoundFigures[];
  total: UsageFigures;
  /** What the fake server received for the optimize run (must equal total.all.sent). */
  server: { requests: number; tokens: number; byKind: Record<string, number> };
  acceptedEdits: number;
  accepted: Array<{ op: string; agentId: string; newText?: string; round: number }>;
  recall: number;
  precision: number | null;
  fixed: string[];
  remaining: string[];
  val: { before: number | null; after: number | null };
  test: { before: number | null; after: number | null };
  optimizerCallsPerAcceptedEdit: number | null;
  optimizerTokensPerAcceptedEdit: number | null;
  psiSignal: PsiSignalFigures;
  replay?: { resume: ReplayFigures; rerun: ReplayFigures };
}

const tokensOf = (rs: readonly RecordedRequest[]) => rs.reduce((n, r) => n + (r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0), 0);

function countDiff(after: Partial<Record<string, number>>, before: Partial<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) {
    const d = (n ?? 0) - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

function per(x: number, n: number): number | null {
  return n ? Math.round((x / n) * 100) / 100 : null;
}

export async function runVariant(world: World, spec: VariantSpec): Promise<VariantFigures> {
  const sim = createSimResponder(world);
  const server: FakeOpenAiServer = await start({ responder: sim.respond });
  const ws = writeSimWorkspace(world, { baseUrl: server.url });
  const run = (resumeRunId?: string): Promise<OptimizeResult> =>
    optimize({
      config: ws.config(),
      workspaceRoot: ws.dir,
      method: 'truce',
      llmMerge: spec.llmMerge,
      trusted: true,
      env: {},
      toolVersion: 'bench-p4',
      methods: methodRegistry(spec.truce ? { truce: spec.truce } : {}),
      ...(resumeRunId ? { resumeRunId } : {}),
    });
  try {
    const countsBefore = { ...sim.counts };
    const mark = server.chatRequests().length;
    const result = await run();
    if (result.status === 'failed') throw new Error(`${spec.name}: optimize(...) failed: ${result.reason ?? 'no reason given'}`);
    if (sim.refused.length) throw new Error(`${spec.name}: the simulation world refused ${sim.refused.length} call(s): ${[...new Set(sim.refused)].slice(0, 3).join('; ')}`);
    const requests = server.chatRequests().slice(mark);
    const byKind = countDiff(sim.counts, countsBefore);

    const prompts = await readPrompts(result.dir);
    if (!prompts) throw new Error(`${spec.name}: ${result.dir} has no prompts.json`);
    const suggestions = (await readSuggestions(result.dir)) as Array<Awaited<ReturnType<typeof readSuggestions>>[number] & { round: number }>;
    const accepted = suggestions.filter((s) => s.status === 'accepted');
    const byAgent = Object.fromEntries(world.agents.map((a) => [a, prompts.best[ws.promptFiles[a]] ?? '']));
    const defects = defectRecall(world, byAgent);
    const { precision } = editPrecision(world, accepted.map((s) => s.edit));

    const rounds: RoundFigures[] = result.rounds.map((r) => ({
      round: r.round,
      retained: r.suggestions.retained.length,
      candidateAccepted: r.accepted,
      acceptedEdits: accepted.filter((s) => s.round === r.round).length,
      ...usageFigures(r.usage),
    }));
    const total = usageFigures(result.usage.byPhase);
    const figures: VariantFigures = {
      variant: spec.name,
      status: result.status,
      ...(result.reason ? { statusReason: result.reason } : {}),
      rounds,
      total,
      server: { requests: requests.length, tokens: tokensOf(requests), byKind },
      acceptedEdits: accepted.length,
      accepted: accepted.map((s) => ({ op: s.edit.op, agentId: s.edit.agentId, ...(s.edit.newText !== undefined ? { newText: s.edit.newText } : {}), round: s.round })),
      recall: defects.recall,
      precision,
      fixed: defects.fixed,
      remaining: defects.remaining,
      val: result.val,
      test: result.test,
      optimizerCallsPerAcceptedEdit: per(total.optimizer.sent, accepted.length),
      optimizerTokensPerAcceptedEdit: per(total.optimizer.tokens, accepted.length),
      psiSignal: psiWithoutIssues(requests),
    };

    if (spec.replay) {
      const replayOnce = async (resumeRunId?: string): Promise<ReplayFigures> => {
        const before = { ...sim.counts };
        const at = server.chatRequests().length;
        const again = await run(resumeRunId);
        const againPrompts = await readPrompts(again.dir);
        const againAccepted = again.accepted.map((s) => s.id).sort();
        return {
          serverRequests: server.chatRequests().length - at,
          byKind: countDiff(sim.counts, before),
          cachedCalls: again.usage.total.cachedCalls,
          status: again.status,
          sameOutcome: JSON.stringify(againPrompts?.best) === JSON.stringify(prompts.best) && JSON.stringify(againAccepted) === JSON.stringify(result.accepted.map((s) => s.id).sort()),
        };
      };
      figures.replay = { resume: await replayOnce(result.runId), rerun: await replayOnce() };
    }
    return figures;
  } finally {
    await server.close();
    ws.remove();
  }
}
