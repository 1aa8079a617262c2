/**
 * Measures how long the client waits on the file system, per operation, without touching src/: it
 * wraps the node:fs callback functions the response cache promisifies (readFile, writeFile, rename,
 * mkdir) and the node:fs/promises file-handle methods the JSONL appenders use (open, writeFile,
 * sync, close). Each wait is timed from the call to its completion, so it includes time queued for
 * a libuv thread-pool thread (4 by default) as well as the disk work itself.
 *
 * Installed only when the benchmark asks for it (it adds a little CPU per operation), and it must
 * be installed before the modules that capture these functions are evaluated: import this module
 * first. The timings are grouped by operation and by file kind (cache entry, llm-calls.jsonl,
 * journal.jsonl, trajectories.jsonl).
 */
import type * as FsModule from 'node:fs';
import type * as FsPromisesModule from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

// The modules themselves, not a bundler's namespace copy: the product's bundled code reads these
// objects' properties, so that is where the wrappers must go.
const fs = require('node:fs') as typeof FsModule;
const fsp = require('node:fs/promises') as typeof FsPromisesModule;

const samples = new Map<string, number[]>();
let installed = false;

function kindOf(path: unknown): string {
  const p = String(path);
  if (p.includes('llm-calls')) return 'calls';
  if (p.includes('journal')) return 'journal';
  if (p.includes('trajectories')) return 'trajectories';
  if (/\.json(\.[^/]*\.tmp)?$/.test(p)) return 'cache';
  return 'other';
}

function note(key: string, ms: number): void {
  const list = samples.get(key);
  if (list) list.push(ms);
  else samples.set(key, [ms]);
}

/** Wraps a node:fs callback function whose last argument is the callback. */
function wrapCallback(name: 'readFile' | 'writeFile' | 'rename' | 'mkdir'): void {
  const original = fs[name] as (...args: unknown[]) => void;
  const wrapped = (...args: unknown[]): void => {
    const callback = args[args.length - 1] as (...results: unknown[]) => void;
    const key = `${name}:${kindOf(args[0])}`;
    const t0 = performance.now();
    original(...args.slice(0, -1), (...results: unknown[]) => {
      note(key, performance.now() - t0);
      callback(...results);
    });
  };
  Object.defineProperty(fs, name, { value: wrapped, writable: true, configurable: true });
}

export function installFsWaitProbe(): void {
  if (installed) return;
  installed = true;
  for (const name of ['readFile', 'writeFile', 'rename', 'mkdir'] as const) wrapCallback(name);
  const open = fsp.open;
  const handlePaths = new WeakMap<object, string>();
  const timedOpen = async (...args: Parameters<typeof fsp.open>): Promise<FsPromisesModule.FileHandle> => {
    const t0 = performance.now();
    const handle = await open(...args);
    note(`open:${kindOf(args[0])}`, performance.now() - t0);
    handlePaths.set(handle, String(args[0]));
    const proto = Object.getPrototypeOf(handle) as Record<string, unknown>;
    if (!proto.__fsWaitProbe) {
      proto.__fsWaitProbe = true;
      for (const method of ['writeFile', 'sync', 'close'] as const) {
        const original = proto[method] as (...a: unknown[]) => Promise<unknown>;
        proto[method] = async function (this: object, ...a: unknown[]) {
          const t = performance.now();
          try {
            return await original.apply(this, a);
          } finally {
            note(`${method}:${kindOf(handlePaths.get(this))}`, performance.now() - t);
          }
        };
      }
    }
    return handle;
  };
  Object.defineProperty(fsp, 'open', { value: timedOpen, writable: true, configurable: true });
}

/** Per operation and file kind: count, mean, p50, p90, max (ms) and the summed wait (s). */
export function fsWaitSummary(): Record<string, { n: number; meanMs: number; p50Ms: number; p90Ms: number; maxMs: number; totalSeconds: number }> {
  const out: Record<string, { n: number; meanMs: number; p50Ms: number; p90Ms: number; maxMs: number; totalSeconds: number }> = {};
  const r = (n: number, d = 2) => Number(n.toFixed(d));
  for (const [key, list] of [...samples.entries()].sort()) {
    const sorted = [...list].sort((a, b) => a - b);
    const total = sorted.reduce((a, b) => a + b, 0);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    out[key] = { n: sorted.length, meanMs: r(total / sorted.length), p50Ms: r(at(0.5)), p90Ms: r(at(0.9)), maxMs: r(sorted[sorted.length - 1] ?? 0), totalSeconds: r(total / 1000, 3) };
  }
  return out;
}

// Installed at load when asked for, so that it precedes the modules that capture fs functions.
if (process.argv.includes('--attribute')) installFsWaitProbe();
