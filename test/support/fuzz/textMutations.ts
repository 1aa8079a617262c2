/**
 * Edits applied to a valid text: the kinds of damage a hand-edited or half-written file shows
 * (cut off, a line lost or doubled, a stray character, other line breaks, odd unicode).
 */
import fc from 'fast-check';

/** Characters parsers tend to get wrong: line breaks of every kind, surrogates, BOM, zero-width, RTL, combining marks. */
export const AWKWARD = ['\r\n', '\r', '\n', '\t', '\u2028', '\u0085', '\uFEFF', '\u200B', '\u202E', 'e\u0301', '😀', '\uD83D', '\uDE00', '\0', '\\', '"', "'", '`', '#', ':', '-', '*', '|', '<', '>', '{', '}', '[', ']', '%', '&', '!', '@'];

export const awkwardText = fc.array(fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ unit: 'binary', maxLength: 4 }), fc.string({ maxLength: 6 })), { maxLength: 6 }).map((parts) => parts.join(''));

type TextOp =
  | { op: 'truncate'; at: number }
  | { op: 'delete'; at: number; length: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'duplicate-line'; line: number }
  | { op: 'drop-line'; line: number }
  | { op: 'swap-lines'; a: number; b: number }
  | { op: 'line-breaks'; to: '\r\n' | '\r' | '\n' };

const at = fc.nat();
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('insert' as const), at, text: awkwardText }),
  fc.record({ op: fc.constant('duplicate-line' as const), line: at }),
  fc.record({ op: fc.constant('drop-line' as const), line: at }),
  fc.record({ op: fc.constant('swap-lines' as const), a: at, b: at }),
  fc.record({ op: fc.constant('line-breaks' as const), to: fc.constantFrom('\r\n' as const, '\r' as const, '\n' as const) }),
);

function applyOp(text: string, op: TextOp): string {
  const pos = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (op.op) {
    case 'truncate':
      return text.slice(0, pos(op.at));
    case 'delete': {
      const p = pos(op.at);
      return text.slice(0, p) + text.slice(p + op.length);
    }
    case 'insert': {
      const p = pos(op.at);
      return text.slice(0, p) + op.text + text.slice(p);
    }
    case 'line-breaks':
      return text.replace(/\r\n|\r|\n/g, op.to);
    default: {
      const lines = text.split('\n');
      if (op.op === 'duplicate-line') {
        const i = op.line % lines.length;
        lines.splice(i, 0, lines[i] as string);
      } else if (op.op === 'drop-line') lines.splice(op.line % lines.length, 1);
      else {
        const a = op.a % lines.length;
        const b = op.b % lines.length;
        [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
      }
      return lines.join('\n');
    }
  }
}

/** A copy of `base` with up to `maxOps` damaging edits (possibly none: the valid text is a case too). */
export function mutatedText(base: fc.Arbitrary<string>, maxOps = 4): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(textOp, { maxLength: maxOps })).map(([text, ops]) => ops.reduce(applyOp, text));
}
