/**
 * Demo mode (truce.yaml `demo:`): the rounds MAS and the optimizer run against the built-in
 * simulation world instead of an LLM, so a newcomer without any endpoint can walk the whole loop —
 * run, credit, suggestions, review, revert — on the example workspace. The replies are scripted
 * (src/core/sim); everything shown for a demo run says so ("demo world, not an LLM").
 *
 * `demo.when: no-endpoint` (the default) uses the world only when the configured executor does
 * not answer at all (nothing listens, the host is unknown, no reply in time); any HTTP answer —
 * even an error such as 401 — means a real endpoint is there, and it is used. `always` uses the
 * world unconditionally.
 *
 * A demo run's endpoints are replaced by DEMO_BASE_URL / DEMO_MODEL, which are never on the
 * network: the LLM clients get an in-process fetch (demoFetch.ts). So the manifest, call log and
 * reports name the demo world, and no scripted reply can land in the response cache under a
 * real endpoint's key.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import type { FetchLike } from '../llm/transport';
import { hideUrlCredentials } from '../llm/urlCredentials';
import { createSimResponder } from '../sim/responder';
import { World } from '../sim/world';
import { parseTasksJsonl } from '../tasks';
import { DEMO_BASE_URL, DEMO_MODEL } from '../demoEndpoint';
import { createDemoFetch } from './demoFetch';
import { demoScenario, DemoWorldError, parseDemoWorldFile } from './demoWorldFile';
import { readDemoWorldText } from './readDemoWorldText';

const REACH_TIMEOUT_MS = 2_500;

export type DemoDecision =
  | { active: false }
  | {
      active: true;
      /** The configuration with every endpoint pointed at the demo world. */
      config: TruceConfig;
      /** Hand to runMas / optimize / creditStoredRun as their `llm` option. */
      llm: { fetch: FetchLike };
      /** One sentence for the log and a notification: why the demo world answers. */
      notice: string;
    };

export interface DemoModeOptions {
  workspaceRoot: string;
  signal?: AbortSignal;
  /**
   * Whether something answers at the base URL: undefined when it does, else why not. Default: one
   * GET of `<baseUrl>/models` with a short timeout (no tokens are spent).
   */
  reach?: (baseUrl: string, signal?: AbortSignal) => Promise<string | undefined>;
  /**
   * The environment variable that named the executor's base URL (TRUCE_BASE_URL, OPENAI_BASE_URL).
   * Naming an endpoint is asking for it: when it does not answer, that is an error to report, not a
   * reason to fall back to the demo world.
   */
  endpointFrom?: string;
}

/** The endpoint a user named in the environment does not answer. */
export class NamedEndpointUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NamedEndpointUnreachableError';
  }
}

/** Throws DemoWorldError when demo mode is on but its world cannot be built (with what to fix). */
export async function resolveDemoMode(config: TruceConfig, options: DemoModeOptions): Promise<DemoDecision> {
  const demo = config.demo;
  if (!demo) return { active: false };
  let why: string;
  if (demo.when === 'always') {
    why = 'truce.yaml sets demo.when: always';
  } else {
    const baseUrl = config.llm.executor.baseUrl;
    const unreachable = await (options.reach ?? reach)(baseUrl, options.signal);
    if (unreachable === undefined) return { active: false };
    if (options.endpointFrom) {
      throw new NamedEndpointUnreachableError(
        hideUrlCredentials(`${options.endpointFrom} names ${baseUrl}, but nothing answered there (${unreachable}). Start that endpoint, or unset ${options.endpointFrom} to use truce.yaml's endpoint (or, when that does not answer either, the demo world).`),
      );
    }
    // Configured base URLs cannot carry credentials; hidden anyway, as this line is shown and logged.
    why = hideUrlCredentials(`no LLM endpoint answered at ${baseUrl} (${unreachable}); start it, or set TRUCE_BASE_URL to a model endpoint that answers`);
  }
  const fetch = createDemoFetch(createSimResponder(await loadDemoWorld(config, options.workspaceRoot)).respond);
  return { active: true, config: demoConfig(config), llm: { fetch }, notice: `Running against the demo world — scripted replies, not an LLM: ${why}.` };
}

/** The world of the workspace: its demo world file, its MAS and its tasks. */
export async function loadDemoWorld(config: TruceConfig, workspaceRoot: string): Promise<World> {
  const file = config.demo?.world;
  if (!file) throw new DemoWorldError('truce.yaml has no demo.world.');
  const text = await readDemoWorldText(workspaceRoot, file);
  const scenario = demoScenario(config, parseDemoWorldFile(text, file), file);
  let tasksText: string;
  try {
    tasksText = await readFile(resolve(workspaceRoot, config.tasks.file), 'utf8');
  } catch (error) {
    throw new DemoWorldError(`Cannot read the tasks file ${config.tasks.file} for the demo world: ${(error as Error).message}`);
  }
  const tasks = parseTasksJsonl(tasksText).tasks.map((t) => ({ id: t.id, input: typeof t.input === 'string' ? t.input : JSON.stringify(t.input), reference: typeof t.reference === 'string' ? t.reference : '' }));
  try {
    return new World(scenario, { tasks });
  } catch (error) {
    throw new DemoWorldError(`The demo world ${file} does not fit: ${(error as Error).message}`);
  }
}

/** Every endpoint pointed at the demo world, keeping the request settings the run records. */
export function demoConfig(config: TruceConfig): TruceConfig {
  const at = (endpoint: TruceConfig['llm']['executor']) => ({
    baseUrl: DEMO_BASE_URL,
    model: DEMO_MODEL,
    ...(endpoint.temperature !== undefined ? { temperature: endpoint.temperature } : {}),
    ...(endpoint.maxTokens !== undefined ? { maxTokens: endpoint.maxTokens } : {}),
    ...(endpoint.seed !== undefined ? { seed: endpoint.seed } : {}),
  });
  const { executor, optimizer, judge } = config.llm;
  return {
    ...config,
    llm: { executor: at(executor), ...(optimizer ? { optimizer: at(optimizer) } : {}), ...(judge ? { judge: at(judge) } : {}) },
  } as TruceConfig;
}

async function reach(baseUrl: string, signal?: AbortSignal): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/models`);
  } catch {
    return `the base URL ${baseUrl} is not a URL`;
  }
  const timeout = AbortSignal.timeout(REACH_TIMEOUT_MS);
  try {
    const response = await fetch(url, { method: 'GET', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    if (timeout.aborted) return `no answer within ${REACH_TIMEOUT_MS / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}
