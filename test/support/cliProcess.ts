/**
 * The built CLI (dist/cli.js) as a real process, and the barrier of src/core/testPause.ts: race
 * tests start processes that stop at a pause point, wait until every one of them is there (or has
 * ended), and only then let them go on — so they meet every time, however loaded the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Tests are bundled to different depths under out/, so the repository is found by walking up. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts/build.mjs')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const REPO = repoRoot();
export const CLI_PATH = join(REPO, 'dist/cli.js');

export interface CliProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

export class Barrier {
  readonly dir = mkdtempSync(join(tmpdir(), 'truce-barrier-'));

  /** The environment that makes a process stop at the pause points. */
  get env(): NodeJS.ProcessEnv {
    return { TRUCE_TEST_PAUSE_DIR: this.dir };
  }

  /** Pids waiting at `point`. */
  arrived(point: string): number[] {
    return readdirSync(this.dir)
      .filter((n) => n.startsWith(`${point}.`))
      .map((n) => Number(n.slice(point.length + 1)));
  }

  /** Resolves once every process has reached `point` or ended. */
  async gather(point: string, processes: readonly CliProcess[], timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const here = new Set(this.arrived(point));
      if (processes.every((p) => (p.child.pid !== undefined && here.has(p.child.pid)) || p.child.exitCode !== null || p.child.signalCode !== null)) return;
      if (Date.now() > until) throw new Error(`the processes did not all reach "${point}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  release(): void {
    writeFileSync(join(this.dir, 'go'), '');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
