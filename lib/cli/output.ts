/**
 * Where results go: stdout. In `json` log format every result line is one
 * pino-style JSON object too (`level`, `msg`, and the data as fields).
 */
import type { LogFormat } from '../log';
import { redactSecrets } from '../log';

/** A command's report, in each of its forms (built only when printed). */
export interface Report {
  /** `--json`: print the document instead of the text. */
  readonly json: boolean;
  readonly document: () => object;
  /** The text for humans. */
  readonly text: () => string;
  /**
   * A one-line summary. When given, the json log format prints the report as
   * one record: `msg` the summary, the document as fields (with `--json`
   * too, as `level`, `msg` and the document).
   */
  readonly summary?: string;
  /** Without a summary: fields of the text's line in the json log format. */
  readonly data?: Record<string, unknown>;
}

export interface Output {
  /** Prints a result: `text` for humans, `data` merged into the JSON line. */
  result(text: string, data?: Record<string, unknown>): void;
  /** Prints a JSON document (`--json`), as is. */
  document(doc: unknown): void;
  /** Prints a report as JSON or for humans, as `--json` and the log format ask. */
  report(report: Report): void;
}

export function createOutput(format: LogFormat, stdout: { write(chunk: string): unknown }): Output {
  const write = (text: string) => stdout.write(redactSecrets(text));
  const result = (text: string, data: Record<string, unknown> = {}) => {
    if (format === 'json')
      write(`${JSON.stringify({ level: 30, time: new Date().toISOString(), msg: text, ...data })}\n`);
    else write(text.endsWith('\n') ? text : `${text}\n`);
  };
  const document = (doc: unknown) => write(`${JSON.stringify(doc, null, format === 'json' ? undefined : 2)}\n`);
  const asRecord = format === 'json' ? (r: Report) => r.summary : () => undefined;
  return {
    result,
    document,
    report(r) {
      const msg = asRecord(r);
      if (r.json) document(msg === undefined ? r.document() : { level: 30, msg, ...r.document() });
      else if (msg !== undefined) result(msg, r.document() as Record<string, unknown>);
      else result(r.text(), r.data);
    },
  };
}
