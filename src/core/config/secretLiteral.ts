/**
 * Spots a secret written as a literal value in truce.yaml (`mas.env: { OPENAI_API_KEY: sk-… }`).
 * Such a value sits in a file that is usually committed, and the program gets it anyway when
 * `passEnv` names the variable, so `truce validate` warns. A guess, hence a warning: a value is
 * suspect when it has the shape of a well-known key, or when its variable's name says it holds one
 * and the value is long enough to be a real secret rather than a placeholder.
 */
import { LOCAL_DUMMY_KEY } from '../llm/endpoint';
import { looksLikeKey } from '../llm/secrets';

/** Names such as OPENAI_API_KEY, GITHUB_TOKEN, DB_PASSWORD; not MAX_TOKENS. */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/** Shorter values are placeholders ("ollama", "none") that local servers accept. */
const MIN_SECRET_LENGTH = 8;

export function looksLikeSecretLiteral(name: string, value: string): boolean {
  // The key TRUCE itself sends to local servers is a known placeholder, not a secret.
  if (value === LOCAL_DUMMY_KEY) return false;
  if (looksLikeKey(value)) return true;
  return SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH && !/\s/.test(value);
}
