/**
 * Consensus for the rounds MAS's early stop.
 *
 * A role's *answer* is the text after the last line that marks one (`Answer: B`, `Final answer: B`,
 * also as a list item or in bold: `1. **Answer:** B`); without such a line it is the output's last
 * non-empty line. Answers are compared after normalisation: case, Markdown emphasis and code
 * marks, surrounding quotes and brackets, trailing punctuation and runs of whitespace do not count.
 * The roles agree when there are at least two of them and all their answers are the same
 * non-empty text: one role always "agrees" with itself, which says nothing.
 */

const ANSWER_LINE = /^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?\s*(?:final\s+)?answer\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(.*)$/i;

export function extractAnswer(output: string): string {
  const lines = output.split(/\r\n?|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const marked = ANSWER_LINE.exec(lines[i]);
    if (marked && marked[1].trim() !== '') return marked[1].trim();
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].trim() !== '') return lines[i].trim();
  }
  return '';
}

export function normalizeAnswer(answer: string): string {
  return answer
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[*_`~]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!;:,。]+$/u, '')
    .replace(/^["'“‘(\[]+|["'”’)\]]+$/gu, '')
    .trim();
}

/** The shared answer when every role gave the same one, else undefined. */
export function consensusAnswer(outputs: readonly string[]): string | undefined {
  if (outputs.length < 2) return undefined;
  const answers = outputs.map((o) => normalizeAnswer(extractAnswer(o)));
  const first = answers[0];
  return first !== '' && answers.every((a) => a === first) ? first : undefined;
}
