/**
 * Where results go: stdout. In `json` log format every result line is one
 * pino-style JSON object too (`level`, `msg`, and the data as fields).
 */
import type { LogFormat } from '../log';
import { redactSecrets } from '../log';

export interface Output {
  /** Prints a result: `text` for humans, `data` merged into the JSON line. */
  result(text: string, data?: Record<string, unknown>): void;
  /** Prints a JSON document (`--json`), as is. */
  document(doc: unknown): void;
}

export function createOutput(format: LogFormat, stdout: { write(chunk: string): unknown }): Output {
  const write = (text: string) => stdout.write(redactSecrets(text));
  return {
    result(text, data = {}) {
      if (format === 'json')
        write(`${JSON.stringify({ level: 30, time: new Date().toISOString(), msg: text, ...data })}\n`);
      else write(text.endsWith('\n') ? text : `${text}\n`);
    },
    document(doc) {
      write(`${JSON.stringify(doc, null, format === 'json' ? undefined : 2)}\n`);
    },
  };
}
