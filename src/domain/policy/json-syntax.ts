/**
 * Where strict JSON goes wrong. JSON.parse says *that* a document is bad but (on Node 20) not
 * always where, so this small recursive-descent checker finds the offset of the first error
 * to turn it into a line. It only checks syntax; values are read by the YAML parser after it.
 */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message } satisfies JsonSyntaxError;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const describeHere = (): string => (i >= text.length ? 'the end of the document' : `"${text[i]}"`);
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describeHere()}; expected a value`);
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape in a string');
        i += e === 'u' ? 6 : 2;
        continue;
      }
      if (c < ' ') fail('control character (such as a line break) inside a string');
      i++;
    }
    fail('unterminated string');
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(`unexpected ${describeHere()}; expected a value`);
    else i += m[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 500) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`unexpected ${describeHere()}; expected a property name in double quotes`);
        string();
        ws();
        if (text[i] !== ':') fail(`unexpected ${describeHere()}; expected ":" after the property name`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`unexpected ${describeHere()}; expected "," or "}"`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`unexpected ${describeHere()}; expected "," or "]"`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${describeHere()} after the document`);
    return null;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e && 'message' in e) return e as JsonSyntaxError;
    throw e;
  }
}
