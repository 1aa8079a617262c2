/**
 * Algorithm 1, line 16 (APPLYEDITS): the retained edits are applied to a copy of the best set, in
 * memory; an edit whose target text changed is stale and skipped. Files on disk are not touched.
 */
import { applySuggestions } from '../applySuggestions';
import { llmRewriter } from '../llmSteps';
import type { Applied, Pooled } from './roundState';
import type { OptimizeRun } from './runState';

export async function applyEdits(run: OptimizeRun, round: Pooled): Promise<Applied> {
  const { config, signal } = run.settings;
  const { pooled, note, stage } = round;
  stage('apply');
  const applied = pooled.retained.length ? await applySuggestions(config, run.best, pooled.retained, llmRewriter(run.optimizer, note, signal)) : { texts: run.best, results: [] };
  const appliedIds = new Set(applied.results.filter((r) => r.status === 'applied').map((r) => r.suggestionId));
  return { ...round, applied, appliedIds };
}
