/**
 * Where a JSON text stops being JSON. Node 20's `JSON.parse` reports a
 * position for some mistakes and none for others ("Unexpected token '}'"),
 * and its message quotes the text, which may hold a URL with a password. So
 * the config file reader asks this small scanner instead. Pure.
 */

export interface JsonSyntaxProblem {
  /** 1-based line and column (in UTF-16 code units) of the offending character. */
  readonly line: number;
  readonly column: number;
  /** What is wrong there, without quoting the text. */
  readonly problem: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file';
  if (ch === '\n' || ch === '\r') return 'the end of the line';
  return /^[\x21-\x7e]$/.test(ch)
    ? `"${ch}"`
    : `character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function scan(text: string): void {
  let i = 0;
  const fail = (problem: string, at = i): never => {
    throw new Stop(at, problem);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    for (i++; ; i++) {
      const ch = text[i];
      if (ch === undefined || ch === '\n') fail('unterminated string');
      if (ch === '"') return void i++;
      if (ch < ' ') fail('control character in a string; write it as an escape such as \\n');
      if (ch === '\\') {
        const next = text[++i];
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!ESCAPES.has(next)) fail(`invalid escape \\${next ?? ''} in a string`, i - 1);
      }
    }
  };
  const members = (close: string, member: () => void, what: string) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail(`expected "," or "${close}" after ${what}, found ${describe(text[i])}`);
      i++;
      space();
      if (text[i] === close) fail(`trailing comma before "${close}"`, i);
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') return members('}', property, 'a property');
    if (ch === '[') return members(']', value, 'an element');
    if (ch === '"') return string();
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m || /[0-9.eE+-]/.test(text[i + m[0].length] ?? '')) fail('invalid number');
      i += m![0].length;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    fail(
      ch === undefined
        ? 'unexpected end of the file; a value is missing'
        : `unexpected ${describe(ch)}; expected a value`,
    );
  };
  const property = () => {
    if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe(text[i])}`);
    string();
    space();
    if (text[i] !== ':') fail(`expected ":" after the property name, found ${describe(text[i])}`);
    i++;
    value();
  };
  value();
  space();
  if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the JSON document`);
}

/** The first syntax error in `text`, or null if it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  try {
    scan(text);
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    return { line: before.split('\n').length, column: err.offset - lineStart + 1, problem: err.problem };
  }
}
