/**
 * Checks every file under a workspace's `.truce/` with the product's own readers: optimize runs
 * (optimizeStore), rollout runs (loadRun, which validates each trajectory, call record and journal
 * event), and every response-cache entry (DiskResponseCache). What it finds is sorted by how bad:
 *
 *   corrupt      a file the product cannot read, or a bad line in the middle of a JSONL file
 *   torn         an incomplete last JSONL line, which the product drops by design (jsonlFile.ts:
 *                readers skip it, JsonlAppender.open cuts it off before the next append)
 *   inconsistent a derived file that disagrees with its source (best/<file> vs prompts.json)
 *   strayTemp    temporary files of an atomic write cut short (ignored by every reader)
 *   orphanDirs   run folders without a manifest (a kill between mkdir and the first write)
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DiskResponseCache } from '../../src/core/llm/responseCache';
import { OPTIMIZE_FILES, readOptimizeManifest, readPrompts } from '../../src/core/optimize/optimizeStore';
import { cacheDir, isStoredCallRecord, loadRun, readJsonlFile, runsDir, type JsonlContents } from '../../src/core/store';
import { RUN_LOCK_FILE } from '../../src/core/store/runLock';
import { parseTasksJsonl } from '../../src/core/tasks';

export interface StoreFinding {
  file: string;
  problem: string;
}

export interface StoreReport {
  files: number;
  corrupt: StoreFinding[];
  torn: StoreFinding[];
  inconsistent: StoreFinding[];
  strayTemp: string[];
  orphanDirs: string[];
  cacheEntries: number;
}

// A killed process leaves its run lock behind; the next owner takes a stale lock over (runLock.ts),
// so the file is part of a sound store, not corruption.
const RUN_FILE_NAMES = new Set(['manifest.json', 'trajectories.jsonl', 'llm-calls.jsonl', 'journal.jsonl', 'summary.json', RUN_LOCK_FILE]);
const OPTIMIZE_FILE_NAMES = new Set<string>([...Object.values(OPTIMIZE_FILES), RUN_LOCK_FILE]);

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

const isTemp = (name: string) => /\.tmp$/.test(name);

export async function validateStore(workspaceRoot: string): Promise<StoreReport> {
  const report: StoreReport = { files: 0, corrupt: [], torn: [], inconsistent: [], strayTemp: [], orphanDirs: [], cacheEntries: 0 };
  const rel = (p: string) => relative(workspaceRoot, p);
  const corrupt = (file: string, problem: string) => report.corrupt.push({ file: rel(file), problem });

  const jsonl = (file: string, contents: JsonlContents, check?: (value: unknown) => string | undefined) => {
    if (contents.torn) report.torn.push({ file: rel(file), problem: `line ${contents.torn.line}: ${contents.torn.bytes} bytes without a newline` });
    for (const e of contents.errors) corrupt(file, `line ${e.line}: ${e.message}`);
    if (check) {
      for (const { value, line } of contents.lines) {
        const problem = check(value);
        if (problem) corrupt(file, `line ${line}: ${problem}`);
      }
    }
  };
  const json = async (file: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      corrupt(file, `not readable JSON: ${(error as Error).message}`);
      return undefined;
    }
  };
  const isObject = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'not a JSON object');

  // Runs: rollout runs (manifest.json) and optimize runs (optimize.json).
  let names: string[] = [];
  try {
    names = await readdir(runsDir(workspaceRoot));
  } catch {
    names = [];
  }
  for (const name of names.sort()) {
    const dir = join(runsDir(workspaceRoot), name);
    if (!(await stat(dir)).isDirectory()) continue;
    const files = await walk(dir);
    report.files += files.length;
    for (const f of files) if (isTemp(f)) report.strayTemp.push(rel(f));
    const has = (n: string) => files.includes(join(dir, n));

    if (has(OPTIMIZE_FILES.manifest)) {
      try {
        await readOptimizeManifest(dir);
      } catch (error) {
        corrupt(join(dir, OPTIMIZE_FILES.manifest), (error as Error).message);
      }
      jsonl(join(dir, OPTIMIZE_FILES.rounds), await readJsonlFile(join(dir, OPTIMIZE_FILES.rounds)), (v) => (typeof (v as { round?: unknown })?.round === 'number' ? undefined : 'not a round record'));
      jsonl(join(dir, OPTIMIZE_FILES.credit), await readJsonlFile(join(dir, OPTIMIZE_FILES.credit)), isObject);
      jsonl(join(dir, OPTIMIZE_FILES.calls), await readJsonlFile(join(dir, OPTIMIZE_FILES.calls)), (v) => (isStoredCallRecord(v) ? undefined : 'not an LLM call record'));
      if (has(OPTIMIZE_FILES.suggestions)) {
        const s = await json(join(dir, OPTIMIZE_FILES.suggestions));
        if (s !== undefined && !Array.isArray(s)) corrupt(join(dir, OPTIMIZE_FILES.suggestions), 'not a JSON array');
      }
      if (has(OPTIMIZE_FILES.report)) await json(join(dir, OPTIMIZE_FILES.report));
      let prompts;
      try {
        prompts = await readPrompts(dir);
      } catch (error) {
        corrupt(join(dir, OPTIMIZE_FILES.prompts), (error as Error).message);
      }
      if (prompts) {
        if (typeof prompts.best !== 'object' || typeof prompts.initial !== 'object' || typeof prompts.bestHash !== 'string') corrupt(join(dir, OPTIMIZE_FILES.prompts), 'missing initial/best/bestHash');
        else {
          for (const [file, text] of Object.entries(prompts.best)) {
            const copy = join(dir, OPTIMIZE_FILES.best, file);
            const onDisk = await readFile(copy, 'utf8').catch(() => undefined);
            if (onDisk !== text) report.inconsistent.push({ file: rel(copy), problem: onDisk === undefined ? 'missing' : 'differs from prompts.json' });
          }
        }
      }
      for (const f of files.filter((f) => relative(dir, f).startsWith(`tasks`) && !isTemp(f))) {
        const text = await readFile(f, 'utf8');
        const parsed = parseTasksJsonl(text);
        if (parsed.errors.length) corrupt(f, `task file: ${parsed.errors[0].message}`);
        // The file is named after the hash of its content, so a short write shows as a mismatch.
        const expected = createHash('sha256').update(text).digest('hex').slice(0, 16);
        if (!f.endsWith(`${expected}.jsonl`)) corrupt(f, 'content does not match the hash in its name (cut short)');
      }
      for (const f of files) {
        const top = relative(dir, f).split(/[\\/]/)[0];
        if (!isTemp(f) && !OPTIMIZE_FILE_NAMES.has(top) && top !== 'tasks') corrupt(f, 'unexpected file in an optimize run');
      }
      continue;
    }
    if (!has('manifest.json')) {
      report.orphanDirs.push(rel(dir));
      continue;
    }
    try {
      const run = await loadRun(workspaceRoot, name);
      // loadRun reports torn tails and bad lines as problems; the torn ones are tolerated by design.
      for (const p of run.problems) {
        if (/incomplete last line/.test(p)) report.torn.push({ file: rel(join(dir, p.split(':')[0])), problem: p });
        else corrupt(join(dir, p.split(':')[0]), p);
      }
      if (has('summary.json')) await json(join(dir, 'summary.json'));
    } catch (error) {
      corrupt(join(dir, 'manifest.json'), (error as Error).message);
    }
    for (const f of files) if (!isTemp(f) && !RUN_FILE_NAMES.has(relative(dir, f))) corrupt(f, 'unexpected file in a run');
  }

  // The response cache: every entry must read back through the product's cache.
  const cache = new DiskResponseCache(cacheDir(workspaceRoot));
  for (const f of await walk(cacheDir(workspaceRoot))) {
    report.files++;
    if (isTemp(f)) {
      report.strayTemp.push(rel(f));
      continue;
    }
    const key = /([0-9a-f]{64})\.json$/.exec(f)?.[1];
    if (!key) {
      corrupt(f, 'not a cache entry name');
      continue;
    }
    report.cacheEntries++;
    if (!(await cache.get(key))) corrupt(f, 'cache entry does not read back (torn or foreign)');
  }
  return report;
}
