/**
 * P2 memory: peak RSS while native JSONL trajectories stream through openFileImport, at 50, 100
 * and 200 MB of input. Each size runs in its own child process, so a figure is that size's peak
 * and not the largest so far. Prints JSON.
 *
 *   node out/bench/ingestRss.js [--sizes 50,100,200]
 *   node out/bench/ingestRss.js --child FILE      (one measurement; prints one JSON line)
 *
 * bench/ingest.ts does not export its generator, so this writes its own seeded file of similar
 * records (4 agents × 4 rounds, a few hundred words per step) into the OS temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileImport, writeTrajectoriesJsonl, type Trajectory } from '../src/core/trajectory';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const WORDS = 'agent plan draft check merge state answer evidence revise critic round tool result score because'.split(' ');

function words(rand: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
}

function trajectory(rand: () => number, n: number): Trajectory {
  const agents = ['a0', 'a1', 'a2', 'merge'];
  const steps: Trajectory['steps'] = [];
  for (let round = 0; round < 4; round++) {
    for (const agentId of agents) {
      const seq = steps.length;
      steps.push({ id: `s${seq}`, seq, round, agentId, kind: agentId === 'merge' ? 'aggregate' : 'llm', input: [{ role: 'user', content: words(rand, 120) }], output: words(rand, 80 + Math.floor(rand() * 100)), reads: seq ? [`s${seq - 1}`] : [], usage: { in: 100, out: 50 }, attrs: {} });
    }
  }
  return { runId: 'rss', taskId: `t${n}`, agents: agents.map((id) => ({ id, kind: id === 'merge' ? 'aggregator' : 'role' })), rounds: [0, 1, 2, 3].map((index) => ({ index, aggregator: 'merge' })), steps, outcome: { score: rand(), success: rand() > 0.5, details: {} }, usage: { in: 0, out: 0 } };
}

async function generate(path: string, megabytes: number): Promise<void> {
  const rand = seeded(11);
  const target = megabytes * 1024 * 1024;
  let bytes = 0;
  function* records(): Generator<Trajectory> {
    for (let n = 0; bytes < target; n++) {
      const t = trajectory(rand, n);
      bytes += JSON.stringify(t).length + 1;
      yield t;
    }
  }
  await writeTrajectoriesJsonl(path, records());
}

/** In the child: stream the file, sampling RSS on every record and on a timer. */
async function measure(path: string): Promise<void> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const stream = await openFileImport(path, { format: 'auto' });
  let records = 0;
  for await (const _ of stream.trajectories) {
    records += 1;
    if (records % 16 === 0) sample();
  }
  clearInterval(timer);
  sample();
  const mb = (n: number) => Number((n / (1024 * 1024)).toFixed(1));
  process.stdout.write(`${JSON.stringify({ records, errors: stream.errors.length, seconds: Number(((performance.now() - started) / 1000).toFixed(2)), baselineRssMB: mb(baseline), peakRssMB: mb(peak), growthMB: mb(peak - baseline), reportedMaxRssMB: mb(process.resourceUsage().maxRSS * 1024) })}\n`);
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child > 0) return measure(process.argv[child + 1] as string);
  const sizesArg = process.argv.indexOf('--sizes');
  const sizes = (sizesArg > 0 ? (process.argv[sizesArg + 1] as string) : '50,100,200').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'truce-rss-'));
  try {
    const rows = [];
    for (const size of sizes) {
      const path = join(dir, `rss-${size}.trajectories.jsonl`);
      await generate(path, size);
      const fileMB = Number((statSync(path).size / (1024 * 1024)).toFixed(1));
      const out = execFileSync(process.execPath, [__filename, '--child', path], { encoding: 'utf8', maxBuffer: 1 << 20 });
      rows.push({ requestedMB: size, fileMB, ...JSON.parse(out.trim().split('\n').pop() as string) });
      rmSync(path, { force: true });
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    process.stdout.write(
      `${JSON.stringify({ benchmark: 'P2 ingest peak RSS (openFileImport, native JSONL)', node: process.version, sizes: rows, peakGrowthRatioLargestVsSmallest: first && last ? Number((last.peakRssMB / first.peakRssMB).toFixed(2)) : null, inputRatioLargestVsSmallest: first && last ? Number((last.fileMB / first.fileMB).toFixed(2)) : null }, null, 2)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
