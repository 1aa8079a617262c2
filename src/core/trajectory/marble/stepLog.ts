/** The steps of one trajectory in order: each gets its sequence number and an id unique in the trajectory. */
import type { Step } from '../schema';

export type StepDraft = Omit<Step, 'seq' | 'usage' | 'attrs' | 'id'> & { id: string; attrs?: Record<string, unknown> };

export class StepLog {
  readonly steps: Step[] = [];
  private readonly usedIds = new Set<string>();

  /** Appends a step; an id already taken gets a `~2`, `~3`, … suffix. */
  push(draft: StepDraft): Step {
    let id = draft.id;
    for (let n = 2; this.usedIds.has(id); n++) id = `${draft.id}~${n}`;
    this.usedIds.add(id);
    const step: Step = { ...draft, id, seq: this.steps.length, usage: { in: 0, out: 0 }, attrs: draft.attrs ?? {} };
    this.steps.push(step);
    return step;
  }

  last(): Step | undefined {
    return this.steps[this.steps.length - 1];
  }
}
