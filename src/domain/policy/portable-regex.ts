/**
 * Regular expressions in the policy's portable form (the contract (docs/contract.md) §4): the JavaScript dialect, plus
 * a leading `(?i)` meaning case-insensitive — the only inline flag. It becomes the RegExp `i`
 * flag; any other inline flag group (`(?s)`, `(?m)`, `(?x)`, `(?i)` later on, `(?i:…)`) is refused
 * with a clear message rather than left for the RegExp constructor to misread.
 *
 * They run under RE2 (the `re2js` package: a pure-JavaScript port of RE2, linear time in the
 * text, no backtracking), never under the backtracking RegExp engine, so a pattern like
 * `(a+)+$` cannot freeze the event loop (issue 12). A pattern is accepted only when it means
 * the same in JavaScript and in RE2: backreferences, lookahead and lookbehind (which RE2 cannot
 * run in linear time), escapes that RE2 reads differently (`\z`, `\A`, `\Q`, `\p{…}`, `\x{…}`,
 * octal) and the empty classes `[]` / `[^]` are refused with a message saying so.
 * A pattern compiles to at most REGEX_LIMITS.programSize instructions, and one evaluation looks at
 * no more of the text than REGEX_LIMITS.budget allows for its size: together they bound one test.
 */
import { RE2JS } from 're2js';
import type { RegexValue } from './types.ts';

export const REGEX_LIMITS = {
  /** Characters in one pattern. */
  patternChars: 1_000,
  /** RE2 instructions of one compiled pattern (`x{1000}` alone is ~1,000). */
  programSize: 2_000,
  /**
   * The per-evaluation budget, in RE2 instructions × characters of text: one test looks at the
   * first budget ÷ instructions characters of the text, never fewer than minTextChars nor more
   * than maxTextChars (a keyword pattern of ~30 instructions sees 131,072 characters, a pattern of
   * 2,000 instructions 16,384). Past that point the text is not searched, and `$` means the end
   * of what was searched.
   */
  budget: 8_000_000,
  minTextChars: 16_384,
  maxTextChars: 131_072,
} as const;

/** How many characters of a text one evaluation of a pattern of `instructions` looks at. */
export function regexTextChars(instructions: number): number {
  const { budget, minTextChars, maxTextChars } = REGEX_LIMITS;
  return Math.min(maxTextChars, Math.max(minTextChars, Math.floor(budget / Math.max(1, instructions))));
}

export type RegexTranslation = { ok: true; value: RegexValue } | { ok: false; message: string };

export function translatePortableRegex(pattern: string): RegexTranslation {
  if (pattern.length > REGEX_LIMITS.patternChars) {
    return {
      ok: false,
      message: `regular expression too long: ${pattern.length} characters (at most ${REGEX_LIMITS.patternChars})`,
    };
  }
  let source = pattern;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  const inline = findInlineFlags(source);
  if (inline !== null) {
    return {
      ok: false,
      message: `inline flag group "${inline}" is not supported; the only inline flag is a leading (?i) (case-insensitive)`,
    };
  }
  try {
    new RegExp(source, flags);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    return { ok: false, message: `invalid regular expression: ${why}` };
  }
  const scanned = scanForRe2(source);
  if (!scanned.ok)
    return {
      ok: false,
      message: `${scanned.message} (policy regular expressions run under a linear-time engine, RE2)`,
    };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(scanned.re2, flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    return {
      ok: false,
      message: `the linear-time regular expression engine (RE2) cannot run this pattern: ${why}`,
    };
  }
  if (compiled.programSize() > REGEX_LIMITS.programSize) {
    return {
      ok: false,
      message: `regular expression too large: it compiles to ${compiled.programSize()} instructions (at most ${REGEX_LIMITS.programSize}); use smaller counted repetitions such as {n}`,
    };
  }
  return { ok: true, value: { source, flags } };
}

/** A compiled policy regex: tests the start of a text (regexTextChars), in linear time. */
export type RegexTest = (text: string) => boolean;

/**
 * Compiles a translated expression for evaluation. Only values translatePortableRegex accepted
 * reach here (a stored policy is validated before it is compiled); anything else throws.
 */
export function compilePolicyRegex(value: RegexValue): RegexTest {
  const scanned = scanForRe2(value.source);
  if (!scanned.ok) throw new Error(`cannot compile regular expression: ${scanned.message}`);
  const re = RE2JS.compile(scanned.re2, value.flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  const max = regexTextChars(re.programSize());
  return (text) => re.test(text.length > max ? text.slice(0, max) : text);
}

type Scan = { ok: true; re2: string } | { ok: false; message: string };

const HEX = /^[0-9a-fA-F]$/;
/** The members of JavaScript's \s, in RE2 spelling. */
const JS_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';

/**
 * Walks a (JavaScript-valid) pattern once: refuses what RE2 cannot run or would read
 * differently, and spells `\uXXXX` the RE2 way (`\x{XXXX}`); everything else is the same text.
 */
function scanForRe2(source: string): Scan {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[1-9]/.test(n)) return { ok: false, message: `"\\${n}" (a backreference) is not supported` };
      if (n === 'k') return { ok: false, message: '"\\k<…>" (a named backreference) is not supported' };
      if (n === '0' && /[0-9]/.test(source[i + 2] ?? ''))
        return { ok: false, message: 'octal escapes such as "\\01" are not supported; write \\xHH' };
      if (n === 'u') {
        const hex = source.slice(i + 2, i + 6);
        if (hex.length === 4 && [...hex].every((h) => HEX.test(h))) {
          out += `\\x{${hex}}`;
          i += 5;
          continue;
        }
        return { ok: false, message: '"\\u" must be followed by four hex digits, e.g. \\u00e9' };
      }
      if (n === 'x' && !(HEX.test(source[i + 2] ?? '') && HEX.test(source[i + 3] ?? ''))) {
        return { ok: false, message: '"\\x" must be followed by two hex digits, e.g. \\x41' };
      }
      if (n === 'b' && inClass)
        return { ok: false, message: '"[\\b]" (backspace) is not supported; write \\x08' };
      // JavaScript's \s is Unicode white space; RE2's only ASCII: spelled out, so both agree.
      if (n === 's') {
        out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
        i++;
        continue;
      }
      // (Inside a class \S stays RE2's: every character but ASCII white space, so [\s\S] is still any character.)
      if (n === 'S' && !inClass) {
        out += `[^${JS_SPACE}]`;
        i++;
        continue;
      }
      if (/[a-zA-Z]/.test(n) && !'dDwWsSbBnrtfvx0'.includes(n)) {
        return {
          ok: false,
          message: `"\\${n}" is not an escape in policy regular expressions; to match the letter write ${n} without the backslash`,
        };
      }
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (c === '[' && source[i + 1] === ':')
        return {
          ok: false,
          message: '"[:" inside a class is not supported (RE2 reads [:name:] as a named class); write \\[:',
        };
      out += c;
      continue;
    }
    // JavaScript's "." stops at \r, \u2028 and \u2029 too; RE2's only at \n.
    if (c === '.') {
      out += '[^\\n\\r\\x{2028}\\x{2029}]';
      continue;
    }
    if (c === '[') {
      const empty = source.startsWith('[]', i) ? '[]' : source.startsWith('[^]', i) ? '[^]' : null;
      if (empty)
        return {
          ok: false,
          message: `the class "${empty}" is not supported${empty === '[^]' ? '; for any character write [\\s\\S]' : ''}`,
        };
      inClass = true;
      // A leading "^" and a "]" right after the bracket are part of the class's opening.
      if (source[i + 1] === '^') {
        out += '[^';
        i++;
        continue;
      }
    }
    if (c === '(' && source[i + 1] === '?') {
      const look = /^\(\?(=|!|<=|<!)/.exec(source.slice(i, i + 4));
      if (look) {
        const what = look[1] === '=' || look[1] === '!' ? 'lookahead' : 'lookbehind';
        return {
          ok: false,
          message: `"(?${look[1]}…)" (${what}) is not supported; match the text itself, or use two conditions under all/not`,
        };
      }
    }
    out += c;
  }
  return { ok: true, re2: out };
}

/** The first `(?flags)` or `(?flags:` group outside escapes and character classes, or null. */
function findInlineFlags(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const m = /^\(\?[a-zA-Z]*(?:-[a-zA-Z]*)?[):]/.exec(source.slice(i));
      if (m && /[a-zA-Z]/.test(m[0])) return m[0];
    }
  }
  return null;
}

/** The portable spelling of a translated expression (for explanations and export). */
export function portableRegexSource(value: RegexValue): string {
  return value.flags.includes('i') ? `(?i)${value.source}` : value.source;
}
