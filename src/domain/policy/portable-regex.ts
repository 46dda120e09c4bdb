/**
 * Regular expressions in the policy's portable form (the contract (docs/contract.md) §4): the JavaScript dialect, plus
 * a leading `(?i)` meaning case-insensitive — the only inline flag. It becomes the RegExp `i`
 * flag; any other inline flag group (`(?s)`, `(?m)`, `(?x)`, `(?i)` later on, `(?i:…)`) is refused
 * with a clear message rather than left for the RegExp constructor to misread.
 */
import type { RegexValue } from './types.ts';

export type RegexTranslation = { ok: true; value: RegexValue } | { ok: false; message: string };

export function translatePortableRegex(pattern: string): RegexTranslation {
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
  return { ok: true, value: { source, flags } };
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
