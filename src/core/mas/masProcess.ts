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
    new MasProcess(request, resolve).start();
  });
}

/** Why the program is being ended before it exited on its own. */
type Ending = Exclude<MasProcessOutcome['kind'], 'exited' | 'spawn-error'>;

/** One run of the program: spawn → stream its output → (end it: timeout, cancel, overflow) → exit → drain. */
class MasProcess {
  private child!: ReturnType<typeof spawn>;
  private pid: number | undefined;
  private stderr = '';
  private pendingLine = '';
  private lineNo = 0;
  private stdoutChars = 0;
  private ending: Ending | undefined;
  private abortReason: unknown;
  private settled = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly onAbort = (): void => {
    this.abortReason = this.request.signal?.reason;
    this.end('aborted');
  };

  constructor(
    private readonly request: MasProcessRequest,
    private readonly resolve: (outcome: MasProcessOutcome) => void,
  ) {}

  start(): void {
    const { request } = this;
    const [command, ...args] = request.argv;
    const child = spawn(command as string, args, {
      cwd: request.cwd,
      env: request.env,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A new process group (POSIX), so the program's helpers can be signalled together with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.child = child;
    this.pid = child.pid;
    const maxStdout = request.maxStdoutChars ?? DEFAULT_MAX_STDOUT;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.readStdout(chunk, maxStdout));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEEP);
    });
    // A program that never reads stdin closes the pipe early; that is its business.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);

    this.timers.push(setTimeout(() => this.end('timeout'), request.timeoutMs));
    request.signal?.addEventListener('abort', this.onAbort, { once: true });

    child.on('error', (error) => {
      if (this.pid === undefined) this.finish({ kind: 'spawn-error', message: error.message, stderr: this.stderr });
    });
    child.on('exit', (code, signal) => this.exited(code, signal));
  }

  /** Stdout, handed over line by line as it arrives; too much of it ends the program. */
  private readStdout(chunk: string, maxStdout: number): void {
    if (this.ending) return;
    this.stdoutChars += chunk.length;
    if (this.stdoutChars > maxStdout) return this.end('overflow');
    const parts = (this.pendingLine + chunk).split('\n');
    this.pendingLine = parts.pop() ?? '';
    for (const part of parts) this.emitLine(part);
  }

  private emitLine(text: string): void {
    this.lineNo++;
    try {
      this.request.onLine(text.endsWith('\r') ? text.slice(0, -1) : text, this.lineNo);
    } catch {
      // A consumer bug must not leave the process running; the consumer reports its own state.
    }
  }

  /** Ends the program's group: SIGTERM, then SIGKILL after the grace period. */
  private end(why: Ending): void {
    if (this.ending || this.settled) return;
    this.ending = why;
    const grace = this.request.killGraceMs ?? DEFAULT_GRACE_MS;
    killGroup(this.pid, 'SIGTERM');
    this.timers.push(setTimeout(() => killGroup(this.pid, 'SIGKILL'), grace));
    // Should even SIGKILL not produce an exit event, do not wait forever.
    this.timers.push(setTimeout(() => this.finishEnded(), grace + 5000));
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ending) {
      killGroup(this.pid, 'SIGKILL');
      return this.finishEnded();
    }
    // Helpers the program left running would hold the output pipes open: end them now.
    killGroup(this.pid, 'SIGKILL');
    const drained = (): void => {
      if (this.pendingLine !== '') this.emitLine(this.pendingLine);
      this.pendingLine = '';
      this.finish({ kind: 'exited', code, signal, stderr: this.stderr, pid: this.pid });
    };
    // 'close' comes once stdout and stderr are drained; a helper in another group could hold them.
    this.child.once('close', drained);
    this.timers.push(setTimeout(drained, DRAIN_MS));
  }

  private finishEnded(): void {
    const { stderr, pid } = this;
    if (this.ending === 'timeout') this.finish({ kind: 'timeout', stderr, pid });
    else if (this.ending === 'overflow') this.finish({ kind: 'overflow', stderr, pid });
    else this.finish({ kind: 'aborted', reason: this.abortReason, stderr, pid });
  }

  private finish(outcome: MasProcessOutcome): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.resolve(outcome);
  }
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
