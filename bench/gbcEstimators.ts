/**
 * GBC's connection-weight estimators on the Who&When logs, through `truce eval-attribution
 * --method gbc` in-process: agent- and step-level accuracy of the blame, and the calls each spent,
 * for every estimator the loopback fake can serve.
 *
 * - `judge`: the fake answers every structured call with the same schema-valid, uninformed JSON
 *   (bench/support/plausibleJson.ts), so its figure is the floor of a judge that knows nothing.
 * - `ablation`: re-runs of a step's input, rebuilt from what it read (Who&When logs record no
 *   inputs; `credit.gbc.reconstructInputs`); the fake answers a re-run with the last paragraph of
 *   the input it is given, so the output moves exactly when the last block is removed.
 * - `logprob` (prompt_logprobs, and echo + logprobs): the fake's copy model scores each recorded
 *   output — a word the input already holds is likely — so a block weighs what the output repeats
 *   of it.
 *
 * None of these is a language model: the figures compare what each estimator does with the same
 * crude signal, not how well GBC attributes with a real model.
 *
 *   npm run bench:gbc-estimators
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalAttributionCommand } from '../src/cli/commands/evalAttributionCommand';
import type { MeasuredResult } from '../src/core/credit/attributionMetrics';
import { start, type FakeChatRequest, type FakeReply, type FakeScoring } from '../test/support/fakeOpenAiServer';
import { sharedFixturesDir } from '../test/support/sharedFixtures';
import { plausible, type JsonSchema } from './support/plausibleJson';

const SUBSETS = ['hand-crafted', 'algorithm-generated'];
const CONTEXT_TOKENS = 8_000;

interface Variant {
  name: string;
  estimator: 'judge' | 'ablation' | 'logprob';
  scoring?: FakeScoring;
}

const VARIANTS: Variant[] = [
  { name: 'judge', estimator: 'judge' },
  { name: 'ablation', estimator: 'ablation' },
  { name: 'logprob (prompt_logprobs)', estimator: 'logprob', scoring: { promptLogprobs: true } },
  { name: 'logprob (echo)', estimator: 'logprob', scoring: { echo: true } },
];

function responder(req: FakeChatRequest): FakeReply {
  if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
  if (req.jsonSchema) return { json: plausible(req.jsonSchema.schema as JsonSchema) };
  const paragraphs = req.lastUser.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean);
  return paragraphs[paragraphs.length - 1] ?? 'OK';
}

interface Row {
  estimator: string;
  logs: number;
  agentAccuracy: number;
  stepAccuracy: number;
  stepWithinAccuracy: number;
  calls: number;
  scoringRequests: number;
  seconds: number;
}

async function runVariant(variant: Variant, folders: string[]): Promise<Row> {
  const server = await start({ responder, ...(variant.scoring ? { scoring: variant.scoring } : {}) });
  const work = await mkdtemp(join(tmpdir(), 'truce-bench-gbc-estimators-'));
  try {
    const config = [
      'agents:',
      '  - id: imported',
      '    prompt: imported.md',
      'mas:',
      '  kind: import',
      '  files: [logs.json]',
      'tasks:',
      '  file: tasks.jsonl',
      'evaluator:',
      '  type: exact',
      'llm:',
      '  executor:',
      `    baseUrl: ${server.url}`,
      '    model: fake-model',
      'credit:',
      '  gbc:',
      `    estimator: ${variant.estimator}`,
      '    reconstructInputs: true',
      'optimizer:',
      `  contextTokens: ${CONTEXT_TOKENS}`,
      '',
    ].join('\n');
    await writeFile(join(work, 'truce.yaml'), config);
    await Promise.all(['imported.md', 'tasks.jsonl', 'logs.json'].map((f) => writeFile(join(work, f), '')));
    let stdout = '';
    const started = performance.now();
    const code = await evalAttributionCommand.run([...folders, '--method', 'gbc', '--json', '--config', 'truce.yaml'], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      cwd: work,
      env: {},
    });
    if (code !== 0) throw new Error(`eval-attribution exited with ${code} for ${variant.name}`);
    const result = JSON.parse(stdout) as MeasuredResult;
    const scoringRequests = server.requests.filter((r) => r.path === '/v1/completions' || (r.body as { prompt_logprobs?: unknown } | undefined)?.prompt_logprobs !== undefined).length;
    return {
      estimator: variant.name,
      logs: result.cases.length,
      agentAccuracy: result.summary.agentAccuracy,
      stepAccuracy: result.summary.stepAccuracy,
      stepWithinAccuracy: result.summary.stepWithinAccuracy,
      calls: result.totals.calls,
      scoringRequests,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const shared = sharedFixturesDir();
  if (!shared) throw new Error('bench:gbc-estimators needs ../shared/fixtures (the Who&When logs) next to the repository');
  const folders = SUBSETS.map((s) => join(shared, 'whowhen', s));
  const rows: Row[] = [];
  for (const v of VARIANTS) {
    rows.push(await runVariant(v, folders));
    process.stderr.write(`bench:gbc-estimators ${v.name}: done\n`);
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const header = ['estimator', 'logs', 'agent acc', 'step acc', 'step ±1', 'calls', 'scoring requests'];
  const cells = rows.map((r) => [r.estimator, String(r.logs), pct(r.agentAccuracy), pct(r.stepAccuracy), pct(r.stepWithinAccuracy), String(r.calls), String(r.scoringRequests)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  process.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n${JSON.stringify({ bench: 'gbc-estimators', contextTokens: CONTEXT_TOKENS, rows }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
