/**
 * P2 ingest throughput, each against a plain `JSON.parse`-per-line baseline measured in the same run
 * on the same file. Prints JSON.
 *  - Native JSONL: the validating streaming reader (target ≥ 0.7× the baseline).
 *  - OTLP JSON: the whole OTLP importer through its file entry point, as `truce import` and the editor
 *    call it (span envelope, call tree, steps, rounds and inferred reads), on one long multi-agent
 *    session written the way the collector's file exporter writes it, one export request per line,
 *    which the importer streams (target ≥ 0.5× the baseline).
 *
 *   node scripts/build.mjs --bench
 *   node out/bench/ingest.js [megabytes=200] [repeats=3] [--otlp-mb 32] [--otlp-rounds 7] [--only native|otlp] [--keep-otlp FILE]
 *
 * The OTLP figure is measured interleaved in this process (see `interleaved`): the median over the
 * rounds of the per-round ratio, with its range, in wall and in CPU time, and the load average
 * before and after. Each contender's garbage collections are counted too (young generation and
 * full, medians per run) with their total pause: an importer keeps what it decodes, so its young
 * collections have much to copy, and that cost shows up nowhere else. Next to it, three floors: reading the file whole and parsing each line;
 * streaming the lines, parsing them and decoding the message attributes, which is as little as an
 * importer can do; and that plus the message-flow search (readsByContent) over the model calls'
 * texts, as little as an importer that infers reads from content can do. When the last one is below
 * the target on a machine, no work on spans, steps and rounds reaches the target there.
 *
 * The files are generated (seeded, so runs are comparable) into the OS temp folder and removed after;
 * `--keep-otlp` also writes the OTLP file to FILE, for profiling the importer on it alone
 * (`node --cpu-prof -e "…importOtlpText(readFileSync(FILE,'utf8'))"`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { importFile, importOtlpText, lineBatches, streamTrajectoriesJsonl, TrajectorySchema, writeTrajectoriesJsonl, type ImportResult, type Trajectory } from '../src/core/trajectory';
import { readsByContent, type TextStep } from '../src/core/trajectory/readsByContent';
import { gcClock, GcRecorder, type GcTally } from './support/gcTally';
import { generateOtlp, random, sentence, type OtlpSpanJson } from './support/generateOtlpSession';

function makeTrajectory(rand: () => number, n: number): Trajectory {
  const agents = ['planner', 'solver', 'critic', 'aggregator'];
  const rounds = 4;
  const steps: Trajectory['steps'] = [];
  for (let r = 0; r < rounds; r++) {
    for (const agent of agents) {
      const seq = steps.length;
      steps.push({
        id: `s${seq}`,
        seq,
        round: r,
        agentId: agent,
        kind: agent === 'aggregator' ? 'aggregate' : 'llm',
        input: [
          { role: 'system', content: sentence(rand, 40) },
          { role: 'user', content: sentence(rand, 80 + Math.floor(rand() * 80)) },
        ],
        output: sentence(rand, 60 + Math.floor(rand() * 120)),
        reads: seq > 0 ? [`s${seq - 1}`] : [],
        usage: { in: Math.floor(rand() * 2000), out: Math.floor(rand() * 500) },
        t_start: 1_700_000_000_000 + seq * 1000,
        t_end: 1_700_000_000_000 + seq * 1000 + 800,
        attrs: { model: 'gpt-x', temperature: 0.2 },
      });
    }
  }
  return {
    runId: 'bench',
    taskId: `task-${n}`,
    agents: agents.map((id) => ({ id, kind: id === 'aggregator' ? 'aggregator' : 'role' })),
    rounds: Array.from({ length: rounds }, (_, index) => ({ index, aggregator: 'aggregator' })),
    steps,
    outcome: { score: rand(), success: rand() > 0.5, details: {} },
    usage: { in: 0, out: 0 },
  };
}

async function generate(path: string, megabytes: number): Promise<void> {
  const rand = random(42);
  const target = megabytes * 1024 * 1024;
  let bytes = 0;
  function* records(): Generator<Trajectory> {
    for (let n = 0; bytes < target; n++) {
      const t = makeTrajectory(rand, n);
      bytes += JSON.stringify(t).length + 1;
      yield t;
    }
  }
  await writeTrajectoriesJsonl(path, records());
}

// --- OTLP: one long multi-agent session (bench/support/generateOtlpSession.ts).

interface OtlpSummary {
  trajectories: number;
  steps: number;
  readEdges: number;
  /** Digest of every step's reads, to check that a faster importer still infers the same graph. */
  readsDigest: string;
  errors: number;
}

function summarize(result: ImportResult): OtlpSummary {
  const hash = createHash('sha256');
  let steps = 0;
  let readEdges = 0;
  for (const t of result.trajectories) {
    for (const step of t.steps) {
      steps += 1;
      readEdges += step.reads.length;
      hash.update(`${step.id}<${step.reads.join(',')}\n`);
    }
  }
  return { trajectories: result.trajectories.length, steps, readEdges, readsDigest: hash.digest('hex').slice(0, 16), errors: result.errors.length };
}

/** The importer as `truce import` and the editor run it: the file entry point, which streams a file of one export request per line. */
async function otlpImporter(path: string): Promise<OtlpSummary> {
  return summarize(await importFile(path, { format: 'otlp' }));
}

/** The same importer on the file's whole text, as every file was read before the file entry point streamed lines. */
async function otlpTextImporter(path: string): Promise<OtlpSummary> {
  return summarize(importOtlpText(await readFile(path, 'utf8'), { source: path }));
}

async function readlineBaseline(path: string): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line) {
      JSON.parse(line);
      count += 1;
    }
  }
  return count;
}

async function chunkedBaseline(path: string): Promise<number> {
  let count = 0;
  for await (const batch of lineBatches(path)) {
    for (const { text } of batch) {
      JSON.parse(text);
      count += 1;
    }
  }
  return count;
}

async function validatingReader(path: string): Promise<number> {
  const { count, errors } = await streamTrajectoriesJsonl(path, () => undefined);
  if (errors.length > 0) throw new Error(`unexpected errors: ${errors[0]?.message}`);
  return count;
}

/** The schema without the compiled fast path, to show what compilation buys. */
async function interpretedZodReader(path: string): Promise<number> {
  let count = 0;
  for await (const batch of lineBatches(path)) {
    for (const { text } of batch) {
      if (TrajectorySchema.safeParse(JSON.parse(text)).success) count += 1;
    }
  }
  return count;
}

/**
 * Best of `repeats` runs, by wall time and by CPU time of this process. CPU time is reported too
 * because these machines are shared: another process taking the cores stretches wall time, not CPU time.
 */
async function measure<R>(name: string, fn: (path: string) => Promise<R>, path: string, megabytes: number, repeats: number): Promise<{ name: string; seconds: number; mbPerSecond: number; cpuSeconds: number; mbPerCpuSecond: number; records: R }> {
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let records: R | undefined;
  for (let i = 0; i < repeats; i++) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    records = await fn(path);
    const used = process.cpuUsage(cpu);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.min(best, seconds);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
  }
  return {
    name,
    seconds: Number(best.toFixed(3)),
    mbPerSecond: Number((megabytes / best).toFixed(1)),
    cpuSeconds: Number(bestCpu.toFixed(3)),
    mbPerCpuSecond: Number((megabytes / bestCpu).toFixed(1)),
    records: records as R,
  };
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function nativeFigures(dir: string, requested: number, repeats: number): Promise<Record<string, unknown>> {
  const path = join(dir, 'ingest.trajectories.jsonl');
  await generate(path, requested);
  const megabytes = (await stat(path)).size / (1024 * 1024);
  // A first untimed pass puts the file in the page cache for every contender alike.
  await chunkedBaseline(path);
  const readline = await measure('readline + JSON.parse', readlineBaseline, path, megabytes, repeats);
  const chunked = await measure('chunked lines + JSON.parse', chunkedBaseline, path, megabytes, repeats);
  const ours = await measure('streamTrajectoriesJsonl (parse + compiled zod + references)', validatingReader, path, megabytes, repeats);
  const interpreted = await measure('chunked lines + JSON.parse + interpreted zod', interpretedZodReader, path, megabytes, 1);
  await rm(path, { force: true });
  return {
    fileMB: Number(megabytes.toFixed(1)),
    records: ours.records,
    results: [readline, chunked, ours, interpreted],
    ratioVsReadlineBaseline: Number((ours.mbPerSecond / readline.mbPerSecond).toFixed(3)),
    ratioVsChunkedBaseline: Number((ours.mbPerSecond / chunked.mbPerSecond).toFixed(3)),
    cpuRatioVsReadlineBaseline: Number((ours.mbPerCpuSecond / readline.mbPerCpuSecond).toFixed(3)),
  };
}

/** Every span of the file, lines streamed as the importer reads a file of one export request per line. */
async function forEachOtlpSpan(path: string, visit: (span: OtlpSpanJson) => void): Promise<void> {
  for await (const batch of lineBatches(path)) {
    for (const { text } of batch) {
      const doc = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: OtlpSpanJson[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) visit(span);
    }
  }
}

/**
 * What any importer that returns the messages must do at least: read every export request, parse
 * it, and decode each span's message attributes (JSON text inside the JSON), keeping what they
 * decode to. The gap between this and the baseline is the floor of the OTLP ratio.
 */
async function otlpFloor(path: string): Promise<number> {
  const kept: unknown[] = [];
  await forEachOtlpSpan(path, (span) => {
    for (const a of span.attributes) if (a.key.endsWith('.messages')) kept.push(JSON.parse(a.value.stringValue as string));
  });
  return kept.length;
}

/** The text parts of decoded GenAI messages. */
function messageTexts(messages: unknown): string[] {
  const out: string[] = [];
  for (const m of messages as { parts?: { content?: unknown }[] }[]) for (const part of m.parts ?? []) if (typeof part.content === 'string') out.push(part.content);
  return out;
}

/**
 * The floor above plus the message-flow search (readsByContent) over each model call's texts, in
 * file order: the least an importer that infers reads from content, with this search, must do.
 * When this alone is below the target, no work on spans, steps and rounds can reach it.
 */
async function otlpFloorWithSearch(path: string): Promise<number> {
  const texts: TextStep[] = [];
  await forEachOtlpSpan(path, (span) => {
    let input: string[] = [];
    let output = '';
    for (const a of span.attributes) {
      if (a.key === 'gen_ai.input.messages') input = messageTexts(JSON.parse(a.value.stringValue as string));
      else if (a.key === 'gen_ai.output.messages') output = messageTexts(JSON.parse(a.value.stringValue as string)).join('\n');
    }
    texts.push({ input, output });
  });
  return readsByContent(texts).reduce((edges, reads) => edges + reads.length, 0);
}

/** Reading and parsing alone: the file whole, split into lines, each parsed. */
async function wholeFileParse(path: string): Promise<number> {
  let count = 0;
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line) {
      JSON.parse(line);
      count += 1;
    }
  }
  return count;
}

/** A full collection between timed runs, when the engine lets us ask for one (see below). */
function exposedGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

interface Contender<R> {
  name: string;
  fn: (path: string) => Promise<R>;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: readonly number[], digits = 3): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const round = (v: number): number => Number(v.toFixed(digits));
  return { median: round(median), min: round(sorted[0] as number), max: round(sorted[sorted.length - 1] as number) };
}

/**
 * Every contender once per round, in an order that rotates from round to round, all in this one
 * process, after one untimed warm-up round (the first run of a contender also pays for compiling it;
 * that cold figure is kept apart). Wall and CPU time (all threads of this process, so the garbage
 * collector's helpers count) per run. Ratios are formed within a round, so a burst of load from
 * other processes hits both sides of a ratio alike; their median and range are reported. When the
 * engine allows it, a full collection runs before each timed run, so no contender pays for cleaning
 * up another one's garbage.
 */
async function interleaved(contenders: readonly Contender<unknown>[], path: string, rounds: number): Promise<{ wall: number[][]; cpu: number[][]; gcs: GcTally[][]; cold: { wall: number; cpu: number }[]; records: unknown[]; collected: boolean }> {
  const gc = exposedGc();
  const recorder = new GcRecorder();
  const wall: number[][] = contenders.map(() => []);
  const cpu: number[][] = contenders.map(() => []);
  const gcs: GcTally[][] = contenders.map(() => []);
  const cold: { wall: number; cpu: number }[] = [];
  const records: unknown[] = [];
  const timed = async (k: number): Promise<{ wall: number; cpu: number; gc: GcTally }> => {
    gc?.();
    const from = gcClock();
    const started = process.hrtime.bigint();
    const before = process.cpuUsage();
    records[k] = await (contenders[k] as Contender<unknown>).fn(path);
    const used = process.cpuUsage(before);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Tallied after the clocks stopped: waiting for the collector's reports is not the run's time.
    return { wall: seconds, cpu: (used.user + used.system) / 1e6, gc: await recorder.tally(from, gcClock()) };
  };
  for (let k = 0; k < contenders.length; k++) cold[k] = await timed(k);
  for (let r = 0; r < rounds; r++) {
    for (let step = 0; step < contenders.length; step++) {
      const k = (r + step) % contenders.length;
      const t = await timed(k);
      (wall[k] as number[]).push(t.wall);
      (cpu[k] as number[]).push(t.cpu);
      (gcs[k] as GcTally[]).push(t.gc);
    }
  }
  recorder.stop();
  return { wall, cpu, gcs, cold, records, collected: gc !== undefined };
}

/** Medians over the rounds of how many collections of each kind ran in a run and how long they paused it. */
function gcSummary(tallies: readonly GcTally[]): { minor: number; major: number; pauseSeconds: Spread } {
  return {
    minor: spread(tallies.map((t) => t.minor), 0).median,
    major: spread(tallies.map((t) => t.major), 0).median,
    pauseSeconds: spread(tallies.map((t) => t.pauseSeconds)),
  };
}

function loadAverage(): number[] {
  return loadavg().map((v) => Number(v.toFixed(2)));
}

async function otlpFigures(dir: string, requested: number, rounds: number): Promise<Record<string, unknown>> {
  const path = join(dir, 'ingest.otlp.jsonl');
  await generateOtlp(path, requested);
  const keep = option('keep-otlp');
  if (keep) await copyFile(path, keep);
  const megabytes = (await stat(path)).size / (1024 * 1024);
  await chunkedBaseline(path);
  const loadBefore = loadAverage();
  const contenders: Contender<unknown>[] = [
    { name: 'readline + JSON.parse (baseline)', fn: readlineBaseline },
    { name: 'chunked lines + JSON.parse', fn: chunkedBaseline },
    { name: 'floor: read whole + JSON.parse each line', fn: wholeFileParse },
    { name: 'floor: lines streamed + JSON.parse + decode message attributes', fn: otlpFloor },
    { name: 'floor + search: the floor, then readsByContent over the model calls\' texts', fn: otlpFloorWithSearch },
    { name: 'importOtlpText (read whole + spans + steps + rounds + reads)', fn: otlpTextImporter },
    { name: 'importFile (lines streamed + spans + steps + rounds + reads)', fn: otlpImporter },
  ];
  const BASE = 0;
  const OURS = contenders.length - 1;
  const runs = await interleaved(contenders, path, rounds);
  const loadAfter = loadAverage();
  await rm(path, { force: true });
  /** Throughput of contender k relative to the baseline, per round: baseline time / its time. */
  const ratios = (times: number[][], k: number, base = BASE): number[] => (times[k] as number[]).map((t, r) => ((times[base] as number[])[r] as number) / t);
  const results = contenders.map((c, k) => {
    const wall = spread(runs.wall[k] as number[]);
    const cpu = spread(runs.cpu[k] as number[]);
    return {
      name: c.name,
      seconds: wall,
      cpuSeconds: cpu,
      mbPerSecond: Number((megabytes / wall.median).toFixed(1)),
      mbPerCpuSecond: Number((megabytes / cpu.median).toFixed(1)),
      cold: { seconds: Number((runs.cold[k] as { wall: number }).wall.toFixed(3)), cpuSeconds: Number((runs.cold[k] as { cpu: number }).cpu.toFixed(3)) },
      garbageCollection: gcSummary(runs.gcs[k] as GcTally[]),
      ...(k === BASE ? {} : { ratioVsBaseline: { wall: spread(ratios(runs.wall, k)), cpu: spread(ratios(runs.cpu, k)) } }),
    };
  });
  const oursWall = spread(ratios(runs.wall, OURS));
  const oursCpu = spread(ratios(runs.cpu, OURS));
  const summary = runs.records[OURS] as OtlpSummary;
  const TEXT = OURS - 1;
  // Both entry points must infer the same graph, or the comparison means nothing.
  if (JSON.stringify(runs.records[TEXT]) !== JSON.stringify(summary)) throw new Error(`importFile and importOtlpText disagree: ${JSON.stringify(runs.records[TEXT])} vs ${JSON.stringify(summary)}`);
  return {
    fileMB: Number(megabytes.toFixed(1)),
    exportRequests: runs.records[BASE],
    ...summary,
    rounds,
    fullGcBetweenRuns: runs.collected,
    loadAverage: { before: loadBefore, after: loadAfter },
    results,
    // Medians over the rounds; the spread is next to each in `ratios`.
    ratioVsReadlineBaseline: oursWall.median,
    ratioVsChunkedBaseline: spread(ratios(runs.wall, OURS, 1)).median,
    cpuRatioVsReadlineBaseline: oursCpu.median,
    ratios: { wall: oursWall, cpu: oursCpu, perRound: { wall: ratios(runs.wall, OURS).map((v) => Number(v.toFixed(3))), cpu: ratios(runs.cpu, OURS).map((v) => Number(v.toFixed(3))) } },
    target: '>= 0.5',
  };
}

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const requested = Number(positional[0] ?? 200);
  const repeats = Number(positional[1] ?? 3);
  const otlpMB = Number(option('otlp-mb') ?? 32);
  const otlpRounds = Number(option('otlp-rounds') ?? 7);
  const only = option('only');
  const dir = await mkdtemp(join(tmpdir(), 'truce-bench-'));
  try {
    const native = only === 'otlp' ? {} : await nativeFigures(dir, requested, repeats);
    const otlp = only === 'native' ? undefined : await otlpFigures(dir, otlpMB, otlpRounds);
    process.stdout.write(`${JSON.stringify({ benchmark: 'native JSONL ingest', node: process.version, ...native, ...(otlp ? { otlp: { benchmark: 'OTLP JSON import', ...otlp } } : {}) }, null, 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
