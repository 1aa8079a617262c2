/**
 * Usage by phase of an optimize run: the rollouts' usage (added as each returns) plus the
 * optimizer's own calls (from its accounting); a round record keeps the difference its round made.
 */
import { emptyTotals, type UsageTotals } from '../llm';

export function addUsage(into: Record<string, UsageTotals>, phase: string, u: UsageTotals): void {
  const t = (into[phase] ??= emptyTotals());
  for (const k of Object.keys(t) as Array<keyof UsageTotals>) t[k] += u[k];
}

export function diffUsage(after: Record<string, UsageTotals>, before: Record<string, UsageTotals>): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const [phase, a] of Object.entries(after)) {
    const b = before[phase] ?? emptyTotals();
    const d = emptyTotals();
    for (const k of Object.keys(d) as Array<keyof UsageTotals>) d[k] = a[k] - b[k];
    if (Object.values(d).some((x) => x !== 0)) out[phase] = d;
  }
  return out;
}

export function copyUsage(u: Record<string, UsageTotals>): Record<string, UsageTotals> {
  return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, { ...v }]));
}
