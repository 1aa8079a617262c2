#!/usr/bin/env node
/**
 * Lists the longest functions of a source tree, measured with the TypeScript compiler's own parser
 * (so a brace in a string or a template literal does not fool it), longest first.
 *
 *   node scripts/functionLengths.mjs [DIR=src/core] [--top N=15] [--over LINES]
 *
 * A function's length is the lines from its first to its last, nested functions included (a
 * factory whose returned methods are long is long). Named by its declaration, or for an arrow or
 * function expression by the variable or property that holds it. --over prints only functions
 * longer than LINES and exits 1 when there is one, so it can guard a limit.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

function parseArgs(argv) {
  const args = { dir: 'src/core', top: 15, over: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--top') args.top = Number(argv[++i]);
    else if (a === '--over') args.over = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`Unknown option ${a}; use [DIR] [--top N] [--over LINES].`);
    else args.dir = a;
  }
  if (!Number.isInteger(args.top) || args.top < 1) throw new Error('--top needs a whole number of at least 1.');
  if (args.over !== undefined && (!Number.isInteger(args.over) || args.over < 0)) throw new Error('--over needs a whole number of lines.');
  return args;
}

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

function functionsOf(path) {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      found.push({ file: path, name: nameOf(node), line: first, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const args = parseArgs(process.argv.slice(2));
const all = sourceFiles(args.dir).flatMap(functionsOf).sort((a, b) => b.lines - a.lines);
const shown = args.over === undefined ? all.slice(0, args.top) : all.filter((f) => f.lines > args.over);
for (const f of shown) process.stdout.write(`${String(f.lines).padStart(5)}  ${f.name}  ${relative(process.cwd(), f.file)}:${f.line}\n`);
if (args.over !== undefined && shown.length) process.exitCode = 1;
