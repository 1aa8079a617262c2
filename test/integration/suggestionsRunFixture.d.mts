/** Types of suggestionsRunFixture.mjs for the TypeScript tests that use it. */
import type { Suggestion } from '../../src/core/credit/types';

/** The planner rules the fixture run talks about (only id and text are read). */
export interface PlannerUnits {
  restate: { id: string; text: string };
  split: { id: string; text: string };
  locked: { id: string; text: string };
  ask: { id: string; text: string };
}

export const SUGGESTIONS_RUN_ID: string;
export const TASKS: string[];
export const NEW_RESTATE: string;
export const NEW_RULE: string;
export function fixtureSuggestions(units: PlannerUnits, prefix?: string): Suggestion[];
export function writeSuggestionsRun(workspaceRoot: string, units: PlannerUnits, runId?: string, prefix?: string): Promise<void>;
