/**
 * Hardening: kill -9 during `truce optimize`, then `--resume`, twenty times (issue 7).
 *
 *   node scripts/build.mjs && node scripts/build.mjs --bench
 *   node out/bench/hardening/crashResume.js [--kills 20] [--seed 7] [--latency 40]
 *
 * A reference run of a small simulation scenario runs uninterrupted first and counts the chat
 * requests R it sends. The crash run (a fresh workspace and cache, the same seed) is then killed
 * with SIGKILL at 20 seeded-random points of that work — when the server has received request
 * r_i (r_1 < … < r_20 drawn from [1, R)), plus a random 0–300 ms so kills also land between
 * requests, in file writes and in replays — and resumed with `--resume RUN` each time. After every
 * kill each file of the workspace's `.truce/` is checked with the product's readers
 * (validateStore.ts). Per segment between kills it counts:
 *
 *   respentCalls    requests whose body was already in the response cache when the process died
 *                   (the cache's entries turned back into wire bodies with the product's buildBody)
 *   resentInFlight  requests the server had answered before the kill that were not cached yet —
 *                   the reply died with the process, so sending again is unavoidable
 *   lostRollouts    task rollouts (prompt-set hash, task list, task) stored in a rollout run before
 *                   the kill and executed again after it; lostRolloutRuns the same for whole
 *                   completed rollout runs
 *
 * and at the end whether the resumed run's best prompt set and accepted suggestions equal the
 * reference run's. Prints one JSON object.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { optimizeDir, readOptimizeManifest, readPrompts, readSuggestions } from '../../src/core/optimize/optimizeStore';
import { cacheDir, loadRun, runsDir } from '../../src/core/store';
import { buildBody } from '../../src/core/llm/transport';
import type { ResolvedEndpoint } from '../../src/core/llm/endpoint';
import type { CacheEntry } from '../../src/core/llm/responseCache';
import type { FakeOpenAiServer } from '../../test/support/fakeOpenAiServer';
import { benchRandom, bodyHash, runOptimizeCli, simWorkspace, smallScenario, startSimServer, type CliRun } from './optimizeHarness';
import { validateStore, type StoreReport } from './validateStore';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const KILLS = arg('kills', 20);
const SEED = arg('seed', 7);
const LATENCY_MS = arg('latency', 40);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wire-body hashes of every response-cache entry: what a resume should answer without a request. */
async function cachedBodies(workspaceRoot: string): Promise<Set<string>> {
  const out = new Set<string>();
  const root = cacheDir(workspaceRoot);
  let fans: string[] = [];
  try {
    fans = await readdir(root);
  } catch {
    return out;
  }
  for (const fan of fans) {
    for (const name of await readdir(join(root, fan))) {
      if (!name.endsWith('.json')) continue;
      let entry: CacheEntry;
      try {
        entry = JSON.parse(await readFile(join(root, fan, name), 'utf8')) as CacheEntry;
      } catch {
        continue; // validateStore reports it
      }
      const m = entry.request as unknown as { model: string; messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>; params: Record<string, never>; seed?: number };
      const endpoint = { model: m.model, maxTokensParam: 'max_tokens' } as ResolvedEndpoint;
      const p = m.params as { temperature?: number; maxTokens?: number; responseFormat?: never; logprobs?: { top: number } };
      const body = buildBody(endpoint, m.messages, {
        ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
        ...(p.maxTokens !== undefined ? { maxTokens: p.maxTokens } : {}),
        ...(m.seed !== undefined ? { seed: m.seed } : {}),
        ...(p.responseFormat ? { responseFormat: p.responseFormat } : {}),
        ...(p.logprobs ? { logprobs: p.logprobs } : {}),
      });
      out.add(bodyHash(body));
    }
  }
  return out;
}

interface RolloutIndex {
  /** (prompt-set hash, task list hash, task id) of every stored task rollout. */
  tasks: Map<string, number>;
  /** Stored trajectories per rollout-run folder. */
  perRun: Map<string, string[]>;
  /** (prompt-set hash, task list hash) of every completed rollout run. */
  completedRuns: Set<string>;
}

async function rolloutIndex(workspaceRoot: string): Promise<RolloutIndex> {
  const index: RolloutIndex = { tasks: new Map(), perRun: new Map(), completedRuns: new Set() };
  let names: string[] = [];
  try {
    names = await readdir(runsDir(workspaceRoot));
  } catch {
    return index;
  }
  for (const name of names) {
    let run;
    try {
      run = await loadRun(workspaceRoot, name);
    } catch {
      continue; // optimize runs and folders without a manifest
    }
    const set = `${run.manifest.prompts.hash}|${run.manifest.selection.taskFileSha256}`;
    const keys = run.trajectories.map((t) => `${set}|${t.taskId}`);
    index.perRun.set(name, keys);
    for (const k of keys) index.tasks.set(k, (index.tasks.get(k) ?? 0) + 1);
    if (run.manifest.status === 'completed') index.completedRuns.add(set);
  }
  return index;
}

interface Checkpoint {
  requests: number;
  cached: Set<string>;
  answered: Set<string>;
  rollouts: RolloutIndex;
}

async function checkpoint(server: FakeOpenAiServer, workspaceRoot: string): Promise<Checkpoint> {
  const answered = new Set(server.chatRequests().filter((r) => r.status === 200).map((r) => bodyHash(r.body)));
  return { requests: server.requests.length, cached: await cachedBodies(workspaceRoot), answered, rollouts: await rolloutIndex(workspaceRoot) };
}

/** What the segment since `before` re-did that it should not have. */
async function segmentCost(server: FakeOpenAiServer, workspaceRoot: string, before: Checkpoint) {
  let respentCalls = 0;
  let resentInFlight = 0;
  for (const r of server.requests.slice(before.requests)) {
    if (!r.chat) continue;
    const h = bodyHash(r.body);
    if (before.cached.has(h)) respentCalls++;
    else if (before.answered.has(h)) resentInFlight++;
  }
  const after = await rolloutIndex(workspaceRoot);
  let lostRollouts = 0;
  const rerunSets = new Set<string>();
  for (const [run, keys] of after.perRun) {
    const old = before.rollouts.perRun.get(run)?.length ?? 0;
    for (const k of keys.slice(old)) {
      if (before.rollouts.tasks.has(k)) lostRollouts++;
      const set = k.slice(0, k.lastIndexOf('|'));
      if (before.rollouts.completedRuns.has(set)) rerunSets.add(set);
    }
  }
  return { respentCalls, resentInFlight, lostRollouts, lostRolloutRuns: rerunSets.size };
}

/** Waits until the server has answered (or given up on) everything the dead process sent. */
async function drain(server: FakeOpenAiServer): Promise<void> {
  for (let i = 0; i < 200 && server.stats.inFlight > 0; i++) await sleep(10);
}

async function findOptimizeRun(workspaceRoot: string): Promise<string | undefined> {
  let names: string[] = [];
  try {
    names = await readdir(runsDir(workspaceRoot));
  } catch {
    return undefined;
  }
  for (const name of names.sort().reverse()) {
    if (await readOptimizeManifest(join(runsDir(workspaceRoot), name)).catch(() => undefined)) return name;
  }
  return undefined;
}

async function outcomeOf(workspaceRoot: string, runId: string) {
  const dir = optimizeDir(workspaceRoot, runId);
  const prompts = await readPrompts(dir);
  const suggestions = await readSuggestions(dir);
  const manifest = await readOptimizeManifest(dir);
  return {
    status: manifest?.status,
    bestHash: prompts?.bestHash,
    best: prompts?.best,
    accepted: suggestions.filter((s) => s.status === 'accepted').map((s) => s.id).sort(),
    suggestions: suggestions.length,
  };
}

const storeCounts = (r: StoreReport) => ({ files: r.files, corrupt: r.corrupt.length, torn: r.torn.length, inconsistent: r.inconsistent.length, strayTemp: r.strayTemp.length, orphanDirs: r.orphanDirs.length });

const lastProgress = (run: CliRun) =>
  run.stderr
    .split('\n')
    .filter((l) => l.trim() && !/Warning|trace-warnings/.test(l))
    .slice(-1)[0]
    ?.trim()
    .slice(0, 120) ?? '';

async function main(): Promise<void> {
  const scenario = smallScenario();
  const args = ['--config', 'truce.yaml'];

  // The reference: the same scenario and seed, never interrupted.
  const ref = await startSimServer(scenario, { baseLatencyMs: LATENCY_MS });
  const refWs = simWorkspace(ref);
  const refRun = await runOptimizeCli(args, { cwd: refWs.dir });
  if (refRun.code !== 0 || !refRun.runId) throw new Error(`The reference optimize run failed (exit ${refRun.code}):\n${refRun.stderr.slice(-2000)}`);
  const refOutcome = await outcomeOf(refWs.dir, refRun.runId);
  const refRequests = ref.server.chatRequests();
  const refBodies = refRequests.map((r) => bodyHash(r.body));
  const refCached = await cachedBodies(refWs.dir);
  const refIndex = await rolloutIndex(refWs.dir);
  const refStore = await validateStore(refWs.dir);
  await ref.server.close();
  refWs.remove();

  // The crash run.
  const sim = await startSimServer(scenario, { baseLatencyMs: LATENCY_MS });
  const ws = simWorkspace(sim);
  const random = benchRandom(SEED);
  const points = new Set<number>();
  while (points.size < Math.min(KILLS, refRequests.length - 2)) points.add(1 + Math.floor(random() * (refRequests.length - 1)));
  const targets = [...points].sort((a, b) => a - b);

  let runId: string | undefined;
  let before = await checkpoint(sim.server, ws.dir);
  const kills: Array<Record<string, unknown>> = [];
  const totals = { corruptFiles: 0, tornTails: 0, inconsistentFiles: 0, strayTempFiles: 0, orphanDirs: 0, lostRollouts: 0, lostRolloutRuns: 0, respentCalls: 0, resentInFlight: 0 };
  const corruptExamples: Array<{ kill: number; file: string; problem: string }> = [];
  const failures: string[] = [];
  let completedBeforeKill = 0;

  for (const [i, target] of targets.entries()) {
    const delay = Math.floor(random() * 300);
    const resume = runId ?? (await findOptimizeRun(ws.dir));
    const run = await runOptimizeCli(resume ? [...args, '--resume', resume] : args, {
      cwd: ws.dir,
      killWhen: () => sim.server.chatRequests().length >= target,
      killDelayMs: delay,
    });
    runId ??= run.runId ?? (await findOptimizeRun(ws.dir));
    await drain(sim.server);
    const cost = await segmentCost(sim.server, ws.dir, before);
    const store = await validateStore(ws.dir);
    totals.corruptFiles += store.corrupt.length;
    totals.tornTails += store.torn.length;
    totals.inconsistentFiles += store.inconsistent.length;
    totals.strayTempFiles = store.strayTemp.length;
    totals.orphanDirs = store.orphanDirs.length;
    totals.lostRollouts += cost.lostRollouts;
    totals.lostRolloutRuns += cost.lostRolloutRuns;
    totals.respentCalls += cost.respentCalls;
    totals.resentInFlight += cost.resentInFlight;
    for (const c of store.corrupt.slice(0, 3)) corruptExamples.push({ kill: i + 1, ...c });
    const killed = run.killedAtMs !== undefined && run.signal === 'SIGKILL';
    if (!killed) {
      if (run.code === 0) completedBeforeKill++;
      else failures.push(`invocation ${i + 1} exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    kills.push({
      kill: i + 1,
      killed,
      atRequest: target,
      extraDelayMs: delay,
      killedAtMs: run.killedAtMs ?? null,
      resumed: resume ?? null,
      lastProgress: lastProgress(run),
      ...cost,
      store: storeCounts(store),
      ...(store.torn.length ? { tornFiles: store.torn.map((t) => t.file) } : {}),
      ...(store.inconsistent.length ? { inconsistentFiles: store.inconsistent.map((t) => t.file) } : {}),
    });
    before = await checkpoint(sim.server, ws.dir);
    if (!killed && run.code === 0) break;
  }

  // The last resume runs to the end.
  const resume = runId ?? (await findOptimizeRun(ws.dir));
  const final = await runOptimizeCli(resume ? [...args, '--resume', resume] : args, { cwd: ws.dir });
  await drain(sim.server);
  const finalCost = await segmentCost(sim.server, ws.dir, before);
  totals.lostRollouts += finalCost.lostRollouts;
  totals.lostRolloutRuns += finalCost.lostRolloutRuns;
  totals.respentCalls += finalCost.respentCalls;
  totals.resentInFlight += finalCost.resentInFlight;
  const finalStore = await validateStore(ws.dir);
  const finalRunId = runId ?? final.runId;
  const outcome = finalRunId ? await outcomeOf(ws.dir, finalRunId) : undefined;
  const bestMatches = outcome?.bestHash !== undefined && outcome.bestHash === refOutcome.bestHash;
  const acceptedMatch = JSON.stringify(outcome?.accepted) === JSON.stringify(refOutcome.accepted);
  const crashRequests = sim.server.chatRequests().length;
  await sim.server.close();
  ws.remove();

  const refMatched = refBodies.filter((h) => refCached.has(h)).length;
  const result = {
    scenario: scenario.name,
    seed: SEED,
    kills: kills.filter((k) => k.killed).length,
    corruptFiles: totals.corruptFiles + finalStore.corrupt.length,
    lostRollouts: totals.lostRollouts,
    lostRolloutRuns: totals.lostRolloutRuns,
    respentCalls: totals.respentCalls,
    resentInFlight: totals.resentInFlight,
    finalMatchesUninterrupted: bestMatches && acceptedMatch,
    final: {
      exit: final.code,
      status: outcome?.status ?? null,
      bestHashMatches: bestMatches,
      acceptedMatches: acceptedMatch,
      accepted: outcome?.accepted ?? [],
      referenceAccepted: refOutcome.accepted,
      suggestions: outcome?.suggestions ?? 0,
      referenceSuggestions: refOutcome.suggestions,
      store: storeCounts(finalStore),
    },
    tornTails: totals.tornTails,
    inconsistentFiles: totals.inconsistentFiles,
    strayTempFiles: totals.strayTempFiles,
    orphanDirs: totals.orphanDirs,
    completedBeforeKill,
    failures,
    corruptExamples: [...corruptExamples, ...finalStore.corrupt.map((c) => ({ kill: 0, ...c }))].slice(0, 12),
    requests: { reference: refRequests.length, crashRun: crashRequests, extra: crashRequests - refRequests.length },
    reference: {
      seconds: Number((refRun.elapsedMs / 1000).toFixed(1)),
      duplicateBodies: refBodies.length - new Set(refBodies).size,
      duplicateRollouts: [...refIndex.tasks.values()].filter((n) => n > 1).length,
      // Sanity check of the cache → wire-body mapping respentCalls relies on.
      bodiesFoundInCache: `${refMatched}/${refBodies.length}`,
      store: storeCounts(refStore),
    },
    perKill: kills,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
