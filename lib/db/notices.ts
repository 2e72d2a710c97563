/**
 * Server notices and warnings raised while a migration runs: `RAISE NOTICE`
 * in a `DO` block, "table … does not exist, skipping", "there is already a
 * transaction in progress". psql shows them; tidemark logs each one with the
 * migration it came from (version, name, file) and, where it is known, the
 * line: from the notice's position, or else the line of the no-transaction
 * statement that raised it. A transactional script runs as one query, so a
 * notice without a position has no line there.
 *
 * Level by severity: DEBUG and LOG → debug, INFO and NOTICE → info,
 * WARNING → warn. A severity in another language (lc_messages) goes by its
 * SQLSTATE instead: class 01 is a warning.
 */
import type { Client } from 'pg';
import type { Logger } from '../log';
import type { Statement } from '../sql/lexer';
import type { Script, Step } from '../types';
import { lineColumnAt } from './sql-position';

/** What a notice carries, as pg parses it (its NoticeMessage). */
export interface Notice {
  readonly message?: string;
  readonly severity?: string;
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based, in characters of the query that raised it. */
  readonly position?: string;
  readonly where?: string;
}

type Level = 'debug' | 'info' | 'warn';

const LEVELS: Readonly<Record<string, Level>> = {
  DEBUG: 'debug',
  LOG: 'debug',
  INFO: 'info',
  NOTICE: 'info',
  WARNING: 'warn',
};

/** Where a notice came from: the step that runs, and the no-transaction statement, if one runs. */
export interface NoticeSource {
  readonly step: Step | null;
  readonly statement: Statement | null;
}

/** What is logged for one notice: its level, its fields (for JSON logs) and its line. */
export interface DescribedNotice {
  readonly level: Level;
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

export function levelOf(notice: Pick<Notice, 'severity' | 'code'>): Level {
  return LEVELS[(notice.severity ?? '').toUpperCase()] ?? (notice.code?.startsWith('01') ? 'warn' : 'info');
}

/**
 * The log line of a notice, psql style: `002_b.up.sql:3: NOTICE: text`.
 * Pure, but for the script's text, which it reads (a big script's bytes are
 * mapped as they are, never decoded).
 */
export function describeNotice(notice: Notice, source: NoticeSource): DescribedNotice {
  const severity = notice.severity ?? 'NOTICE';
  const facts = {
    severity,
    sqlstate: notice.code ?? null,
    detail: notice.detail ?? null,
    hint: notice.hint ?? null,
    where: notice.where ?? null,
  };
  const extra = `${notice.detail ? ` DETAIL: ${notice.detail}` : ''}${notice.hint ? ` HINT: ${notice.hint}` : ''}`;
  const { step, statement } = source;
  if (!step) return { level: levelOf(notice), fields: facts, msg: `server ${severity}: ${notice.message}${extra}` };
  const script = step.pair[step.direction];
  const at = placeOf(notice, script, statement);
  const line = at?.line ?? null;
  const fields = {
    version: step.pair.version.toString(),
    name: step.pair.name,
    direction: step.direction,
    file: script.path,
    line,
    column: at?.column ?? null,
    ...facts,
  };
  return {
    level: levelOf(notice),
    fields,
    msg: `${script.path}${line === null ? '' : `:${line}`}: ${severity}: ${notice.message}${extra}`,
  };
}

/**
 * The line (and, with a position, the column) of a notice in its script: a
 * no-transaction statement's position counts from the statement, which is
 * all that was sent; a transactional script's from the script (its bytes,
 * for a big one).
 */
function placeOf(
  notice: Notice,
  script: Script,
  statement: Statement | null,
): { line: number; column: number | null } | null {
  const position = notice.position === undefined ? null : Number(notice.position);
  if (statement) {
    if (position === null) return { line: statement.line, column: null };
    const at = lineColumnAt(script.body.bytes.subarray(statement.start, statement.end), position);
    return { line: statement.line + at.line - 1, column: at.line === 1 ? statement.column + at.column - 1 : at.column };
  }
  if (position === null) return null;
  const at = lineColumnAt(script.body.bytes, position);
  return { line: at.line, column: at.column };
}

/** Logs the notices of `client` while a plan runs; tell it which step and statement run. */
export interface NoticeWatch {
  step(step: Step | null): void;
  statement(statement: Statement | null): void;
  /** Stops listening. */
  stop(): void;
}

/**
 * Listens to `client`'s notices and logs each one. Notices between steps
 * (tidemark's own statements) are debug lines without a migration.
 */
export function watchNotices(client: Client, logger: Logger): NoticeWatch {
  const source: { step: Step | null; statement: Statement | null } = { step: null, statement: null };
  const onNotice = (notice: Notice) => {
    const described = describeNotice(notice, source);
    logger[source.step ? described.level : 'debug'](described.fields, described.msg);
  };
  client.on('notice', onNotice);
  return {
    step: (step) => {
      source.step = step;
      source.statement = null;
    },
    statement: (statement) => void (source.statement = statement),
    stop: () => void client.off('notice', onNotice),
  };
}
