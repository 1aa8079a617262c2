/** Shared test fixtures for the LLM layer: a controllable clock and a client wired to the fake server. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmClient } from '../../../src/core/llm/client';
import { abortedError, type Clock } from '../../../src/core/llm/clock';
import type { EndpointConfig } from '../../../src/core/llm/endpoint';
import type { LlmCallRecord } from '../../../src/core/llm/callLog';
import { createLlmServices, type LlmServices, type LlmServicesOptions } from '../../../src/core/llm/services';
import type { EndpointRole } from '../../../src/core/llm/types';
import { seededRandom } from '../../support/fakeOpenAiServer';

interface PendingSleep {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock whose sleeps cost no real time. In auto mode every sleep ends on the next turn of the
 * event loop with time moved to its wake-up; in manual mode sleeps wait for `advance`. Every
 * requested sleep is recorded, so tests assert exactly what was waited.
 */
export class TestClock implements Clock {
  readonly sleeps: number[] = [];
  private readonly pending = new Set<PendingSleep>();
  private sleepWaiters: Array<() => void> = [];

  constructor(
    private t = Date.UTC(2025, 0, 1),
    public auto = true,
  ) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    this.sleeps.push(ms);
    const wakeAt = this.t + Math.max(0, ms);
    return new Promise<void>((resolve, reject) => {
      const entry: PendingSleep = {
        wakeAt,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          this.t = Math.max(this.t, wakeAt);
          resolve();
        },
      };
      const onAbort = () => {
        this.pending.delete(entry);
        reject(abortedError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.auto) {
        setImmediate(() => {
          if (signal?.aborted) return;
          entry.resolve();
        });
      } else {
        this.pending.add(entry);
        const waiters = this.sleepWaiters;
        this.sleepWaiters = [];
        for (const w of waiters) w();
      }
    });
  }

  get pendingSleeps(): number {
    return this.pending.size;
  }

  /** Resolves once at least one manual-mode sleep is pending. */
  whenSleeping(): Promise<void> {
    if (this.pending.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.sleepWaiters.push(resolve));
  }

  advance(ms: number): void {
    this.t += ms;
    for (const entry of [...this.pending]) {
      if (entry.wakeAt <= this.t) {
        this.pending.delete(entry);
        entry.resolve();
      }
    }
  }
}

export interface Harness {
  client: LlmClient;
  services: LlmServices;
  clock: TestClock;
  records: LlmCallRecord[];
}

export function makeHarness(
  endpoint: Partial<EndpointConfig> & { baseUrl: string },
  options: Omit<LlmServicesOptions, 'onCall'> & { role?: EndpointRole } = {},
): Harness {
  const clock = (options.clock as TestClock | undefined) ?? new TestClock();
  const records: LlmCallRecord[] = [];
  const services = createLlmServices({
    env: {},
    random: seededRandom(7),
    ...options,
    clock,
    onCall: (r) => records.push(r),
  });
  const client = new LlmClient(options.role ?? 'executor', { model: 'fake-model', ...endpoint }, services);
  return { client, services, clock, records };
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `truce-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every file under `dir` with its text, for "nothing secret on disk" scans. */
export function readTree(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...readTree(full));
    else out.push({ path: full, text: readFileSync(full, 'utf8') });
  }
  return out;
}

export const user = (content: string) => [{ role: 'user' as const, content }];
