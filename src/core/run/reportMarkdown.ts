/** `truce report --format md`: a run as a document a person reads or pastes into a pull request. */
import { DEMO_LABEL, isDemoEndpoint } from '../demoEndpoint';
import type { UsageTotals } from '../llm';
import { failureReason, type SplitStats } from '../store';
import { SPLITS } from '../tasks';
import type { RunReport } from './runReport';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function pct(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

function score(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}

function money(value: number): string {
  return `$${value.toFixed(4)}`;
}

function usageTable(title: string, rows: Record<string, UsageTotals>): string[] {
  const names = Object.keys(rows).sort();
  if (!names.length) return [];
  const lines = [`### ${title}`, '', '| | calls | cached | failed | tokens in | tokens out | cost |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const name of names) {
    const u = rows[name] as UsageTotals;
    lines.push(`| ${cell(name)} | ${u.calls} | ${u.cachedCalls} | ${u.failedCalls} | ${u.inputTokens} | ${u.outputTokens} | ${money(u.costUsd)} |`);
  }
  return [...lines, ''];
}

export function renderMarkdownReport(report: RunReport): string {
  const { run, summary } = report;
  const m = run.manifest;
  const out: string[] = [`# TRUCE run ${m.runId}`, ''];
  if (Object.values(m.endpoints).some((e) => isDemoEndpoint(e.baseUrl))) {
    out.push(`> **Demo run: ${DEMO_LABEL}.** Every reply came from TRUCE's built-in simulation world (truce.yaml \`demo:\`), scripted from the prompts' rules; the scores say nothing about a real model.`, '');
  }
  out.push(`- **State:** ${report.state}${summary.statusReason && report.state !== 'completed' ? ` — ${summary.statusReason}` : ''}`);
  out.push(`- **Started:** ${m.createdAt} · last update ${m.updatedAt} · ${m.invocations} invocation${m.invocations === 1 ? '' : 's'}`);
  out.push(`- **Config:** ${m.configFile ?? '(not from a file)'} · sha256 \`${m.configHash.slice(0, 16)}\``);
  out.push(`- **MAS:** ${String((m.config.mas as { kind?: string } | undefined)?.kind ?? '?')} · evaluator ${String((m.config.evaluator as { type?: string } | undefined)?.type ?? '?')}`);
  for (const [role, e] of Object.entries(m.endpoints)) out.push(`- **${role}:** ${e.model} at ${e.baseUrl}`);
  out.push(`- **Tasks:** ${m.selection.taskFile} (seed ${m.seed}; split train ${m.split.sizes.train} / val ${m.split.sizes.val} / test ${m.split.sizes.test}); this run: ${m.selection.split}${m.selection.limit !== undefined ? `, limit ${m.selection.limit}` : ''}`);
  out.push(`- **Tools:** truce ${m.tools.truce}, node ${m.tools.node}, ${m.tools.platform}`, '');

  out.push('## Prompts', '', `Prompt set hash \`${m.prompts.hash.slice(0, 16)}\``, '', '| file | agents | sha256 |', '|---|---|---|');
  for (const f of m.prompts.files) out.push(`| ${cell(f.file)} | ${cell(f.agents.join(', '))} | \`${f.sha256.slice(0, 16)}\` |`);
  out.push('');

  out.push('## Scores', '', '| split | tasks | finished | failed | mean score | success rate |', '|---|---:|---:|---:|---:|---:|');
  const row = (name: string, s: SplitStats) => out.push(`| ${name} | ${s.tasks} | ${s.finished} | ${s.failed} | ${score(s.meanScore)} | ${pct(s.successRate)} |`);
  for (const split of SPLITS) {
    const s = summary.scores[split];
    if (s) row(split, s);
  }
  row('**all**', summary.scores.all);
  out.push('');

  const failures = report.rows.filter((r) => r.trajectory && failureReason(r.trajectory) !== undefined);
  const wrong = report.rows.filter((r) => r.trajectory && failureReason(r.trajectory) === undefined && r.trajectory.outcome?.success === false);
  const open = report.rows.filter((r) => !r.trajectory);
  out.push('## Failures', '');
  if (!failures.length && !wrong.length) out.push('None.', '');
  if (failures.length) {
    out.push('The MAS could not finish these tasks:', '', '| task | split | reason |', '|---|---|---|');
    for (const r of failures) out.push(`| ${cell(r.taskId)} | ${r.split} | ${cell(failureReason(r.trajectory!) ?? '')} |`);
    out.push('');
  }
  if (wrong.length) {
    out.push('Answered but not successful:', '', '| task | split | score | answer | expected |', '|---|---|---:|---|---|');
    for (const r of wrong) {
      const t = r.trajectory!;
      const answer = typeof t.outcome?.details.answer === 'string' ? t.outcome.details.answer : '';
      const clipped = answer.length > 80 ? `${answer.slice(0, 79)}…` : answer;
      out.push(`| ${cell(r.taskId)} | ${r.split} | ${(t.outcome?.score ?? 0).toFixed(2)} | ${cell(clipped)} | ${cell(t.task?.reference ?? '')} |`);
    }
    out.push('');
  }
  if (open.length) out.push(`${open.length} task${open.length === 1 ? '' : 's'} without a result yet: ${open.slice(0, 20).map((r) => r.taskId).join(', ')}${open.length > 20 ? ', …' : ''}`, '');

  const u = summary.usage.total;
  out.push('## Spend', '');
  out.push(`${u.calls} calls sent (${u.attempts} HTTP attempts, ${u.failedCalls} failed), ${u.cachedCalls} answered from the cache, ${u.unsentCalls} refused before sending; ${u.inputTokens} tokens in, ${u.outputTokens} out; ${money(u.costUsd)}.`, '');
  out.push(...usageTable('Per phase', summary.usage.byPhase), ...usageTable('Per agent', summary.usage.byAgent));
  if (run.problems.length) {
    out.push('## Problems reading the run', '');
    for (const p of run.problems) out.push(`- ${p}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
