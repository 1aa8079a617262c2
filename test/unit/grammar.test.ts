/**
 * The TextMate grammars under syntaxes/ and their wiring in package.json. VS Code runs the regexes
 * with Oniguruma; the grammars use only syntax that JavaScript reads the same way (plus `\A`), so
 * here they run as JavaScript RegExps through a small scanner that, like TextMate, takes the
 * leftmost match at each position and breaks ties by pattern order.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface GrammarRule {
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  name?: string;
  include?: string;
  patterns?: GrammarRule[];
  captures?: Record<string, GrammarRule>;
  beginCaptures?: Record<string, GrammarRule>;
  endCaptures?: Record<string, GrammarRule>;
}

interface Grammar extends GrammarRule {
  scopeName: string;
  injectionSelector?: string;
  repository?: Record<string, GrammarRule>;
}

interface GrammarContribution {
  language?: string;
  scopeName: string;
  path: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
}

/** The repository root: tests run from the bundled copy under out/, so look upwards. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'syntaxes')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

const root = repoRoot();
const readJson = <T>(relativePath: string): T => JSON.parse(readFileSync(join(root, relativePath), 'utf8')) as T;
const manifest = readJson<{ contributes: { grammars: GrammarContribution[]; languages: { id: string; extensions: string[]; configuration: string }[] } }>('package.json');

function grammarFor(scopeName: string): Grammar {
  const contribution = manifest.contributes.grammars.find((g) => g.scopeName === scopeName);
  assert.ok(contribution, `package.json contributes no grammar with scope ${scopeName}`);
  return readJson<Grammar>(contribution.path);
}

function repositoryRule(grammar: Grammar, name: string): GrammarRule {
  const rule = grammar.repository?.[name];
  assert.ok(rule, `${grammar.scopeName} has no repository rule "${name}"`);
  return rule;
}

/** Oniguruma-only anchors and flags would silently mean something else in JavaScript. */
function toJsRegExp(pattern: string, flags = ''): RegExp {
  const withoutLineStart = pattern.replace(/\\A/g, '^');
  const unsupported = /\\[GzZhHK]|\(\?[imx-]+[:)]|\(\?>|[*+?}][+]/.exec(withoutLineStart);
  assert.equal(unsupported, null, `pattern uses Oniguruma-only syntax ${unsupported?.[0]}: ${pattern}`);
  return new RegExp(withoutLineStart, flags);
}

function* allRegexes(rule: GrammarRule): Generator<string> {
  for (const source of [rule.match, rule.begin, rule.end, rule.while]) if (source) yield source;
  for (const child of rule.patterns ?? []) yield* allRegexes(child);
  for (const group of [rule.captures, rule.beginCaptures, rule.endCaptures]) {
    for (const capture of Object.values(group ?? {})) yield* allRegexes(capture);
  }
}

interface Token {
  rule: string;
  text: string;
  groups: (string | undefined)[];
}

/** Tokenizes one line with the given single-line rules, TextMate style. */
function scan(line: string, rules: [string, GrammarRule][]): Token[] {
  const compiled = rules.map(([name, rule]) => {
    assert.ok(rule.match, `rule ${name} is not a single-line match rule`);
    return { name, regex: toJsRegExp(rule.match, 'g') };
  });
  const tokens: Token[] = [];
  let position = 0;
  while (position <= line.length) {
    let best: { name: string; match: RegExpExecArray } | undefined;
    for (const { name, regex } of compiled) {
      regex.lastIndex = position;
      const match = regex.exec(line);
      if (match && match[0].length > 0 && (!best || match.index < best.match.index)) best = { name, match };
    }
    if (!best) break;
    tokens.push({ rule: best.name, text: best.match[0], groups: [...best.match] });
    position = best.match.index + best.match[0].length;
  }
  return tokens;
}

/** The top-level rules of the template grammar, resolved from its repository, in order. */
function templateRules(): [string, GrammarRule][] {
  const grammar = grammarFor('text.truce.template');
  return (grammar.patterns ?? []).map((pattern) => {
    const name = pattern.include?.replace(/^#/, '') ?? '';
    return [name, repositoryRule(grammar, name)];
  });
}

describe('TextMate grammars', () => {
  describe('package.json wiring', () => {
    it('every contributed grammar file exists and declares the scope it is registered under', () => {
      for (const contribution of manifest.contributes.grammars) {
        assert.ok(existsSync(join(root, contribution.path)), `${contribution.path} is missing`);
        assert.equal(readJson<Grammar>(contribution.path).scopeName, contribution.scopeName, contribution.path);
      }
    });

    it('injects into Markdown, VS Code prompt files, YAML and Prompty', () => {
      const targets = manifest.contributes.grammars.flatMap((g) => g.injectTo ?? []);
      for (const scope of ['text.html.markdown', 'text.html.markdown.prompt', 'source.yaml', 'text.prompty']) {
        assert.ok(targets.includes(scope), `no injection into ${scope}`);
      }
    });

    it("each injection's selector names only scopes it is injected into", () => {
      for (const contribution of manifest.contributes.grammars.filter((g) => g.injectTo)) {
        const grammar = readJson<Grammar>(contribution.path);
        assert.ok(grammar.injectionSelector, `${contribution.path} has injectTo but no injectionSelector`);
        const selected = grammar.injectionSelector.split(',').map((part) => part.trim().replace(/^[LR]:/, '').split(/\s+/)[0]);
        assert.deepEqual([...selected].sort(), [...(contribution.injectTo ?? [])].sort(), contribution.path);
      }
    });

    it('includes only scopes that exist: our own or VS Code built-ins', () => {
      const ours = new Set(manifest.contributes.grammars.map((g) => g.scopeName));
      const builtIn = new Set(['text.html.markdown', 'source.yaml']);
      for (const contribution of manifest.contributes.grammars) {
        const grammar = readJson<Grammar>(contribution.path);
        const includes = JSON.stringify(grammar).match(/"include":\s*"[^"#$][^"]*"/g) ?? [];
        for (const include of includes) {
          const scope = include.replace(/^"include":\s*"/, '').replace(/["#].*$/, '');
          assert.ok(ours.has(scope) || builtIn.has(scope), `${contribution.path} includes unknown scope ${scope}`);
        }
        const locals = JSON.stringify(grammar).match(/"include":\s*"#[^"]+"/g) ?? [];
        for (const local of locals) repositoryRule(grammar, local.replace(/^"include":\s*"#/, '').replace(/"$/, ''));
      }
    });

    it('registers the prompty language for .prompty files with a readable language configuration', () => {
      const prompty = manifest.contributes.languages.find((language) => language.id === 'prompty');
      assert.ok(prompty);
      assert.deepEqual(prompty.extensions, ['.prompty']);
      assert.doesNotThrow(() => readJson(prompty.configuration));
      const grammar = manifest.contributes.grammars.find((g) => g.language === 'prompty');
      assert.equal(grammar?.embeddedLanguages?.['meta.embedded.block.frontmatter'], 'yaml');
    });

    it('every regex compiles as a JavaScript RegExp (no Oniguruma-only syntax)', () => {
      for (const contribution of manifest.contributes.grammars) {
        const grammar = readJson<Grammar>(contribution.path);
        const rules = [grammar, ...Object.values(grammar.repository ?? {})];
        for (const rule of rules) for (const source of allRegexes(rule)) assert.doesNotThrow(() => toJsRegExp(source), source);
      }
    });
  });

  describe('template variables', () => {
    const rules = templateRules();
    const tokens = (line: string) => scan(line, rules).map((token) => [token.rule, token.text]);

    it('finds Mustache/Jinja expressions, including filters, sections and triple braces', () => {
      assert.deepEqual(tokens('Restate {{goal}} first.'), [['mustache-expression', '{{goal}}']]);
      assert.deepEqual(tokens('Hi {{ user.name | upper }}!'), [['mustache-expression', '{{ user.name | upper }}']]);
      assert.deepEqual(tokens('{{#each items}}- {{this}}{{/each}}'), [
        ['mustache-expression', '{{#each items}}'],
        ['mustache-expression', '{{this}}'],
        ['mustache-expression', '{{/each}}'],
      ]);
      assert.deepEqual(tokens('{{{raw_html}}}'), [['mustache-triple', '{{{raw_html}}}']]);
      assert.deepEqual(tokens('{{- trimmed -}}'), [['mustache-expression', '{{- trimmed -}}']]);
    });

    it('captures the variable name of an expression', () => {
      const [token] = scan('{{ question }}', rules);
      assert.equal(token.groups[3], 'question');
    });

    it('finds Jinja statements and comments and captures the statement keyword', () => {
      const [forLoop] = scan('{% for step in steps %}', rules);
      assert.equal(forLoop.rule, 'jinja-statement');
      assert.equal(forLoop.groups[2], 'for');
      assert.deepEqual(tokens('{%- endif -%} and {# a note #}'), [
        ['jinja-statement', '{%- endif -%}'],
        ['jinja-comment', '{# a note #}'],
      ]);
    });

    it('finds VS Code prompt variables with and without a placeholder', () => {
      const [plain] = scan('Ask about ${input:topic} first', rules);
      assert.deepEqual([plain.rule, plain.text, plain.groups[2], plain.groups[4]], ['dollar-variable', '${input:topic}', 'input', 'topic']);
      const [withPlaceholder] = scan('${input:audience:students or experts}', rules);
      assert.equal(withPlaceholder.groups[4], 'audience');
      assert.equal(withPlaceholder.groups[6], 'students or experts');
      assert.deepEqual(tokens('See ${file} and ${workspaceFolder}'), [
        ['dollar-variable', '${file}'],
        ['dollar-variable', '${workspaceFolder}'],
      ]);
    });

    it('finds Python format fields but not the inside of other syntax', () => {
      assert.deepEqual(tokens('Search {topic} and {user.name}.'), [
        ['format-field', '{topic}'],
        ['format-field', '{user.name}'],
      ]);
      // `{{x}}` is one expression, never a format field inside braces.
      assert.deepEqual(tokens('{{x}}'), [['mustache-expression', '{{x}}']]);
    });

    it('leaves JSON, code and unclosed delimiters alone', () => {
      for (const line of [
        '{"role": "user", "content": "hi"}',
        'Return {} when nothing matches.',
        'function f() { return 1; }',
        '{ spaced }',
        'Positional {0} fields are not variables.',
        'An unclosed {{ stays text',
        'Also ${unclosed and {% unclosed',
      ]) {
        assert.deepEqual(tokens(line), [], line);
      }
    });
  });

  describe('lock markers', () => {
    const markdownLock = repositoryRule(grammarFor('text.truce.markdown.injection'), 'lock-marker');
    const yamlLock = repositoryRule(grammarFor('text.truce.yaml.injection'), 'lock-marker');
    const matches = (rule: GrammarRule, line: string) => toJsRegExp(rule.match ?? '').test(line);

    it('Markdown: matches the HTML comment the parser honours', () => {
      assert.ok(matches(markdownLock, '<!-- truce:lock -->'));
      assert.ok(matches(markdownLock, '  <!--truce:lock-->'));
      const match = toJsRegExp(markdownLock.match ?? '').exec('<!-- truce:lock -->');
      assert.equal(match?.[2], 'truce:lock');
    });

    it('Markdown: ignores other comments and near misses', () => {
      for (const line of ['<!-- truce:locked -->', '<!-- lock -->', '# truce:lock', '<!-- truce:lock because -->']) {
        assert.ok(!matches(markdownLock, line), line);
      }
    });

    it('YAML: matches the comment with or without a reason after it', () => {
      assert.ok(matches(yamlLock, '# truce:lock'));
      assert.ok(matches(yamlLock, '    #truce:lock keep for compliance'));
      const match = toJsRegExp(yamlLock.match ?? '').exec('  # truce:lock');
      assert.equal(match?.[2], 'truce:lock');
    });

    it('YAML: ignores other comments and values that merely mention it', () => {
      for (const line of ['# truce:locked', '# lock', 'key: value#truce:lock', 'truce:lock']) {
        assert.ok(!matches(yamlLock, line), line);
      }
    });
  });

  describe('Prompty', () => {
    const grammar = grammarFor('text.prompty');
    const roleLine = repositoryRule(grammar, 'role-line');
    const frontMatter = repositoryRule(grammar, 'front-matter');

    it('recognises role lines', () => {
      for (const line of ['system:', 'user:', '  assistant :', 'developer:']) {
        assert.ok(toJsRegExp(roleLine.match ?? '').test(line), line);
      }
    });

    it('does not take prose that starts with a role name for a role line', () => {
      for (const line of ['system: you are helpful', 'systems:', 'The user: asks', 'user:name']) {
        assert.ok(!toJsRegExp(roleLine.match ?? '').test(line), line);
      }
    });

    it('front matter starts only on the first line and ends at the next ---', () => {
      assert.ok(toJsRegExp(frontMatter.begin ?? '').test('---'));
      assert.ok(!toJsRegExp(frontMatter.begin ?? '').test('text\n---'));
      assert.ok(toJsRegExp(frontMatter.end ?? '').test('---  '));
      assert.deepEqual(
        (frontMatter.patterns ?? []).map((pattern) => pattern.include),
        ['source.yaml'],
      );
    });
  });
});
