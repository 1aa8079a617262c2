/**
 * Base URLs with a user name or password in them (`http://user:secret@host/v1`). TRUCE refuses
 * them where they are configured: fetch will not send such a URL, the run would record it with
 * its secret, and messages naming the endpoint would print it. Keys belong in an environment
 * variable named by apiKeyEnv. The messages that refuse one show the URL with its user-info
 * replaced, so the user sees which URL is meant without the secret being repeated.
 */

/** True when the URL carries user-info; false for anything that does not parse (reported elsewhere). */
export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/**
 * The text with the user-info of every URL in it replaced by `***`. Greedy up to the last `@`
 * before the path, as URL parsers read it, so a password holding an unescaped `@` is hidden whole.
 */
export function hideUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, '$1***@');
}

/** Why `url` cannot be a base URL because of its credentials, naming where it came from; undefined when it has none. */
export function urlCredentialsProblem(url: string, source: string): string | undefined {
  if (!hasUrlCredentials(url)) return undefined;
  return (
    `${source} holds a user name or password (${hideUrlCredentials(url)}), which TRUCE does not send or store. ` +
    'Remove "user:password@" from the URL and put the key in an environment variable: OPENAI_API_KEY, or the one llm.executor.apiKeyEnv names in truce.yaml.'
  );
}

/**
 * Why `url`, named by an environment variable (`source`), cannot be a base URL: credentials in it, or
 * a query or fragment, which request paths cannot be appended to and where keys get pasted. The
 * same rules as a baseUrl in truce.yaml (endpoint.ts); undefined when it can be one.
 */
export function baseUrlProblem(url: string, source: string): string | undefined {
  const credentials = urlCredentialsProblem(url, source);
  if (credentials) return credentials;
  if (hasQueryOrFragment(url)) return `${source} ends in a query or fragment (?… or #…), which TRUCE cannot append request paths to; remove it, and put a key in OPENAI_API_KEY.`;
  return undefined;
}

/** A query or fragment on a base URL: request paths cannot be appended after it, and keys get pasted there. */
export function hasQueryOrFragment(url: string): boolean {
  return /[?#]/.test(url);
}
