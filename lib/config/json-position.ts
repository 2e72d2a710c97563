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

/** A recursive-descent reader that only checks: it stops with a Stop at the first mistake. */
class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  /** Reads one JSON document and nothing after it. */
  document(): void {
    this.value();
    this.space();
    if (this.i < this.text.length)
      this.fail(`unexpected ${describe(this.text[this.i])} after the end of the JSON document`);
  }

  private fail(problem: string, at = this.i): never {
    throw new Stop(at, problem);
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i])) this.i++;
  }

  private string(): void {
    const { text } = this;
    for (this.i++; ; this.i++) {
      const ch = text[this.i];
      if (ch === undefined || ch === '\n') this.fail('unterminated string');
      if (ch === '"') return void this.i++;
      if (ch < ' ') this.fail('control character in a string; write it as an escape such as \\n');
      if (ch === '\\') {
        const next = text[++this.i];
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(this.i + 1, this.i + 5))) this.i += 4;
        else if (!ESCAPES.has(next)) this.fail(`invalid escape \\${next ?? ''} in a string`, this.i - 1);
      }
    }
  }

  /** An object's properties or an array's elements, from the opening bracket to `close`. */
  private members(close: string, member: () => void, what: string): void {
    const { text } = this;
    this.i++;
    this.space();
    if (text[this.i] === close) return void this.i++;
    for (;;) {
      member();
      this.space();
      if (text[this.i] === close) return void this.i++;
      if (text[this.i] !== ',') this.fail(`expected "," or "${close}" after ${what}, found ${describe(text[this.i])}`);
      this.i++;
      this.space();
      if (text[this.i] === close) this.fail(`trailing comma before "${close}"`, this.i);
    }
  }

  private value(): void {
    this.space();
    const ch = this.text[this.i];
    if (ch === '{') return this.members('}', () => this.property(), 'a property');
    if (ch === '[') return this.members(']', () => this.value(), 'an element');
    if (ch === '"') return this.string();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) return void (this.i += word.length);
    }
    this.fail(
      ch === undefined
        ? 'unexpected end of the file; a value is missing'
        : `unexpected ${describe(ch)}; expected a value`,
    );
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m || /[0-9.eE+-]/.test(this.text[this.i + m[0].length] ?? '')) this.fail('invalid number');
    this.i += m![0].length;
  }

  private property(): void {
    const { text } = this;
    if (text[this.i] !== '"') this.fail(`expected a property name in double quotes, found ${describe(text[this.i])}`);
    this.string();
    this.space();
    if (text[this.i] !== ':') this.fail(`expected ":" after the property name, found ${describe(text[this.i])}`);
    this.i++;
    this.value();
  }
}

/** The first syntax error in `text`, or null if it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  try {
    new Scanner(text).document();
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    return { line: before.split('\n').length, column: err.offset - lineStart + 1, problem: err.problem };
  }
}
