import * as vscode from 'vscode';
import { parseConfig } from '../core/config';
import { workspaceEscape } from '../core/workspacePath';
import { DEMO_LABEL } from '../core/demo';
import { applyExecutorOverrides, RunSetupError, runMas, type RunProgress, type RunResult } from '../core/run';
import { capsBroken, describeSpendPlan, type SpendPlan } from '../core/run/spendPlan';
import type { SplitName } from '../core/tasks';
import type { ApiKeyStore } from './apiKeys';
import { RUN_MAS_COMMAND } from './commandIds';
import { configPath } from './configDiagnostics';
import type { EditorDemoMode } from './editorDemoMode';
import type { RunStatusBar } from './runStatusBar';

export interface RunMasArgs {
  split?: SplitName;
  limit?: number;
  concurrency?: number;
  resumeRunId?: string;
  /** Skip the go/no-go modal (the caller has shown the projection, or a test runs it). */
  confirmed?: boolean;
}

const SPLITS: { label: string; split?: SplitName; detail: string }[] = [
  { label: 'All tasks', detail: 'train, val and test' },
  { label: 'train', split: 'train', detail: 'the tasks optimization learns from' },
  { label: 'val', split: 'val', detail: 'the tasks that decide whether an edit is kept' },
  { label: 'test', split: 'test', detail: 'held out for the final report' },
];

/**
 * `TRUCE: Run MAS`: runs the configured MAS over the task set with the same core as `truce run`,
 * with progress, cancellation (the run stays resumable), the spend in the status bar and every
 * line of progress in the TRUCE log. A `command` MAS is refused in untrusted workspaces.
 */
export function registerRunMasCommand(log: vscode.LogOutputChannel, keys: ApiKeyStore, statusBar: RunStatusBar, demoMode: EditorDemoMode): vscode.Disposable {
  return vscode.commands.registerCommand(RUN_MAS_COMMAND, async (args?: RunMasArgs): Promise<RunResult | undefined> => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('TRUCE: open a local folder that contains truce.yaml first.');
      return undefined;
    }
    const configUri = vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'));
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri));
    } catch {
      void vscode.window.showErrorMessage(`TRUCE: there is no ${configPath(folder)} in ${folder.name}. Copy examples/debate-mas/truce.yaml as a start.`);
      return undefined;
    }
    const parsed = parseConfig(text, { workspaceRoot: folder.uri.fsPath, ...(folder.uri.scheme === 'file' ? { escapes: workspaceEscape } : {}) });
    if (!parsed.ok) {
      await vscode.window.showTextDocument(configUri);
      void vscode.window.showErrorMessage(`TRUCE: ${configPath(folder)} has errors; fix them first (see the Problems panel).`);
      return undefined;
    }
    if (parsed.config.mas.kind === 'command' && !vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('TRUCE: this workspace is not trusted, so its MAS command will not be run. Trust the folder (Manage Workspace Trust) to run it.');
      return undefined;
    }
    let split = args?.split;
    if (!args) {
      const picked = await vscode.window.showQuickPick(SPLITS, { title: 'TRUCE: Run MAS — which tasks?' });
      if (!picked) return undefined;
      split = picked.split;
    }
    const overridden = applyExecutorOverrides(parsed.config, process.env);
    for (const note of overridden.applied) log.info(`run: ${note}`);
    let setup;
    try {
      setup = await demoMode.resolve(overridden.config, folder.uri.fsPath, 'run', undefined, overridden.baseUrlFrom);
    } catch (error) {
      log.error(`run: ${(error as Error).message}`);
      void vscode.window.showErrorMessage(`TRUCE: ${(error as Error).message}`);
      return undefined;
    }
    const secrets = await keys.all();

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'TRUCE: running the MAS', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        let total = 0;
        const onProgress = (event: RunProgress) => {
          statusBar.update(event);
          const line = describe(event);
          if (line) log.info(line);
          if (event.type === 'started') total = event.pending;
          if (event.type === 'task') progress.report({ message: `${event.done}/${event.total} tasks · ${event.usage.calls} calls`, increment: total ? 100 / total : 0 });
        };
        try {
          const result = await runMas({
            config: setup.config,
            configFile: configPath(folder),
            ...(setup.llm ? { llm: setup.llm } : {}),
            workspaceRoot: folder.uri.fsPath,
            ...(split ? { split } : {}),
            ...(args?.limit !== undefined ? { limit: args.limit } : {}),
            ...(args?.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
            ...(args?.resumeRunId !== undefined ? { resumeRunId: args.resumeRunId } : {}),
            signal: abort.signal,
            env: process.env,
            trusted: vscode.workspace.isTrusted,
            secrets,
            toolVersion: vscode.extensions.getExtension('truce-dev.truce-vscode')?.packageJSON.version,
            // The demo world answers in-process and costs nothing, so there is no spend to confirm.
            ...(args?.confirmed || setup.demo ? { confirmSpend: async () => true } : { confirmSpend: confirmRunSpend }),
            onProgress,
          });
          report(log, statusBar, result, setup.demo);
          return result;
        } catch (error) {
          const message = error instanceof RunSetupError ? [error.message, ...error.details.slice(0, 5)].join(' ') : (error as Error).message;
          log.error(`run: ${message}`);
          void vscode.window.showErrorMessage(`TRUCE: ${message}`, 'Show Log').then((a) => a && log.show());
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
  });
}

/** The go/no-go modal before a run spends anything: the projected calls and cost against the caps. */
async function confirmRunSpend(plan: SpendPlan): Promise<boolean> {
  const start = capsBroken(plan).length ? 'Run Until the Cap' : 'Run';
  const answer = await vscode.window.showWarningMessage('TRUCE: run the MAS?', { modal: true, detail: describeSpendPlan(plan).join('\n') }, start);
  return answer === start;
}

function describe(event: RunProgress): string | undefined {
  switch (event.type) {
    case 'started':
      return `run ${event.runId}: ${event.pending} tasks to run${event.skipped ? `, ${event.skipped} done before` : ''}`;
    case 'task':
      return `run: ${event.taskId} [${event.split}] ${event.failure ? `FAILED: ${event.failure}` : `score ${event.score.toFixed(2)}`} (${event.done}/${event.total})`;
    case 'interrupted':
      return `run: ${event.taskId} interrupted: ${event.reason}`;
    case 'finished':
      return `run finished: ${event.status}${event.reason ? ` — ${event.reason}` : ''}`;
  }
}

function report(log: vscode.LogOutputChannel, statusBar: RunStatusBar, result: RunResult, demo: boolean): void {
  const s = result.summary;
  const mean = s.scores.all.meanScore;
  const usage = s.usage.total;
  const spend = `${usage.calls} calls, ${usage.inputTokens + usage.outputTokens} tokens${usage.costUsd > 0 ? `, $${usage.costUsd.toFixed(4)}` : ''}`;
  const splits = (['train', 'val', 'test'] as const)
    .map((k) => (s.scores[k]?.meanScore != null ? `${k} ${s.scores[k]!.meanScore!.toFixed(2)}` : undefined))
    .filter(Boolean)
    .join(' · ');
  const text = `TRUCE: ${demo ? `demo run (${DEMO_LABEL}) ` : 'run '}${result.runId} ${result.status}: mean score ${mean == null ? '—' : mean.toFixed(2)}${splits ? ` (${splits})` : ''}; ${s.tasks.failed} failed; ${spend}.`;
  log.info(text);
  statusBar.showSummary(`TRUCE: ${mean == null ? '—' : mean.toFixed(2)} · ${usage.calls} calls${demo ? ' · demo' : ''}`, text);
  const show = result.status === 'completed' && s.tasks.failed === 0 ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(text, 'Show Log').then((a) => a && log.show());
}
