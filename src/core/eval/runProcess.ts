/**
 * Runs one program without a shell, feeds it stdin, and collects what it prints — with a timeout
 * that kills the whole process tree, because a scorer that starts helpers (a test runner, a
 * compiler) must not leave them running after we give up on it.
 */
import { spawn } from 'node:child_process';

export interface ProcessRequest {
  argv: readonly string[];
  stdin: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Larger output is cut off; a scorer's verdict is small and a runaway loop must not fill memory. */
  maxStdoutBytes?: number;
}

export type ProcessOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; stdoutTruncated: boolean }
  | { kind: 'timeout'; stdout: string; stderr: string }
  | { kind: 'spawn-error'; message: string }
  | { kind: 'aborted'; reason: unknown };

const STDERR_KEEP = 64 * 1024;

export function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const maxStdout = request.maxStdoutBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    if (request.signal?.aborted) return resolve({ kind: 'aborted', reason: request.signal.reason });
    const [command, ...args] = request.argv;
    const child = spawn(command, args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group lets us kill the children it spawned along with it (POSIX).
      detached: process.platform !== 'win32',
      windowsHide: true,
    });

    let stdout = '';
    let stdoutTruncated = false;
    let stderr = '';
    let settled = false;
    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length + chunk.length > maxStdout) {
        stdout += chunk.slice(0, Math.max(0, maxStdout - stdout.length));
        stdoutTruncated = true;
      } else stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    // A script that never reads stdin closes the pipe early; that is its business, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);

    const timer = setTimeout(() => {
      killTree(child.pid);
      finish({ kind: 'timeout', stdout, stderr });
    }, request.timeoutMs);
    const onAbort = () => {
      killTree(child.pid);
      finish({ kind: 'aborted', reason: request.signal?.reason });
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => finish({ kind: 'spawn-error', message: error.message }));
    // 'close' (not 'exit') waits until stdout/stderr are drained, so no output is lost.
    child.on('close', (code, signal) => finish({ kind: 'exited', code, signal, stdout, stderr, stdoutTruncated }));
  });
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    } else {
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    // Already gone: nothing left to kill.
  }
}
