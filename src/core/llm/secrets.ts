/**
 * Removes API keys from text that may reach logs or disk. Servers echo keys back in error
 * messages (OpenAI's 401 shows a partly masked key), so every server-provided string we keep
 * passes through here.
 */

const REDACTED = '[redacted]';

/** Keys shorter than this are dummies (or empty) and scrubbing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** Shapes of well-known key formats, masked even when they are not our key. */
const KEY_PATTERNS: RegExp[] = [/\bsk-[A-Za-z0-9_*.-]{6,}/g, /\bBearer\s+[A-Za-z0-9_*.~+/=-]{6,}/gi];

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
