/**
 * `truce report` for an optimize run. Such a folder holds no trajectories of its own (its rollouts,
 * validation and test runs are runs of their own, named in optimize.json), so the run report does
 * not apply; this one says what the optimize run did: how it ended, each round's train score and
 * gate decision, every suggestion's outcome, and the runs it started.
 */
import { dirname, join } from 'node:path';
import type { Suggestion } from '../credit/types';
import { DEMO_LABEL, isDemoEndpoint } from '../demoEndpoint';
import { readManifest } from '../store';
import { readOptimizeManifest, readRoundRecords, readSuggestions, type OptimizeManifest } from './optimizeStore';
import type { RoundRecord, SuggestionOutcome } from './optimizeTypes';
import { suggestionOutcome } from './suggestionOutcome';

export interface OptimizeReport {
  kind: 'optimize';
  runId: string;
  status: OptimizeManifest['status'];
  statusReason?: string;
  method: string;
  createdAt: string;
  updatedAt: string;
  settings: { rounds: number; topK: number; seed: number; delta: number; ablations: OptimizeManifest['ablations'] };
  val?: OptimizeManifest['val'];
  rounds: Array<{ round: number; trainScore: number; accepted: boolean; decision?: string }>;
  suggestions: SuggestionOutcome[];
  subRuns: OptimizeManifest['subRuns'];
  /** Whether its runs were answered by the demo world (truce.yaml `demo:`), not by a model. */
  demo: boolean;
}

/** The report of the optimize run in `dir`, or undefined when `dir` holds no optimize run. */
export async function readOptimizeReport(dir: string): Promise<OptimizeReport | undefined> {
  const manifest = await readOptimizeManifest(dir);
  if (!manifest) return undefined;
  const records = await readRoundRecords<RoundRecord>(dir);
  // An optimize run records every suggestion with the round that made it (phases/runState.ts).
  const suggestions = (await readSuggestions(dir)) as Array<Suggestion & { round: number }>;
  return {
    kind: 'optimize',
    runId: manifest.runId,
    status: manifest.status,
    ...(manifest.statusReason ? { statusReason: manifest.statusReason } : {}),
    method: manifest.method,
    createdAt: manifest.createdAt,
    updatedAt: manifest.updatedAt,
    settings: { rounds: manifest.rounds, topK: manifest.topK, seed: manifest.seed, delta: manifest.delta, ablations: manifest.ablations },
    ...(manifest.val ? { val: manifest.val } : {}),
    rounds: records.map((r) => ({ round: r.round, trainScore: r.trainScore, accepted: r.accepted, ...(r.decision ? { decision: r.decision.reason } : r.notes.length ? { decision: r.notes.join(' ') } : {}) })),
    suggestions: suggestions.map(suggestionOutcome),
    subRuns: manifest.subRuns,
    demo: await answeredByDemo(dir, manifest.subRuns),
  };
}

/** Whether the runs it started talked to the demo world: their manifests name its endpoint. */
async function answeredByDemo(dir: string, subRuns: OptimizeManifest['subRuns']): Promise<boolean> {
  for (const sub of subRuns) {
    // Sub-runs are folders beside the optimize run's own; an unreadable one says nothing either way.
    const manifest = await readManifest(join(dirname(dir), sub.runId)).catch(() => undefined);
    if (manifest) return Object.values(manifest.endpoints).some((e) => isDemoEndpoint(e.baseUrl));
  }
  return false;
}

const score = (x: number | null | undefined): string => (typeof x === 'number' ? x.toFixed(3) : '—');
/** Table cells hold one line, and a '|' would end the cell. */
const cell = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

export function renderOptimizeMarkdown(report: OptimizeReport): string {
  const { settings } = report;
  const lines = [
    `# Optimize run ${report.runId}`,
    '',
    ...(report.demo ? [`> **Demo run: ${DEMO_LABEL}.** Every reply came from TRUCE's built-in simulation world (truce.yaml \`demo:\`); the scores say nothing about a real model.`, ''] : []),
    `- Status: **${report.status}**${report.statusReason ? ` — ${report.statusReason}` : ''}`,
    `- Method: ${report.method}; ${settings.rounds} rounds planned, top-k ${settings.topK}, δ = ${settings.delta}, seed ${settings.seed}${settings.ablations.noCredit ? ', without credit' : ''}${settings.ablations.noUnits ? ', without units' : ''}`,
    `- Started ${report.createdAt}, last written ${report.updatedAt}`,
  ];
  if (report.val) lines.push(`- Validation: ${score(report.val.before)} → ${score(report.val.after)}${report.val.tasks !== undefined ? ` (over the ${report.val.tasks} tasks both prompt sets ran)` : ''}`);
  lines.push('', '## Rounds', '');
  if (report.rounds.length === 0) lines.push('No round finished.');
  else {
    lines.push('| Round | Train score | Accepted | Why |', '|---|---|---|---|');
    for (const r of report.rounds) lines.push(`| ${r.round} | ${score(r.trainScore)} | ${r.accepted ? 'yes' : 'no'} | ${cell(r.decision ?? '')} |`);
  }
  lines.push('', '## Suggestions', '');
  if (report.suggestions.length === 0) lines.push('No suggestion was made.');
  for (const s of report.suggestions) {
    const what = `${s.op} ${s.agentId} (${s.file})${s.newText !== undefined ? `: ${cell(s.newText)}` : ''}`;
    lines.push(`- \`${s.id}\` **${s.status}** in round ${s.round}, support ${(s.support * 100).toFixed(0)} %: ${what}${s.reason ? ` — ${cell(s.reason)}` : ''}`);
  }
  lines.push('', '## Runs it started', '');
  if (report.subRuns.length === 0) lines.push('None.');
  for (const sub of report.subRuns) lines.push(`- ${sub.runId}: ${sub.purpose}, round ${sub.round} (\`truce report ${sub.runId}\`)`);
  return `${lines.join('\n')}\n`;
}
