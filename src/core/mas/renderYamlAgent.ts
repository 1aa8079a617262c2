/**
 * A YAML agent definition (CrewAI-style `role` / `goal` / `backstory` / `rules`) as the Markdown a
 * model reads. The YAML is configuration for people and tools; the model should see prose and
 * lists, not `max_iter: 5`. Short one-line fields become `Label: value` lines at the top, longer
 * text, lists and nested maps become `##` sections, in the order the file gives them.
 */

/** Keys that configure how the agent runs rather than what it is told. */
const CONFIG_KEYS = new Set([
  'id', 'name', 'kind', 'type', 'model', 'llm', 'provider', 'tools', 'allow_delegation', 'verbose', 'max_iter',
  'max_rpm', 'max_execution_time', 'memory', 'cache', 'temperature', 'max_tokens', 'top_p', 'inputs', 'outputs',
  'sample', 'metadata', 'version', 'authors', 'tags', 'agent', 'handoffs', 'output_file', 'output_schema',
  'function_calling_llm', 'knowledge_sources', 'embedder', 'prompt_file', 'file', 'path', 'icon', 'color',
  'enabled', 'reasoning', 'multimodal', 'seed', 'stop', 'respect_context_window', 'max_retry_limit',
]);

/** A one-line field longer than this reads better as its own section. */
const SHORT_FIELD = 120;

export function renderYamlAgent(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return renderList(value);
  if (!isMap(value)) return value === null || value === undefined ? '' : String(value);
  const header: string[] = [];
  const sections: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (CONFIG_KEYS.has(key.toLowerCase()) || field === null || field === undefined) continue;
    if (isScalar(field) && !String(field).includes('\n') && String(field).length <= SHORT_FIELD) {
      header.push(`${label(key)}: ${String(field).trim()}`);
    } else {
      const body = renderField(field, 3);
      if (body) sections.push(`## ${label(key)}\n\n${body}`);
    }
  }
  return [header.join('\n'), ...sections].filter((part) => part !== '').join('\n\n');
}

function renderField(value: unknown, level: number): string {
  if (isScalar(value)) return String(value).trim();
  if (Array.isArray(value)) return renderList(value);
  if (!isMap(value)) return '';
  const parts: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    const body = renderField(field, level + 1);
    if (!body) continue;
    // Past the sixth heading level Markdown has no headings left; a bold label keeps the nesting readable.
    const title = level <= 6 ? `${'#'.repeat(level)} ${label(key)}` : `**${label(key)}**`;
    parts.push(`${title}\n\n${body}`);
  }
  return parts.join('\n\n');
}

function renderList(items: unknown[]): string {
  const lines: string[] = [];
  for (const item of items) {
    if (item === null || item === undefined) continue;
    if (isScalar(item)) lines.push(bullet(String(item).trim()));
    // A nested list reads as sub-items of the list it sits in.
    else if (Array.isArray(item)) {
      const nested = renderList(item);
      if (nested) lines.push(nested.replace(/^/gm, '  '));
    }
    else if (isMap(item)) {
      const fields = Object.entries(item)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${label(k)}: ${isScalar(v) ? String(v).trim() : renderField(v, 7).replace(/\n/g, ' ')}`);
      if (fields.length > 0) lines.push(bullet(fields.join('; ')));
    }
  }
  return lines.join('\n');
}

/** A multi-line item keeps its lines under the bullet. */
function bullet(text: string): string {
  return `- ${text.replace(/\n/g, '\n  ')}`;
}

function label(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
