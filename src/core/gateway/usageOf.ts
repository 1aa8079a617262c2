/** Usage as chat completions (prompt/completion_tokens) or the Responses API (input/output_tokens) report it. */
export function usageOf(reply: unknown): { prompt: number; completion: number } | undefined {
  const u = (reply as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; input_tokens?: unknown; output_tokens?: unknown } } | undefined)?.usage;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  if (u && typeof u.prompt_tokens === 'number') return { prompt: n(u.prompt_tokens), completion: n(u.completion_tokens) };
  if (u && typeof u.input_tokens === 'number') return { prompt: n(u.input_tokens), completion: n(u.output_tokens) };
  return undefined;
}
