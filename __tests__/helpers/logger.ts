/** A logger that keeps its JSON lines in memory, for assertions. */
import { createLogger, type Logger } from '../../lib/log';
import { recordOutput } from './output-log';

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
}

export function captureLogger(): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: 'json',
    level: 'debug',
    stream: {
      write: (chunk: string) => {
        recordOutput(chunk);
        lines.push(JSON.parse(chunk));
      },
    },
  });
  return { logger, lines };
}
