/**
 * The manifest of a run recorded by attaching to a MAS that runs on its own. It is an ordinary run
 * manifest, so reports, credit and suggestions read it like any other; what differs is said in it:
 * `attach` names the receiver, the task list grows as traces arrive (every trace is a train task:
 * it is material to learn from, nothing was held out), and when no truce.yaml was there the
 * configuration is empty.
 */
import type { TruceConfig } from '../config';
import { canonicalJson } from '../llm';
import { recordedConfig } from '../run/recordedConfig';
import { configHash, sha256 } from '../run/runIdentity';
import type { PromptFileSnapshot } from '../run/runIdentity';
import { MANIFEST_FORMAT, type Manifest } from '../store/manifest';

export interface AttachManifestInput {
  runId: string;
  createdAt: Date;
  port: number;
  config?: TruceConfig;
  configFile?: string;
  promptFiles: PromptFileSnapshot[];
  promptHash: string;
  /** Workspace-relative tasks file whose references score the traces, and its text. */
  tasksFile?: string;
  tasksText?: string;
  toolVersion?: string;
}

export function attachManifest(input: AttachManifestInput): Manifest {
  const at = input.createdAt.toISOString();
  const config = input.config;
  return {
    format: MANIFEST_FORMAT,
    runId: input.runId,
    createdAt: at,
    updatedAt: at,
    status: 'running',
    ...(input.configFile !== undefined ? { configFile: input.configFile.replace(/\\/g, '/') } : {}),
    configHash: config ? configHash(config) : sha256(canonicalJson({})),
    config: config ? recordedConfig(config) : {},
    prompts: { hash: input.promptHash, files: input.promptFiles },
    seed: config?.tasks.seed ?? 0,
    split: { spec: config?.tasks.split ?? { train: 1, val: 0, test: 0 }, sizes: { train: 0, val: 0, test: 0 } },
    selection: {
      split: 'all',
      taskFile: input.tasksFile ?? '',
      taskFileSha256: input.tasksText !== undefined ? sha256(input.tasksText) : '',
      tasks: [],
    },
    tools: { truce: input.toolVersion ?? 'dev', node: process.version, platform: `${process.platform}-${process.arch}` },
    endpoints: {},
    cacheMode: 'off',
    concurrency: 1,
    pid: process.pid,
    invocations: 1,
    attach: { port: input.port },
  };
}
