/**
 * What each attribution method sends the model on the Who&When logs, under one fixed budget of
 * 8000 context tokens per call (optimizer.contextTokens): prompt tokens per log (mean and max),
 * the characters its prompts clip away, and the share of logs where the labelled mistake step's
 * text reaches the model in at least one call (the target is every log: a culprit never shown
 * cannot be found). Accuracy is not measured here — the loopback fake answers every call with
 * the same well-formed, uninformed JSON, so only what was sent is meaningful.
 *
 * It runs `truce eval-attribution --method all --json` in-process on every hand-crafted and
 * algorithm-generated log of ../shared/fixtures/whowhen, prints a table, and stores the figures
 * under "attribution" in bench/results.json (other keys are kept).
 *
 *   npm run bench:attribution
 *
 * Prompt tokens are the fake server's count (words and punctuation marks, not chars/4), so they
 * run higher than the client's own estimate on punctuation-heavy text such as HTML dumps.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evalAttributionCommand } from '../src/cli/commands/evalAttributionCommand';
import type { MeasuredResult } from '../src/core/credit/attributionMetrics';
import { start, type FakeChatRequest, type FakeReply } from '../test/support/fakeOpenAiServer';
import { sharedFixturesDir } from '../test/support/sharedFixtures';
import { plausible, type JsonSchema } from './support/plausibleJson';

/** out/bench/attribution.js → the repository root. */
const ROOT = resolve(__dirname, '..', '..');
const CONTEXT_TOKENS = 8_000;
const SUBSETS = ['hand-crafted', 'algorithm-generated'];

function responder(req: FakeChatRequest): FakeReply {
  if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
  if (req.jsonSchema) return { json: plausible(req.jsonSchema.schema as JsonSchema) };
  return { content: 'no schema was sent' };
}

interface MethodFigures {
  method: string;
  cases: number;
  calls: number;
  meanPromptTokens: number;
  maxPromptTokens: number;
  clippedChars: number;
  /** Share of the logs with a labelled step where its text reached the model. */
  decisiveStepSeenShare: number;
  /** The logs whose labelled step no prompt showed. */
  decisiveStepUnseen: string[];
}

function figuresOf(result: MeasuredResult): MethodFigures {
  const tokens = result.cases.map((c) => c.promptTokens);
  const labelled = result.cases.filter((c) => c.decisiveStepSeen !== undefined);
  return {
    method: result.summary.method,
    cases: result.cases.length,
    calls: result.totals.calls,
    meanPromptTokens: Math.round(tokens.reduce((a, b) => a + b, 0) / Math.max(1, tokens.length)),
    maxPromptTokens: Math.max(0, ...tokens),
    clippedChars: result.totals.clippedChars,
    decisiveStepSeenShare: Number((labelled.filter((c) => c.decisiveStepSeen).length / Math.max(1, labelled.length)).toFixed(3)),
    decisiveStepUnseen: labelled.filter((c) => !c.decisiveStepSeen).map((c) => c.file ?? c.taskId),
  };
}

function table(rows: readonly MethodFigures[]): string {
  const header = ['method', 'logs', 'calls', 'mean prompt tok', 'max prompt tok', 'clipped chars', 'labelled step shown'];
  const cells = rows.map((r) => [r.method, String(r.cases), String(r.calls), String(r.meanPromptTokens), String(r.maxPromptTokens), String(r.clippedChars), `${(100 * r.decisiveStepSeenShare).toFixed(1)}%`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const shared = sharedFixturesDir();
  if (!shared) throw new Error('bench:attribution needs ../shared/fixtures (the Who&When logs) next to the repository');
  const folders = SUBSETS.map((s) => join(shared, 'whowhen', s));
  const server = await start({ responder });
  const work = await mkdtemp(join(tmpdir(), 'truce-bench-attribution-'));
  try {
    // The budget is set the way a user sets it: optimizer.contextTokens in truce.yaml.
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
      'optimizer:',
      `  contextTokens: ${CONTEXT_TOKENS}`,
      '',
    ].join('\n');
    await writeFile(join(work, 'truce.yaml'), config);
    // The files truce.yaml names, so reading it raises no warnings; the command reads the logs given on its line.
    await Promise.all(['imported.md', 'tasks.jsonl', 'logs.json'].map((f) => writeFile(join(work, f), '')));
    let stdout = '';
    const started = performance.now();
    const code = await evalAttributionCommand.run([...folders, '--method', 'all', '--json', '--config', 'truce.yaml'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => process.stderr.write(t),
      cwd: work,
      env: {},
    });
    if (code !== 0) throw new Error(`eval-attribution exited with ${code}`);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    const { methods } = JSON.parse(stdout) as { methods: MeasuredResult[] };
    const rows = methods.map(figuresOf);
    const attribution = { generatedAt: new Date().toISOString(), contextTokens: CONTEXT_TOKENS, logs: rows[0]?.cases ?? 0, seconds, methods: rows };

    const resultsPath = join(ROOT, 'bench', 'results.json');
    const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
    results.attribution = attribution;
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);

    const unseen = rows.filter((r) => r.decisiveStepUnseen.length).map((r) => `${r.method}: labelled step never shown for ${r.decisiveStepUnseen.join(', ')}`);
    process.stdout.write(`${table(rows)}\n${unseen.length ? `${unseen.join('\n')}\n` : ''}written: bench/results.json (key "attribution")\n${JSON.stringify(attribution, null, 2)}\n`);
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
