// Starting, probing and stopping code-server for one run.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { codeServerEntry } from './paths.mjs';
import { runEnv } from './runFolder.mjs';

// Process groups this process started and must end, whatever way it exits.
const liveGroups = new Set();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

/**
 * Runs `cleanup` once on Ctrl-C or SIGTERM, then exits with the conventional 128+signal code, so
 * an interrupted run still closes the browser and ends code-server's process group.
 */
export function onInterrupt(cleanup) {
  let interrupted = false;
  const handler = (signal) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[harness] ${signal}: cleaning up`);
    Promise.resolve()
      .then(cleanup)
      .catch((error) => console.error(`[harness] cleanup failed: ${error?.message ?? error}`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 30) {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

// code-server's extension gallery defaults to open-vsx.org; an empty gallery keeps the workbench
// from trying to reach it (there is no network, and tests must not depend on one).
const serverEnv = { EXTENSIONS_GALLERY: '{}' };

/** The flags every code-server start and extension install of a run shares. */
function baseArgs(run) {
  return ['--config', '/dev/null', '--user-data-dir', run.userDataDir, '--extensions-dir', run.extensionsDir];
}

/** Installs a .vsix into the run's extensions folder with code-server's own installer. */
export function installExtension(run, vsix) {
  const result = spawnSync(process.execPath, [codeServerEntry, ...baseArgs(run), '--install-extension', vsix], {
    env: runEnv(run, serverEnv),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} into ${run.extensionsDir} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return output;
}

/**
 * Starts code-server on 127.0.0.1 for `folder` and resolves once GET /healthz answers 200.
 * `env` adds variables for the server and the extension hosts it starts.
 * Returns { url, port, pid, log, stop }. `stop()` ends the whole process group: the extension
 * hosts it forked otherwise linger for the reconnection grace period.
 */
export async function startCodeServer(run, { folder = run.workspace, port, env = {}, extraArgs = [], readyTimeoutMs = 60_000 } = {}) {
  port ??= await freePort();
  const args = [
    codeServerEntry,
    ...baseArgs(run),
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    ...extraArgs,
    folder,
  ];
  const logFd = openSync(run.serverLog, 'a');
  // detached: Node calls setsid() for the child, so the server and every process it forks share
  // one new process group that stop() can signal at once.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd], env: runEnv(run, { ...serverEnv, ...env }) });
  closeSync(logFd);
  liveGroups.add(child.pid);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!liveGroups.has(child.pid)) return;
    killGroup(child.pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && killGroup(child.pid, 0)) await sleep(100);
    if (killGroup(child.pid, 0)) killGroup(child.pid, 'SIGKILL');
    liveGroups.delete(child.pid);
  };

  const started = Date.now();
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited (${exited.code ?? exited.signal}) before it was ready; end of ${run.serverLog}:\n${tail(run.serverLog)}`);
    }
    if (Date.now() - started > readyTimeoutMs) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${readyTimeoutMs / 1000} s; end of ${run.serverLog}:\n${tail(run.serverLog)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  return { url, port, pid: child.pid, log: run.serverLog, readyMs: Date.now() - started, stop };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
