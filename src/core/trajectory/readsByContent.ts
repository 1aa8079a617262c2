/**
 * Message-flow edges recovered from text: a step read an earlier step when that step's output shows
 * up in what this step was given. This is the only evidence of data flow a trace has when agents
 * talk through a shared context rather than through explicit calls.
 */

export interface TextFlowOptions {
  /** Outputs shorter than this ("ok", "2025", "{}") appear everywhere by chance and are ignored. */
  minLength?: number;
  /**
   * Only this many leading characters of an output are looked for: long outputs are often quoted
   * truncated or lightly edited, while their opening survives.
   */
  probeLength?: number;
  /** How many earlier steps are examined, nearest first; bounds the cost on very long traces. */
  lookBack?: number;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * For each step, the indexes of earlier steps whose output (whitespace-normalised) appears in its
 * input. When several earlier steps produced the same text, only the most recent one counts: that
 * is the copy the reader most plausibly saw.
 */
export function readsByContent(steps: ReadonlyArray<{ input: string; output: string }>, options: TextFlowOptions = {}): number[][] {
  const minLength = options.minLength ?? 24;
  const probeLength = options.probeLength ?? 200;
  const lookBack = options.lookBack ?? 64;
  const probes = steps.map((s) => {
    const n = normalize(s.output);
    return n.length >= minLength ? n.slice(0, probeLength) : undefined;
  });
  return steps.map((step, i) => {
    if (step.input === '') return [];
    const haystack = normalize(step.input);
    const found: number[] = [];
    const seen = new Set<string>();
    for (let j = i - 1; j >= 0 && j >= i - lookBack; j--) {
      const probe = probes[j];
      if (probe === undefined || seen.has(probe)) continue;
      if (haystack.includes(probe)) {
        found.push(j);
        seen.add(probe);
      }
    }
    return found.reverse();
  });
}
