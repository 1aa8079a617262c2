/**
 * Open store phase: from here on there is a run folder, and everything that happens is recorded in
 * it. A new run gets a manifest and its lock; a resumed one is reopened with its manifest marked
 * running again. The held call records go in, and the journal says the invocation started.
 */
import { setMaxListeners } from 'node:events';
import { MANIFEST_FORMAT, newRunId, runsDir, RunStore, type Manifest } from '../../store';
import type { RunProjection } from '../projectRun';
import { recordedConfig } from '../recordedConfig';
import { lockRun } from '../runFolderLock';
import { startRunGateway } from '../runGatewaySetup';
import { storeWrite } from '../storeWrite';
import type { OpenRun, RunState } from './runState';

export async function openStore(run: RunState, projection: RunProjection): Promise<OpenRun> {
  const { options, workspaceRoot, plan, services, before } = run;
  const invocation = before.invocations + 1;
  const startedAt = run.now();
  const manifestFields = {
    status: 'running' as const,
    pid: process.pid,
    invocations: invocation,
    concurrency: plan.concurrency,
    cacheMode: services.cacheMode,
    tools: { truce: options.toolVersion ?? 'dev', node: process.version, platform: `${process.platform}-${process.arch}` },
  };
  let store: RunStore;
  if (before.run) {
    const resumed = before.run;
    store = await storeWrite(workspaceRoot, resumed.dir, resumed.manifest.runId, async () => {
      const reopened = await RunStore.reopen(resumed.dir, resumed.manifest, run.now);
      await reopened.updateManifest({ ...manifestFields, statusReason: undefined });
      return reopened;
    });
  } else {
    const manifest: Manifest = { ...newManifest(run, startedAt), ...manifestFields };
    store = await storeWrite(workspaceRoot, runsDir(workspaceRoot), undefined, () => RunStore.create(workspaceRoot, manifest, run.now));
    lockRun(store.dir, store.runId, 'run', run.held);
  }
  const runId = store.runId;
  const skipped = plan.finishedBefore.size;
  await storeWrite(workspaceRoot, store.dir, runId, async () => {
    services.batchLedger.attach(store.dir);
    await services.recorder.attach(store);
    await store.journal({ event: 'run-started', invocation, pending: plan.pending.length, skipped });
  });
  options.onProgress?.({ type: 'started', runId, dir: store.dir, invocation, pending: plan.pending.length, skipped, total: plan.selection.length, projection });

  // A dead endpoint stops tasks in flight too; the user's cancel does the same through its signal.
  const halt = new AbortController();
  const taskSignal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  // Every call in flight listens on this signal; many at once is the point, not a leak.
  setMaxListeners(0, taskSignal);
  services.recorder.onInterruption = (interruption) => {
    if (interruption.status === 'failed') halt.abort(new Error(interruption.reason));
  };
  const open: OpenRun = { ...run, store, runId, invocation, startedAt, results: [...before.trajectories], halt, taskSignal, scopes: new Map() };
  const executor = services.clients.executor;
  if (services.useGateway && executor) open.gateway = await storeWrite(workspaceRoot, store.dir, runId, () => startRunGateway(open, executor));
  return open;
}

/** The manifest of a new run, but for the fields every invocation rewrites. */
function newManifest(run: RunState, startedAt: Date): Omit<Manifest, keyof OpenRunFields> {
  const { options, config, prompts, promptFiles, identity, plan, services } = run;
  const { split, selection } = plan;
  return {
    format: MANIFEST_FORMAT,
    runId: newRunId(startedAt),
    createdAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    ...(options.configFile !== undefined ? { configFile: options.configFile.replace(/\\/g, '/') } : {}),
    configHash: identity.configHash,
    config: recordedConfig(config),
    prompts: { hash: prompts.hash, files: promptFiles },
    seed: config.tasks.seed,
    split: { spec: config.tasks.split, sizes: { train: split.train.length, val: split.val.length, test: split.test.length } },
    selection: {
      split: options.split ?? 'all',
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      taskFile: config.tasks.file,
      taskFileSha256: identity.taskFileSha256,
      tasks: selection,
    },
    endpoints: Object.fromEntries(Object.entries(services.clients).map(([role, c]) => [role, { baseUrl: c.baseUrl, model: c.model }])),
  };
}

type OpenRunFields = Pick<Manifest, 'status' | 'pid' | 'invocations' | 'concurrency' | 'cacheMode' | 'tools'>;
