/**
 * Judge prompts quote model text; a runaway output must not push the rubric out of the judge's
 * context window, so quoted text is cut in the middle with a visible marker (beginnings state the
 * approach, ends state the answer — both matter more than the middle).
 */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor((max - 40) / 2);
  return `${text.slice(0, half)}\n[… ${text.length - 2 * half} characters omitted …]\n${text.slice(-half)}`;
}
