/**
 * Runs the user's MAS program: no shell, its own process group, stdin written once, stdout handed
 * over line by line as it arrives (steps show up live), stderr kept as a tail.
 *
 * Ending it (timeout, cancellation) signals the whole group — the program and every helper it
 * started — with SIGTERM, then SIGKILL after a grace period, so a MAS that starts model servers or
 * tool processes leaves nothing behind. Helpers still running when the program itself exits
 * normally are killed as well. On Windows, `taskkill /T /F` ends the tree.
 *
 * This differs from the evaluator's runProcess (eval/runProcess.ts) in the graceful stop, the
 * streamed stdout and the unbounded output size that whole trajectories need.
 */
import { spawn } from 'node:child_process';

export interface MasProcessRequest {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL; default 2 s. */
  killGraceMs?: number;
  signal?: AbortSignal;
  /** Each stdout line (without its line break), 1-based. */
  onLine: (text: string, line: number) => void;
  /** Stdout beyond this many characters ends the program; default 512 MiB. */
  maxStdoutChars?: number;
}

export type MasProcessOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stderr: string; pid?: number }
  | { kind: 'timeout'; stderr: string; pid?: number }
  | { kind: 'aborted'; reason: unknown; stderr: string; pid?: number }
  | { kind: 'overflow'; stderr: string; pid?: number }
  | { kind: 'spawn-error'; message: string; stderr: string };

const STDERR_KEEP = 64 * 1024;
const DEFAULT_GRACE_MS = 2000;
const DEFAULT_MAX_STDOUT = 512 * 1024 * 1024;
/** After the program exits, how long its output pipes may stay open (held by a helper) before we stop reading. */
const DRAIN_MS = 2000;

export function runMasProcess(request: MasProcessRequest): Promise<MasProcessOutcome> {
  return new Promise((resolve) => {
    if (request.signal?.aborted) return resolve({ kind: 'aborted', reason: request.signal.reason, stderr: '' });
    const [command, ...args] = request.argv;
    const child = spawn(command, args, {
      cwd: request.cwd,
      env: request.env,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A new process group (POSIX), so the program's helpers can be signalled together with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const pid = child.pid;
    const maxStdout = request.maxStdoutChars ?? DEFAULT_MAX_STDOUT;
    let stderr = '';
    let pendingLine = '';
    let lineNo = 0;
    let stdoutChars = 0;
    let ending: Exclude<MasProcessOutcome['kind'], 'exited' | 'spawn-error'> | undefined;
    let abortReason: unknown;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (outcome: MasProcessOutcome): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      request.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome);
    };
    const emitLine = (text: string): void => {
      lineNo++;
      try {
        request.onLine(text.endsWith('\r') ? text.slice(0, -1) : text, lineNo);
      } catch {
        // A consumer bug must not leave the process running; the consumer reports its own state.
      }
    };
    const end = (why: NonNullable<typeof ending>): void => {
      if (ending || settled) return;
      ending = why;
      killGroup(pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), request.killGraceMs ?? DEFAULT_GRACE_MS));
      // Should even SIGKILL not produce an exit event, do not wait forever.
      timers.push(setTimeout(() => finishEnded(), (request.killGraceMs ?? DEFAULT_GRACE_MS) + 5000));
    };
    const finishEnded = (): void => {
      if (ending === 'timeout') finish({ kind: 'timeout', stderr, pid });
      else if (ending === 'overflow') finish({ kind: 'overflow', stderr, pid });
      else finish({ kind: 'aborted', reason: abortReason, stderr, pid });
    };
    const onAbort = (): void => {
      abortReason = request.signal?.reason;
      end('aborted');
    };

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (ending) return;
      stdoutChars += chunk.length;
      if (stdoutChars > maxStdout) return end('overflow');
      const parts = (pendingLine + chunk).split('\n');
      pendingLine = parts.pop() ?? '';
      for (const part of parts) emitLine(part);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    // A program that never reads stdin closes the pipe early; that is its business.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);

    timers.push(setTimeout(() => end('timeout'), request.timeoutMs));
    request.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      if (pid === undefined) finish({ kind: 'spawn-error', message: error.message, stderr });
    });
    child.on('exit', (code, signal) => {
      if (ending) {
        killGroup(pid, 'SIGKILL');
        return finishEnded();
      }
      // Helpers the program left running would hold the output pipes open: end them now.
      killGroup(pid, 'SIGKILL');
      const exited = { code, signal };
      const drained = (): void => {
        if (pendingLine !== '') emitLine(pendingLine);
        pendingLine = '';
        finish({ kind: 'exited', ...exited, stderr, pid });
      };
      // 'close' comes once stdout and stderr are drained; a helper in another group could hold them.
      child.once('close', drained);
      timers.push(setTimeout(drained, DRAIN_MS));
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      if (signal === 'SIGKILL' || signal === 'SIGTERM') {
        spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
      }
    } else {
      process.kill(-pid, signal);
    }
  } catch {
    // The group is already gone.
  }
}
