/**
 * The fake server's answer to scoring requests, the two routes local servers offer: vLLM's
 * `prompt_logprobs` on Chat Completions and `echo` + `logprobs` on the legacy Completions
 * endpoint. Log-probabilities come from a deterministic copy model, so they genuinely depend on
 * the input: a word the text already holds is likely again (the more often, the likelier), a new
 * word is not. Removing a block whose words the reply repeats makes that reply less likely.
 */

/** Which scoring routes the fake serves (none unless asked: hosted APIs serve none either). */
export interface FakeScoring {
  promptLogprobs?: boolean;
  echo?: boolean;
}

interface FakeToken {
  text: string;
  offset: number;
  logprob: number | null;
}

/** Tokens cover the text exactly: leading whitespace belongs to the token after it. */
export function fakeScoringTokens(text: string): FakeToken[] {
  const out: FakeToken[] = [];
  const seen = new Map<string, number>();
  for (const m of text.matchAll(/\s*(?:[A-Za-z0-9]+|[^\sA-Za-z0-9])|\s+/g)) {
    const key = m[0].trim().toLowerCase();
    const count = seen.get(key) ?? 0;
    // The first token has no context (null, as servers send it); whitespace is nearly certain.
    const logprob = out.length === 0 ? null : key ? Math.log((count + 0.1) / (count + 5)) : -0.01;
    out.push({ text: m[0], offset: m.index ?? 0, logprob });
    if (key) seen.set(key, count + 1);
  }
  return out;
}

/** The fake's chat template, as the prompt_logprobs route renders a conversation. */
function renderChat(messages: ReadonlyArray<{ role: string; content: string }>): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}`).join('\n');
}

const tokenId = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 100_000;

/** A chat completion carrying `prompt_logprobs` for every prompt token, and a one-token reply. */
export function promptLogprobsCompletion(model: string, seq: number, messages: ReadonlyArray<{ role: string; content: string }>): Record<string, unknown> {
  const tokens = fakeScoringTokens(renderChat(messages));
  return {
    id: `chatcmpl-fake-score-${seq}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: '.', refusal: null }, finish_reason: 'length', logprobs: null }],
    prompt_logprobs: tokens.map((t) => (t.logprob === null ? null : { [String(tokenId(t.text))]: { logprob: t.logprob, rank: 1, decoded_token: t.text } })),
    usage: { prompt_tokens: tokens.length, completion_tokens: 1, total_tokens: tokens.length + 1 },
  };
}

/**
 * A legacy completion of `prompt` with `echo`: the prompt's tokens with their log-probabilities
 * and offsets, then one generated token; an error message when the request is not a scoring one.
 */
export function echoCompletion(model: string, seq: number, body: Record<string, unknown>): Record<string, unknown> | { error: string } {
  if (typeof body.prompt !== 'string') return { error: 'the fake completions endpoint takes one string "prompt"' };
  if (body.echo !== true || body.logprobs === undefined || body.logprobs === null) return { error: 'the fake completions endpoint only scores: send "echo": true and "logprobs"' };
  const tokens = fakeScoringTokens(body.prompt);
  const generated = { text: '.', offset: body.prompt.length, logprob: -0.5 };
  const all = [...tokens, generated];
  return {
    id: `cmpl-fake-${seq}`,
    object: 'text_completion',
    created: 0,
    model,
    choices: [
      {
        index: 0,
        text: body.prompt + generated.text,
        finish_reason: 'length',
        logprobs: {
          tokens: all.map((t) => t.text),
          token_logprobs: all.map((t) => t.logprob),
          top_logprobs: all.map((t) => (t.logprob === null ? null : { [t.text]: t.logprob })),
          text_offset: all.map((t) => t.offset),
        },
      },
    ],
    usage: { prompt_tokens: tokens.length, completion_tokens: 1, total_tokens: tokens.length + 1 },
  };
}
