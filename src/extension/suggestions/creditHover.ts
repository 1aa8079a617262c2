import * as vscode from 'vscode';
import { clip, suggestionLabel } from '../../core/editor/runView';
import { unitInterventions } from '../../core/editor/unitInterventions';
import { signed } from '../codeLensTitle';
import { escapeMarkdown } from '../escapeMarkdown';
import { APPLY_SUGGESTION_COMMAND, OPEN_TRAJECTORY_PANEL_COMMAND, PREVIEW_SUGGESTION_COMMAND } from './suggestionCommandIds';
import type { UnitInsight } from './unitInsights';
import type { ActiveRun } from './workspaceRun';

/** The commands a credit hover links to; the hover trusts these and no others. */
export const CREDIT_HOVER_COMMANDS = [OPEN_TRAJECTORY_PANEL_COMMAND, APPLY_SUGGESTION_COMMAND, PREVIEW_SUGGESTION_COMMAND];

const MAX_EVIDENCE = 6;
const MAX_TEXTS_PER_METHOD = 3;

/** The hover's run section: what each method said about the rule, the steps it points at, the suggestions. */
export function appendCreditHover(markdown: vscode.MarkdownString, uri: vscode.Uri, insight: UnitInsight, run: ActiveRun): void {
  const runId = run.entry.runId;
  const credit = insight.credit;
  if (credit) {
    const verdict = credit.meanScore < 0 ? `blamed in ${credit.blamedTasks}/${credit.totalTasks} tasks` : `credited in ${credit.creditedTasks}/${credit.totalTasks} tasks`;
    markdown.appendMarkdown(`\n\n---\n\n**Credit in run ${runId}**: ${signed(credit.meanScore)} · ${verdict}${insight.changedSinceRun ? ' · *changed since run*' : ''}\n\n`);
    const byMethod = new Map<string, string[]>();
    for (const signal of credit.signals) {
      const texts = byMethod.get(signal.method) ?? [];
      if (!texts.includes(signal.text)) texts.push(signal.text);
      byMethod.set(signal.method, texts);
    }
    for (const [method, texts] of byMethod) {
      markdown.appendMarkdown(`*${escapeMarkdown(method)}*: ${texts.slice(0, MAX_TEXTS_PER_METHOD).map((t) => escapeMarkdown(clip(t, 160))).join(' · ')}\n\n`);
    }
    markdown.appendMarkdown('Evidence:\n\n');
    for (const item of credit.evidence.slice(0, MAX_EVIDENCE)) {
      const step = run.loaded.steps.get(`${item.taskId}/${item.stepId}`);
      const where = step ? `round ${step.round} · ${escapeMarkdown(step.agentId)}` : escapeMarkdown(item.stepId);
      const args = encodeURIComponent(JSON.stringify([{ runId, taskId: item.taskId, stepId: item.stepId }]));
      const excerpt = step?.excerpt ? ` — ${escapeMarkdown(clip(step.excerpt, 80))}` : '';
      markdown.appendMarkdown(`- [${escapeMarkdown(item.taskId)} · ${where}](command:${OPEN_TRAJECTORY_PANEL_COMMAND}?${args}) ${signed(item.score)}${excerpt}\n`);
    }
    if (credit.evidence.length > MAX_EVIDENCE) markdown.appendMarkdown(`- … and ${credit.evidence.length - MAX_EVIDENCE} more (click the CodeLens for all)\n`);
    // Blame checked by re-running (truce intervene): the step of this rule's agent, corrected.
    const checked = unitInterventions(credit.evidence, run.loaded.steps, run.loaded.interventions ?? []);
    if (checked.length > 0) {
      markdown.appendMarkdown('\n**Intervention**:\n\n');
      for (const { record, sentence } of checked.slice(0, MAX_EVIDENCE)) {
        const args = encodeURIComponent(JSON.stringify([{ runId, taskId: record.taskId, stepId: record.stepId }]));
        markdown.appendMarkdown(`- [${escapeMarkdown(record.taskId)} · ${escapeMarkdown(record.agentId)}](command:${OPEN_TRAJECTORY_PANEL_COMMAND}?${args}): ${escapeMarkdown(sentence)}\n`);
      }
    }
  }
  if (insight.suggestions.length > 0) {
    markdown.appendMarkdown(`\n**Suggestions** (run ${runId}):\n\n`);
    for (const placed of insight.suggestions) {
      const { suggestion } = placed;
      const args = encodeURIComponent(JSON.stringify([uri.toString(), suggestion.id]));
      const actions = placed.stale
        ? `*stale: ${escapeMarkdown(placed.stale)}*`
        : `[Apply](command:${APPLY_SUGGESTION_COMMAND}?${args}) · [Preview](command:${PREVIEW_SUGGESTION_COMMAND}?${args})`;
      markdown.appendMarkdown(`- ${escapeMarkdown(suggestionLabel(suggestion))} → ${escapeMarkdown(clip(suggestion.edit.newText ?? '(delete)', 80))} · support ${Math.round(suggestion.support * 100)}% · ${actions}\n`);
    }
  }
}
