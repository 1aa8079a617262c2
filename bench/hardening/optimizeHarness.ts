/**
 * Shared parts of the hardening benches that drive the real `truce optimize` CLI: a small
 * simulation scenario, the fake OpenAI server with the world behind it (in this process, so every
 * request the CLI sends is seen here), and the child process itself.
 *
 * The CLI is the one `node scripts/build.mjs` writes to dist/cli.js; the benches run it as a
 * separate process because what they test — SIGKILL, a real process's files — needs one.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { canonicalJson } from '../../src/core/llm/cacheKey';
import { createSimResponder, loadScenario, parseScenario, World, writeSimWorkspace, type Scenario, type SimWorkspace } from '../../test/support/sim';
import { start, type FakeOpenAiServer, type FakeServerOptions } from '../../test/support/fakeOpenAiServer';
import { seededRandom } from '../../src/core/optimize/random';

/** out/bench/hardening/<bench>.js → the repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/**
 * mixed-noise30 (one missing rule, one harmful rule, 30% noise) shrunk so that one optimize run
 * takes seconds, not minutes: fewer tasks, three optimizer rounds of a small batch.
 */
export function smallScenario(overrides: { seed?: number } = {}): Scenario {
  const base = loadScenario(join(REPO_ROOT, 'bench', 'sim', 'scenarios', 'mixed-noise30.json'));
  return parseScenario({
    ...base,
    name: 'hardening-small',
    seed: overrides.seed ?? base.seed,
    tasks: { train: 20, val: 20, test: 10, maxSkills: base.tasks.maxSkills },
    optimizer: { method: 'truce', rounds: 4, topK: 3, batchSize: 8 },
  });
}

export interface SimServer {
  world: World;
  server: FakeOpenAiServer;
  refused: string[];
}

export async function startSimServer(scenario: Scenario, options: Omit<FakeServerOptions, 'responder'> = {}): Promise<SimServer> {
  const world = new World(scenario);
  const sim = createSimResponder(world);
  const server = await start({ ...options, responder: sim.respond });
  return { world, server, refused: sim.refused };
}

/** A workspace for the world, with extra truce.yaml settings merged in (budget, endpoint timeouts). */
export function simWorkspace(sim: SimServer, patch: (config: Record<string, unknown>) => void = () => undefined): SimWorkspace {
  const ws = writeSimWorkspace(sim.world, { baseUrl: sim.server.url });
  const config = parse(readFileSync(ws.configPath, 'utf8')) as Record<string, unknown>;
  patch(config);
  writeFileSync(ws.configPath, stringify(config));
  ws.config(); // fails loudly when the patch made the configuration invalid
  return ws;
}

/** sha256 of a request body in canonical form: two sends of the same request hash alike. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the bench killed it. */
  killedAtMs?: number;
  elapsedMs: number;
  /** The optimize run id, from the "optimize <id>: …" progress line (if it got that far). */
  runId?: string;
}

export interface CliOptions {
  cwd: string;
  /** SIGKILL the process this many ms after it started (unless it ended first). */
  killAfterMs?: number;
  /** Polled every few ms: once true, SIGKILL the process after `killDelayMs`. */
  killWhen?: () => boolean;
  killDelayMs?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

/** Runs `node dist/cli.js optimize …` to its end, or until the bench kills it. */
export function runOptimizeCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing; run \`node scripts/build.mjs\` first.`);
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'optimize', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let killedAtMs: number | undefined;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null && killedAtMs === undefined) {
      killedAtMs = Date.now() - started;
      child.kill('SIGKILL');
    }
  };
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(kill, options.killAfterMs);
  const poll =
    options.killWhen === undefined
      ? undefined
      : setInterval(() => {
          if (!options.killWhen?.()) return;
          clearInterval(poll);
          setTimeout(kill, options.killDelayMs ?? 0);
        }, 2);
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      const runId = /^optimize (\d{8}-\d{6}-[0-9a-f]{4}):/m.exec(stderr)?.[1];
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        elapsedMs: Date.now() - started,
        ...(killedAtMs !== undefined ? { killedAtMs } : {}),
        ...(runId ? { runId } : {}),
      });
    });
  });
}

/** The JSON summary the CLI prints on stdout when it ran to an end (undefined after a kill). */
export function cliSummary(run: CliRun): Record<string, unknown> | undefined {
  const start = run.stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(run.stdout.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The bench's own random choices use the optimizer's seeded generator (mulberry32). */
export const benchRandom = seededRandom;
