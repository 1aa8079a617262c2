/**
 * The environment a program from the workspace starts with — a command MAS and a command evaluator
 * alike (a leaf module, so mas/ and eval/ both use it). Inheriting TRUCE's whole environment would hand every
 * API key of the user's shell (OPENAI_API_KEY, ANTHROPIC_API_KEY, cloud credentials) to a program
 * from the workspace, and whatever it prints about them would be stored with the run. So it gets
 * only what programs need to start — PATH, home and user, locale, time zone, temp folders (and the
 * system variables Windows programs cannot start without) — plus the variables truce.yaml names
 * in `mas.passEnv` and sets in `mas.env`. TRUCE adds its own TRUCE_* and OTEL_* variables on top.
 */

/** Names passed as they are, compared without regard to case (Windows spells them variously). */
const BASE = new Set(
  [
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'LANG',
    'LANGUAGE',
    'TZ',
    'TMPDIR',
    'TMP',
    'TEMP',
    // Windows: without these, many programs (Python, Node) fail to start or to find their files.
    'SYSTEMROOT',
    'WINDIR',
    'COMSPEC',
    'PATHEXT',
    'USERPROFILE',
    'APPDATA',
    'LOCALAPPDATA',
    'HOMEDRIVE',
    'HOMEPATH',
    'PROGRAMDATA',
  ].map((n) => n.toUpperCase()),
);

export function masEnvironment(source: Readonly<Record<string, string | undefined>>, passEnv: readonly string[] = [], configured: Record<string, string> = {}): NodeJS.ProcessEnv {
  const passed = new Set(passEnv);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (BASE.has(upper) || upper.startsWith('LC_') || passed.has(name)) env[name] = value;
  }
  return { ...env, ...configured };
}

/** Values of the source environment that look like credentials, to scrub from what the MAS prints. */
export function secretValues(source: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value && /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(name)) out.push(value);
  }
  return out;
}
