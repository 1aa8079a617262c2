import * as vscode from 'vscode';
import { projectOptimizeRun, type OptimizePlan } from '../../core/editor/projectOptimizeRun';
import { optimize, type OptimizeProgress, type OptimizeResult } from '../../core/optimize/optimizeLoop';
import { OptimizeRunLock } from '../../core/optimize/optimizeRunLock';
import { methodRegistry } from '../../core/methods';
import type { MethodName } from '../../core/credit/types';
import type { TruceConfig } from '../../core/config';
import { applyExecutorOverrides, budgetLimits } from '../../core/run';
import { describeSpendPlan } from '../../core/run/spendPlan';
import type { ApiKeyStore } from '../apiKeys';
import type { EditorDemoMode } from '../editorDemoMode';
import { OPTIMIZE_COMMAND, SELECT_RUN_COMMAND } from './suggestionCommandIds';
import type { WorkspaceRun } from './workspaceRun';

/** Arguments for calling the command without its pickers (links, tests). */
export interface OptimizeArgs {
  method?: MethodName;
  rounds?: number;
  /** Skip the spend confirmation (the caller has shown the projection). */
  confirmed?: boolean;
}

const METHODS: Array<{ label: string; method: MethodName; detail: string }> = [
  { label: 'TRUCE', method: 'truce', detail: 'Credit per sub-trajectory and rule; typed rule edits pooled across tasks.' },
  { label: 'Temporal + structural credit (BCD)', method: 'bcd', detail: 'Per-role and per-round credit; alternates role and aggregator updates.' },
  { label: 'GBC', method: 'gbc', detail: 'Follows the influence between agent calls back from the outcome.' },
];

/**
 * `TRUCE: Optimize`: the optimize loop of `truce optimize`, from the editor. It asks for the method
 * and the number of rounds, shows what the run is projected to spend (the core's projection,
 * the same numbers the run reports when it starts) and starts only on confirmation; then progress
 * with cancellation (the run stays resumable), the round in the status bar, and the new run
 * selected so its credit and suggestions show in the prompt files. Refused in untrusted folders.
 */
export function registerOptimizeCommand(workspaceRun: WorkspaceRun, keys: ApiKeyStore, log: vscode.LogOutputChannel, demoMode: EditorDemoMode): vscode.Disposable {
  const status = vscode.window.createStatusBarItem('truce.optimize', vscode.StatusBarAlignment.Left, 19);
  status.name = 'TRUCE optimize';
  const command = vscode.commands.registerCommand(OPTIMIZE_COMMAND, async (args?: OptimizeArgs): Promise<OptimizeResult | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('TRUCE: this workspace is not trusted, so TRUCE does not run its MAS or call LLM endpoints for it. Trust the folder to optimize.');
      return undefined;
    }
    const folder = workspaceRun.folder;
    const base = workspaceRun.config;
    if (!folder || !base) {
      void vscode.window.showWarningMessage('TRUCE: optimizing needs a valid truce.yaml in the workspace folder (TRUCE: Validate Config shows what is wrong).');
      return undefined;
    }
    let setup;
    try {
      const overridden = applyExecutorOverrides(base, process.env);
      setup = await demoMode.resolve(overridden.config, folder.uri.fsPath, 'optimize', undefined, overridden.baseUrlFrom);
    } catch (error) {
      void vscode.window.showErrorMessage(`TRUCE: ${(error as Error).message}`);
      return undefined;
    }
    const config = setup.config;
    const method = args?.method ?? (await pickMethod(config.optimizer.method));
    if (!method) return undefined;
    const rounds = args?.rounds ?? (await askRounds(config.optimizer.rounds));
    if (rounds === undefined) return undefined;
    const projected = await projectOptimizeRun(config, folder.uri.fsPath, { rounds });
    if (!projected.ok) {
      void vscode.window.showErrorMessage(`TRUCE: ${projected.reason}`);
      return undefined;
    }
    if (!args?.confirmed && !(await confirmSpend(method, projected.plan, config))) return undefined;
    const secrets = await keys.all();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `TRUCE: optimizing with ${method}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        status.text = '$(sync~spin) TRUCE optimize: starting';
        status.show();
        // The new run's folder is locked as soon as its id is known, so a CLI resume is refused.
        const lock = new OptimizeRunLock();
        try {
          const result = await optimize({
            config,
            workspaceRoot: folder.uri.fsPath,
            methods: methodRegistry(),
            method,
            rounds,
            signal: abort.signal,
            env: process.env,
            trusted: vscode.workspace.isTrusted,
            secrets,
            // Confirmed above with the projection and the caps: a rollout that does not fit what
            // is left runs until the cap stops it, as the modal said.
            confirmSpend: async () => true,
            ...(setup.llm ? { llm: setup.llm } : {}),
            onProgress: (event) => {
              if (event.type === 'started') lock.started(folder.uri.fsPath, event.runId);
              const line = describe(event);
              if (!line) return;
              log.info(`optimize: ${line}`);
              progress.report({ message: line, ...(event.type === 'round' ? { increment: 100 / rounds } : {}) });
              status.text = `$(sync~spin) TRUCE optimize: ${line}`;
            },
          });
          const text = `optimize ${result.runId} ${result.status}${result.reason ? ` (${result.reason})` : ''}: val ${score(result.val.before)} → ${score(result.val.after)}, ${result.accepted.length} edits accepted, ${result.usage.total.calls} calls${result.usage.total.costUsd > 0 ? `, $${result.usage.total.costUsd.toFixed(4)}` : ''}.`;
          log.info(text);
          status.text = `$(beaker) TRUCE optimize: ${result.status}`;
          status.tooltip = text;
          await vscode.commands.executeCommand(SELECT_RUN_COMMAND, result.runId);
          const show = result.status === 'completed' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
          void show(`TRUCE: ${text}`, 'Show Log').then((a) => a && log.show());
          return result;
        } catch (error) {
          const message = (error as Error).message;
          log.error(`optimize: ${message}`);
          status.text = '$(error) TRUCE optimize: failed';
          status.tooltip = message;
          void vscode.window.showErrorMessage(`TRUCE: optimize failed: ${message}`, 'Show Log').then((a) => a && log.show());
          return undefined;
        } finally {
          lock.release();
          cancel.dispose();
        }
      },
    );
  });
  return vscode.Disposable.from(command, status);
}

async function pickMethod(configured: MethodName): Promise<MethodName | undefined> {
  const items = METHODS.map((m) => ({ ...m, description: m.method === configured ? 'truce.yaml' : '' }));
  const picked = await vscode.window.showQuickPick(items, { title: 'TRUCE: Optimize — which method?' });
  return picked?.method;
}

async function askRounds(configured: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'TRUCE: Optimize — how many rounds?',
    value: String(configured),
    validateInput: (value) => (/^[1-9]\d{0,2}$/.test(value.trim()) ? undefined : 'A whole number of rounds, 1 to 999.'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** A modal with the projection: nothing is spent unless the user starts. */
async function confirmSpend(method: MethodName, plan: OptimizePlan, config: TruceConfig): Promise<boolean> {
  const lines = [
    `${plan.rounds} round(s) with ${method}: batches of ${plan.batch} train tasks, ${plan.val} val and ${plan.test} test tasks.`,
    ...describeSpendPlan({ what: 'optimize', projection: plan.total, complete: config.mas.kind === 'rounds', limits: budgetLimits(config), spent: { calls: 0, tokens: 0, costUsd: 0 } }),
  ];
  const start = 'Start';
  return (await vscode.window.showWarningMessage('TRUCE: start optimizing?', { modal: true, detail: lines.join('\n') }, start)) === start;
}

function describe(event: OptimizeProgress): string | undefined {
  switch (event.type) {
    case 'started':
      return `run ${event.runId}: ${event.rounds} round(s), projected ${event.total.calls} calls`;
    case 'stage':
      return `round ${event.round}: ${event.stage}`;
    case 'round':
      return `round ${event.record.round} done: ${event.record.accepted ? 'candidate accepted' : 'best kept'}`;
    case 'note':
      return undefined;
    case 'finished':
      return `${event.status}${event.reason ? `: ${event.reason}` : ''}`;
  }
}

function score(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}
