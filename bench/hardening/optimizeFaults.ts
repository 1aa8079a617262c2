/**
 * Hardening: `truce optimize` against an endpoint that fails 30% of the time (issue 7).
 *
 *   node scripts/build.mjs && node scripts/build.mjs --bench
 *   node out/bench/hardening/optimizeFaults.js [--probability 0.3] [--seed 11] [--latency 20]
 *
 * The fake server draws a fault for 30% of chat requests, uniformly among: 429 with a short
 * Retry-After, 500, 503, a hang (the client's timeoutMs fires), content cut in half, content that
 * is not JSON, a garbled HTTP body and an HTTP body cut off mid-way. Three runs of a small
 * simulation scenario, each in its own workspace and cache:
 *
 *   reference  no faults, no budget: what the run needs (billable calls C0, tokens T0)
 *   ample        faults, budget 2×C0 calls and 5×T0 tokens: must complete
 *   tightCalls   faults, budget 0.5×C0 calls (2×T0 tokens): must stop on the budget, cleanly
 *   tightTokens  faults, budget 1.15×T0 tokens (2×C0 calls): the same for the token cap
 *
 * For each: the exit status; what the server itself billed (requests it answered with a
 * completion, and their tokens — garbled and cut-off bodies included, because the work was done)
 * against the budget; every file of `.truce/` (validateStore.ts); suggestions.json; every accepted
 * edit replayed with planUnitEdit onto the initial prompts in round order (each must plan, and the
 * re-parse must show it), which must rebuild the stored best set; and `truce apply` of each
 * accepted suggestion, after which the prompt files on disk must equal the best set and the
 * ledger must hold one entry per edit. Prints one JSON object.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig, type TruceConfig } from '../../src/core/config';
import { readLedger } from '../../src/core/optimize/ledger';
import { optimizeDir, readPrompts, readRoundRecords, readSuggestions } from '../../src/core/optimize/optimizeStore';
import type { Suggestion } from '../../src/core/credit/types';
import { locateUnit, normalizeRuleText, parsePromptDocument, planUnitEdit, type UnitEdit } from '../../src/core/units';
import type { FaultKind } from '../../test/support/fakeOpenAiServer';
import { CLI, cliSummary, runOptimizeCli, simWorkspace, smallScenario, startSimServer } from './optimizeHarness';
import { validateStore } from './validateStore';
import { spawn } from 'node:child_process';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const PROBABILITY = arg('probability', 0.3);
const SEED = arg('seed', 11);
const LATENCY_MS = arg('latency', 20);
const TIMEOUT_MS = 1_500;
const RETRY_AFTER_SECONDS = 0.2;
const KINDS: FaultKind[] = ['rate-limit', 'server-error', 'unavailable', 'hang', 'truncated', 'invalid', 'malformed-body', 'truncated-body'];

interface Budget {
  maxCalls: number;
  maxTokens: number;
}

/** Replays the accepted edits onto the initial prompts with planUnitEdit, in round order. */
function replayAccepted(config: TruceConfig, initial: Record<string, string>, accepted: Suggestion[]): { invalid: Array<{ id: string; reason: string }>; texts: Record<string, string> } {
  const texts = { ...initial };
  const invalid: Array<{ id: string; reason: string }> = [];
  for (const s of accepted) {
    const agentConfig = config.agents.find((a) => a.prompt === s.file && (a.section ?? a.id) === s.edit.agentId) ?? config.agents.find((a) => a.prompt === s.file);
    const text = texts[s.file];
    if (!agentConfig || text === undefined) {
      invalid.push({ id: s.id, reason: `no agent/file ${s.file}` });
      continue;
    }
    const parse = { uri: s.file, defaultAgentId: agentConfig.id };
    const doc = parsePromptDocument(text, parse);
    const edit: UnitEdit = { ...s.edit };
    if (edit.op !== 'ADD' && edit.targetUnitId && edit.oldText !== undefined) {
      const loc = locateUnit(doc, { id: edit.targetUnitId, agentId: edit.agentId, text: edit.oldText });
      if (loc.status === 'gone' || loc.status === 'changed') {
        invalid.push({ id: s.id, reason: `target ${loc.status}` });
        continue;
      }
      edit.targetUnitId = loc.unit.id;
    }
    const planned = planUnitEdit(text, doc, edit, { uri: s.file, format: doc.format, defaultAgentId: agentConfig.id });
    if (!planned.ok) {
      invalid.push({ id: s.id, reason: `${planned.code}: ${planned.reason}` });
      continue;
    }
    // The re-parse must show the edit: the new text present (ADD/MODIFY), the old one gone (DELETE).
    const units = planned.document.agents.find((a) => a.id === edit.agentId)?.units.map((u) => normalizeRuleText(u.text)) ?? [];
    if (edit.newText !== undefined && edit.op !== 'DELETE' && !units.includes(normalizeRuleText(edit.newText))) invalid.push({ id: s.id, reason: 'the new rule is not in the re-parsed file' });
    texts[s.file] = planned.text;
  }
  return { invalid, texts };
}

function suggestionProblems(suggestions: Suggestion[]): string[] {
  const problems: string[] = [];
  // The same edit may be proposed again in a later round (ids are content hashes), never twice in one.
  const ids = new Set<string>();
  for (const s of suggestions as Array<Suggestion & { round?: number }>) {
    if (ids.has(`${s.round}/${s.id}`)) problems.push(`${s.id}: listed twice in round ${s.round}`);
    ids.add(`${s.round}/${s.id}`);
    if (!['ADD', 'MODIFY', 'DELETE'].includes(s.edit?.op)) problems.push(`${s.id}: bad op`);
    if (!['pending', 'accepted', 'rejected', 'stale'].includes(s.status)) problems.push(`${s.id}: bad status ${s.status}`);
    if (s.status !== 'accepted' && !s.reason) problems.push(`${s.id}: ${s.status} without a reason`);
    if (typeof s.round !== 'number') problems.push(`${s.id}: no round`);
    if ((s.edit?.op === 'ADD' || s.status === 'accepted') && s.edit?.op !== 'DELETE' && !s.edit?.newText) problems.push(`${s.id}: ${s.edit?.op} without text`);
  }
  return problems;
}

function runCli(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

interface CaseResult extends Record<string, unknown> {
  status: string | null;
  server: { attempts: number; faults: Record<string, number>; billableCalls: number; tokens: number };
  budgetExceeded: { calls: boolean; tokens: boolean } | null;
  invalidEdits?: number;
  store?: { corrupt: number } & Record<string, unknown>;
}

async function runCase(name: string, faults: boolean, budget: Budget | undefined): Promise<CaseResult> {
  const sim = await startSimServer(smallScenario(), {
    baseLatencyMs: LATENCY_MS,
    ...(faults ? { faults: { probability: PROBABILITY, kinds: KINDS, seed: SEED, retryAfterSeconds: RETRY_AFTER_SECONDS } } : {}),
  });
  const ws = simWorkspace(sim, (config) => {
    const llm = config.llm as Record<string, Record<string, unknown>>;
    for (const role of Object.keys(llm)) llm[role].timeoutMs = TIMEOUT_MS;
    if (budget) config.budget = budget;
  });
  try {
    const started = Date.now();
    const run = await runOptimizeCli(['--config', 'truce.yaml'], { cwd: ws.dir });
    const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
    const summary = cliSummary(run) as { status?: string; reason?: string; usage?: { total?: { calls: number; inputTokens: number; outputTokens: number } } } | undefined;
    const requests = sim.server.chatRequests();
    const billed = requests.filter((r) => r.usage !== undefined);
    const server = {
      attempts: requests.length,
      faults: Object.fromEntries(KINDS.map((k) => [k, requests.filter((r) => r.fault === k).length]).filter(([, n]) => (n as number) > 0)),
      billableCalls: billed.length,
      tokens: billed.reduce((n, r) => n + (r.usage ? r.usage.prompt_tokens + r.usage.completion_tokens : 0), 0),
    };
    const productTotal = summary?.usage?.total;
    const out: CaseResult = {
      case: name,
      exit: run.code,
      status: summary?.status ?? null,
      budgetExceeded: budget ? { calls: server.billableCalls > budget.maxCalls, tokens: server.tokens > budget.maxTokens } : null,
      ...(summary?.reason ? { reason: summary.reason } : {}),
      seconds,
      budget: budget ?? null,
      server,
      // The product's own count; below the server's means billed replies went unaccounted.
      product: productTotal ? { calls: productTotal.calls, tokens: productTotal.inputTokens + productTotal.outputTokens } : null,
      worldRefused: sim.refused.length,
      ...(run.code !== 0 && !summary ? { stderrTail: run.stderr.trim().split('\n').slice(-3).join(' | ') } : {}),
    };
    if (!run.runId) return { ...out, error: run.stderr.slice(-1500) };
    const dir = optimizeDir(ws.dir, run.runId);
    const store = await validateStore(ws.dir);
    const parsed = parseConfig(await readFile(ws.configPath, 'utf8'), { workspaceRoot: ws.dir });
    if (!parsed.ok) throw new Error('the workspace configuration does not parse');
    const prompts = await readPrompts(dir);
    const suggestions = await readSuggestions(dir);
    const rounds = await readRoundRecords<{ round: number }>(dir);
    const roundOf = (s: Suggestion) => (s as Suggestion & { round: number }).round;
    const accepted = suggestions.filter((s) => s.status === 'accepted').sort((a, b) => roundOf(a) - roundOf(b));
    const replay = prompts ? replayAccepted(parsed.config, prompts.initial, accepted) : { invalid: [{ id: '-', reason: 'no prompts.json' }], texts: {} };
    const rebuildsBest = prompts !== undefined && Object.entries(prompts.best).every(([file, text]) => replay.texts[file] === text);

    // `truce apply` of every accepted suggestion, in round order, onto the real prompt files.
    const applyFailures: string[] = [];
    for (const s of accepted) {
      const r = await runCli(['apply', s.id, '--run', run.runId], ws.dir);
      if (r.code !== 0) applyFailures.push(`${s.id}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0]}`);
    }
    const onDisk = prompts ? await Promise.all(Object.keys(prompts.best).map(async (f) => (await readFile(join(ws.dir, f), 'utf8')) === prompts.best[f])) : [false];
    const ledger = await readLedger(ws.dir);
    return {
      ...out,
      runId: run.runId,
      rounds: rounds.length,
      suggestions: suggestions.length,
      accepted: accepted.length,
      invalidEdits: replay.invalid.length + applyFailures.length,
      invalidDetails: [...replay.invalid.map((i) => `${i.id}: ${i.reason}`), ...applyFailures],
      replayRebuildsBest: rebuildsBest,
      appliedFilesEqualBest: onDisk.every(Boolean),
      ledgerEntries: ledger.filter((e) => e.kind === 'apply').length,
      suggestionProblems: suggestionProblems(suggestions),
      store: { files: store.files, corrupt: store.corrupt.length, torn: store.torn.length, inconsistent: store.inconsistent.length, strayTemp: store.strayTemp.length, examples: store.corrupt.slice(0, 5) },
    };
  } finally {
    await sim.server.close();
    ws.remove();
  }
}

async function main(): Promise<void> {
  const reference = await runCase('reference', false, undefined);
  const server = reference.server;
  if (reference.status !== 'completed') throw new Error(`The fault-free reference run did not complete: ${JSON.stringify(reference)}`);
  // Ample: 2× the calls, and 5× the tokens, because every rollout must fit its projection before it
  // starts, and projections assume each reply uses all of maxTokens (a 20-task validation
  // projects ~4× the tokens it spends); 2× the tokens can stop a faulted run half way.
  const ample = await runCase('ample', true, { maxCalls: server.billableCalls * 2, maxTokens: server.tokens * 5 });
  // A token cap below a rollout's projection is refused before anything is sent; these two start
  // and run out on the way.
  const tightCalls = await runCase('tightCalls', true, { maxCalls: Math.round(server.billableCalls / 2), maxTokens: server.tokens * 2 });
  const tightTokens = await runCase('tightTokens', true, { maxCalls: server.billableCalls * 2, maxTokens: Math.round(server.tokens * 1.15) });
  const cases = { reference, ample, tightCalls, tightTokens };
  const faulted = [ample, tightCalls, tightTokens];
  const exceeded = (c: CaseResult) => c.budgetExceeded !== null && (c.budgetExceeded.calls || c.budgetExceeded.tokens);
  const result = {
    faultProbability: PROBABILITY,
    faultKinds: KINDS,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    timeoutMs: TIMEOUT_MS,
    completed: ample.status === 'completed',
    tightStoppedOnBudget: tightCalls.status === 'stopped-budget' && tightTokens.status === 'stopped-budget',
    invalidEdits: faulted.reduce((n, c) => n + (c.invalidEdits ?? 0), 0),
    budgetExceeded: faulted.filter(exceeded).length,
    corruptFiles: faulted.reduce((n, c) => n + (c.store?.corrupt ?? 0), 0),
    faultsInjected: faulted.reduce((n, c) => n + Object.values(c.server.faults).reduce((a, b) => a + b, 0), 0),
    // Calls the server billed beyond what the product counted (unreadable replies it paid for).
    unaccountedBilledCalls: faulted.reduce((n, c) => n + Math.max(0, c.server.billableCalls - ((c.product as { calls: number } | null)?.calls ?? 0)), 0),
    cases,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
