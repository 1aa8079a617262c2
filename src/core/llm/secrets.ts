/**
 * Removes API keys from text that may reach logs or disk. Servers echo keys back in error
 * messages (OpenAI's 401 shows a partly masked key), so every server-provided string we keep
 * passes through here.
 */

const REDACTED = '[redacted]';

/** Keys shorter than this are dummies (or empty) and scrubbing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** Shapes of well-known key formats, masked even when they are not our key. */
const KEY_PATTERNS: RegExp[] = [
  // OpenAI and Anthropic (sk-…, sk-proj-…, sk-ant-…), and bearer tokens in echoed headers.
  /\bsk-[A-Za-z0-9_*.-]{6,}/g,
  /\bBearer\s+[A-Za-z0-9_*.~+/=-]{6,}/gi,
  // Google API keys, AWS access key ids, GitHub, Hugging Face and Slack tokens.
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  /\bhf_[A-Za-z0-9]{30,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
];

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    // A partly masked echo ("sk-abc1****wxyz") keeps a prefix of the key: hide any long prefix too.
    const prefix = secret.slice(0, Math.min(12, Math.floor(secret.length / 2)));
    if (prefix.length >= MIN_SECRET_LENGTH) out = out.split(prefix).join(REDACTED);
  }
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** True when the text holds something shaped like a well-known key or token (sk-…, AIza…, ghp_…). */
export function looksLikeKey(text: string): boolean {
  // search() ignores the patterns' global flag and lastIndex, so the shared patterns stay stateless here.
  return KEY_PATTERNS.some((pattern) => text.search(pattern) !== -1);
}
