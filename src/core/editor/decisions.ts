/**
 * Review decisions made in the editor, in `.truce/decisions.jsonl`. A rejection is keyed by the
 * suggestion id and a hash of the text it targets, so the same proposal is not offered again for
 * the same rule text — but comes back if the rule is rewritten and a later run proposes it anew.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JsonlAppender, readJsonlFile, TRUCE_DIR } from '../store';
import type { Suggestion } from '../credit/types';

export interface Decision {
  suggestionId: string;
  targetSha256: string;
  decision: 'rejected';
  ts: string;
  runId?: string;
}

export function decisionsFile(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'decisions.jsonl');
}

/** The text a suggestion is about: the rule it changes, or for an ADD the rule it would add. */
export function suggestionTargetSha256(suggestion: Pick<Suggestion, 'edit'>): string {
  const { op, oldText, newText } = suggestion.edit;
  const target = op === 'ADD' ? `ADD\u0000${newText ?? ''}` : `${op}\u0000${oldText ?? ''}`;
  return createHash('sha256').update(target).digest('hex');
}

export async function readDecisions(workspaceRoot: string): Promise<Decision[]> {
  const contents = await readJsonlFile(decisionsFile(workspaceRoot));
  return contents.lines.map((line) => line.value as Decision).filter((d) => typeof d?.suggestionId === 'string' && typeof d.targetSha256 === 'string');
}

/** A predicate over suggestions: rejected before, for the text it targets now. */
export function rejectedBy(decisions: readonly Decision[]): (suggestion: Suggestion) => boolean {
  const keys = new Set(decisions.filter((d) => d.decision === 'rejected').map((d) => `${d.suggestionId}:${d.targetSha256}`));
  return (suggestion) => keys.has(`${suggestion.id}:${suggestionTargetSha256(suggestion)}`);
}

export async function recordRejection(workspaceRoot: string, suggestion: Suggestion, runId: string | undefined, now: () => Date = () => new Date()): Promise<Decision> {
  const decision: Decision = {
    suggestionId: suggestion.id,
    targetSha256: suggestionTargetSha256(suggestion),
    decision: 'rejected',
    ts: now().toISOString(),
    ...(runId ? { runId } : {}),
  };
  // The first decision may come before any run created `.truce/` (e.g. suggestions copied in).
  await mkdir(dirname(decisionsFile(workspaceRoot)), { recursive: true });
  const { appender } = await JsonlAppender.open(decisionsFile(workspaceRoot), { durable: true });
  await appender.append(decision);
  await appender.flush();
  return decision;
}
