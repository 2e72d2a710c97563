/**
 * Logging: one pino logger, created by the CLI and passed down. Human lines
 * (the message alone) by default; `json` writes pino's JSON lines. Every
 * string that leaves the process goes through `redactSecrets` first.
 */
import type pino from 'pino';

export type Logger = pino.Logger;
export type LogFormat = 'human' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** Defaults to stderr: logs never mix with results on stdout. */
  readonly stream?: { write(chunk: string): unknown };
  /** Clear the terminal line first (a live progress line may be on it). */
  readonly clearLine?: boolean;
}

// The password runs to the last "@" of the authority, as pg's URL parser reads
// it: `postgres://u:p@ss@host` connects with password `p@ss`. `"` ends it, so a
// JSON log line stays valid.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s"]*:)([^/?#\s"]+)@/gi;
const DSN_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"]+)/gi;

// A word holding `@` may be a credential in a string that is no well-formed
// URL: `postgres:/u:pw@h`, `postgres//u:pw@h`, `postgres:u:pw@h`, `u:pw@h/db`.
const AT_WORD = /[^\s"'<>]*@[^\s"'<>]*/g;

/**
 * In a word holding `@`, masks from the first `:` after any scheme to the
 * last `@`: over-masking an odd word costs nothing, a leaked password does.
 * A URL with a user and no password (`postgres://app@db`) is left alone.
 */
function maskCredential(word: string): string {
  const at = word.lastIndexOf('@');
  const head = word.slice(0, at);
  const scheme = /^[a-z][a-z0-9+.-]*(:\/\/|:\/?|\/\/)/i.exec(head);
  let start = 0;
  if (scheme) {
    if (head.indexOf(':', scheme[0].length) >= 0) start = scheme[0].length;
    else if (scheme[1].endsWith('//')) return word;
  }
  const colon = head.indexOf(':', start);
  if (colon < 0 || head.slice(colon + 1) === '***') return word;
  return `${head.slice(0, colon + 1)}***${word.slice(at)}`;
}

/** Masks URL passwords (well-formed or not), `password=` in DSNs, and the PGPASSWORD value. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text.replace(URL_PASSWORD, '$1***@').replace(DSN_PASSWORD, '$1***');
  if (out.includes('@')) out = out.replace(AT_WORD, maskCredential);
  const pgPassword = env.PGPASSWORD;
  if (pgPassword && pgPassword.length >= 3) out = out.split(pgPassword).join('***');
  return out;
}

const LABELS: Record<number, string> = { 20: 'debug: ', 30: '', 40: 'warning: ', 50: 'error: ', 60: 'fatal: ' };

/**
 * Human lines are written straight from the log call (pino's logMethod hook):
 * pino would otherwise serialise every line to JSON only for it to be parsed
 * back here, which was most of the client CPU of a long `apply`. The line is
 * the message; the fields are for `--log-format json`.
 */
function humanLines(out: { write(chunk: string): unknown }, clearLine: boolean): pino.LoggerOptions['hooks'] {
  return {
    logMethod(args: unknown[], _method: unknown, level: number) {
      const [first, second] = args;
      const msg =
        typeof first === 'string'
          ? first
          : typeof second === 'string'
            ? second
            : first instanceof Error
              ? first.message
              : '';
      out.write(redactSecrets(`${clearLine ? '\r\x1b[K' : ''}${LABELS[level] ?? ''}${msg}\n`));
    },
  };
}

/** pino, loaded on first use: `--help`, `--version` and usage errors never log. */
const loadPino = () => (require('pino') as typeof import('pino')).pino;

/**
 * Creates the run's logger. pino is made on the logger's first use: a run
 * that logs nothing (a no-op apply, status, verify) never loads it.
 */
export function createLogger(options: LoggerOptions): Logger {
  let real: Logger | undefined;
  const logger = () => (real ??= pinoLogger(options));
  return new Proxy({} as Logger, {
    get(_target, key) {
      const target = logger();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_target, key, value) => Reflect.set(logger(), key, value),
    has: (_target, key) => Reflect.has(logger(), key),
  });
}

function pinoLogger(options: LoggerOptions): Logger {
  const pino = loadPino();
  const out = options.stream ?? process.stderr;
  const human = options.format === 'human';
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: human ? false : pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'connectionString'], censor: '***' },
      ...(human ? { hooks: humanLines(out, options.clearLine === true) } : {}),
    },
    { write: (line: string) => out.write(redactSecrets(line)) },
  );
}

/** A logger that writes nothing: the library default. */
export function silentLogger(): Logger {
  return loadPino()({ level: 'silent' });
}

/**
 * Routes Node's process warnings (a dependency's deprecation or security
 * notice) through `logger` as warning lines. Node's own printer writes
 * several plain lines to stderr, which breaks `--log-format json`.
 * @returns release(): puts Node's printer back.
 */
export function routeWarnings(logger: Logger): { release(): void } {
  const saved = process.listeners('warning');
  const onWarning = (warning: Error) => logger.warn({ warning: warning.name }, warning.message);
  process.removeAllListeners('warning');
  process.on('warning', onWarning);
  return {
    release() {
      process.off('warning', onWarning);
      for (const listener of saved) process.on('warning', listener);
    },
  };
}
