/**
 * Native JSONL ingest throughput: the validating streaming reader against a plain
 * `JSON.parse`-per-line baseline, measured in the same run on the same file. Prints JSON.
 *
 *   npx esbuild bench/ingest.ts --bundle --platform=node --packages=external --outfile=out/bench/ingest.js
 *   node out/bench/ingest.js [megabytes=200]
 *
 * The file is generated (seeded, so runs are comparable) into the OS temp folder and removed after.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lineBatches, streamTrajectoriesJsonl, TrajectorySchema, writeTrajectoriesJsonl, type Trajectory } from '../src/core/trajectory';

/** Small deterministic generator, so every run reads the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = 'the agent reads plan result critic round aggregate state tool answer because therefore check verify draft revise evidence score'.split(' ');

function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  return out.join(' ');
}

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

async function measure(name: string, fn: (path: string) => Promise<number>, path: string, megabytes: number, repeats: number): Promise<{ name: string; seconds: number; mbPerSecond: number; records: number }> {
  let best = Number.POSITIVE_INFINITY;
  let records = 0;
  for (let i = 0; i < repeats; i++) {
    const started = process.hrtime.bigint();
    records = await fn(path);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.min(best, seconds);
  }
  return { name, seconds: Number(best.toFixed(3)), mbPerSecond: Number((megabytes / best).toFixed(1)), records };
}

async function main(): Promise<void> {
  const requested = Number(process.argv[2] ?? 200);
  const repeats = Number(process.argv[3] ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'truce-bench-'));
  const path = join(dir, 'ingest.trajectories.jsonl');
  try {
    await generate(path, requested);
    const megabytes = (await stat(path)).size / (1024 * 1024);
    // A first untimed pass puts the file in the page cache for every contender alike.
    await chunkedBaseline(path);
    const readline = await measure('readline + JSON.parse', readlineBaseline, path, megabytes, repeats);
    const chunked = await measure('chunked lines + JSON.parse', chunkedBaseline, path, megabytes, repeats);
    const ours = await measure('streamTrajectoriesJsonl (parse + compiled zod + references)', validatingReader, path, megabytes, repeats);
    const interpreted = await measure('chunked lines + JSON.parse + interpreted zod', interpretedZodReader, path, megabytes, 1);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'native JSONL ingest',
          node: process.version,
          fileMB: Number(megabytes.toFixed(1)),
          records: ours.records,
          results: [readline, chunked, ours, interpreted],
          ratioVsReadlineBaseline: Number((ours.mbPerSecond / readline.mbPerSecond).toFixed(3)),
          ratioVsChunkedBaseline: Number((ours.mbPerSecond / chunked.mbPerSecond).toFixed(3)),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
