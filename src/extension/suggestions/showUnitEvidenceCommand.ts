import * as vscode from 'vscode';
import { clip } from '../../core/editor/runView';
import { signed } from '../codeLensTitle';
import { OPEN_TRAJECTORY_PANEL_COMMAND, SHOW_UNIT_EVIDENCE_COMMAND } from './suggestionCommandIds';
import type { UnitInsights } from './unitInsights';

interface EvidenceItem extends vscode.QuickPickItem {
  taskId: string;
  stepId: string;
}

/**
 * What a credit CodeLens runs: the steps that the rule's credit points at, in a quick pick; the
 * picked one opens in the trajectory panel when that panel is installed. Resolves to the place
 * opened (or the only one), for tests and links.
 */
export function registerShowUnitEvidenceCommand(insights: UnitInsights): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_UNIT_EVIDENCE_COMMAND, async (uri: vscode.Uri | string, unitId: string) => {
    const document = await vscode.workspace.openTextDocument(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri);
    const insight = insights.unit(document, unitId);
    const run = insights.workspaceRun.run;
    if (!insight?.credit || !run) {
      void vscode.window.showInformationMessage('TRUCE: the selected run has no credit for this rule.');
      return undefined;
    }
    const items: EvidenceItem[] = insight.credit.evidence.map((item) => {
      const step = run.loaded.steps.get(`${item.taskId}/${item.stepId}`);
      return {
        label: `${item.score < 0 ? '$(arrow-down)' : '$(arrow-up)'} ${item.taskId} · ${step ? `round ${step.round} · ${step.agentId}` : item.stepId}`,
        description: `${signed(item.score)} · ${item.method}`,
        detail: `${clip(item.text, 120)}${step?.excerpt ? ` — “${clip(step.excerpt, 80)}”` : ''}`,
        taskId: item.taskId,
        stepId: item.stepId,
      };
    });
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: `TRUCE: evidence for this rule in run ${run.entry.runId}`, matchOnDetail: true });
    if (!picked) return undefined;
    const place = { runId: run.entry.runId, taskId: picked.taskId, stepId: picked.stepId };
    const commands = await vscode.commands.getCommands(true);
    if (commands.includes(OPEN_TRAJECTORY_PANEL_COMMAND)) await vscode.commands.executeCommand(OPEN_TRAJECTORY_PANEL_COMMAND, place);
    else void vscode.window.showInformationMessage(`TRUCE: ${picked.label.replace(/\$\([^)]*\) /, '')}: ${picked.detail ?? ''}`);
    return place;
  });
}
