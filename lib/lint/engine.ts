/**
 * The lint engine: parses each script, walks the pending migrations in
 * order with their history, asks each rule about each statement, and turns
 * hits into findings (file, line, column, lock and what it blocks, the
 * table's live size, the rewrite). Suppressions and per-rule settings are
 * applied here, once, for every rule.
 */
import { blockedBy } from './locks';
import { History, relationKey } from './history';
import { loadParser, parseScript } from './parse';
import { RULES } from './rules';
import { applySuppressions } from './suppress';
import type {
  Finding,
  Hit,
  LintContext,
  LintScript,
  LintStatement,
  RelationName,
  Rule,
  Severity,
  TableSize,
  Found,
  LintSource,
} from './types';

export type { Found, LintSource } from './types';

/** What the live database knows (`--url`); absent without one. */
export interface LiveFacts {
  sizeOf(table: RelationName): TableSize | undefined;
  hasIndexLeading(table: RelationName, columns: readonly string[]): boolean;
  hasNotNullCheck(table: RelationName, column: string): boolean;
}

export interface LintOptions {
  readonly pgVersion: number;
  readonly live?: LiveFacts;
  /** Per-rule settings from the config file: a severity, or `off`; `on` turns on a rule that is off by default. */
  readonly rules?: Readonly<Record<string, Severity | 'off' | 'on'>>;
}

/**
 * Lints `sources` in the order given (the order they will run), and returns
 * every finding, ordered by file and line. Never throws for bad SQL: a
 * script that does not parse is a `syntax-error` finding.
 */
export async function lintSources(sources: readonly LintSource[], options: LintOptions): Promise<Finding[]> {
  await loadParser();
  const history = new History();
  const rules = activeRules(options.rules);
  const findings: Finding[] = [];
  for (const source of sources) {
    history.startScript();
    findings.push(...lintOne(source, history, rules, options));
  }
  return findings;
}

function lintOne(source: LintSource, history: History, rules: readonly ActiveRule[], options: LintOptions): Finding[] {
  const parsed = parseScript(source.sql);
  if (!parsed.ok) {
    const { message, place } = parsed.problem;
    return [
      {
        rule: 'syntax-error',
        severity: 'error',
        path: source.script.path,
        ...place,
        message: `PostgreSQL's parser refuses this script: ${message}`,
        why: 'A script that does not parse fails when it runs; nothing else in it can be checked. (psql commands such as \\set or \\i are not SQL and cannot be used in a migration.)',
      },
    ];
  }
  // The indexes this script makes anywhere in it: an index made right after its foreign key counts.
  const scriptIndexes = new History();
  for (const statement of parsed.statements) scriptIndexes.record(statement.node, statement.text);
  const context = contextFor(source.script, history, options, scriptIndexes);
  const found: Found[] = [];
  for (const statement of parsed.statements) {
    for (const active of rules) {
      if (!active.rule.kinds.includes(statement.kind)) continue;
      for (const hit of active.rule.check(statement, context)) {
        // History-aware: a table the pending migrations create has no readers yet, so its locks block nobody.
        if (hit.lock && hit.table && history.isNewTable(hit.table)) continue;
        found.push({ statement, finding: findingOf(active, hit, statement, source.script, options.live) });
      }
    }
    history.record(statement.node, statement.text);
  }
  return applySuppressions(source, parsed.statements, found);
}

function contextFor(script: LintScript, history: History, options: LintOptions, scriptIndexes: History): LintContext {
  const live = options.live;
  return {
    script,
    pgVersion: options.pgVersion,
    isNewTable: (t) => history.isNewTable(t),
    sizeOf: (t) => (history.isNewTable(t) ? undefined : live?.sizeOf(t)),
    hasIndexLeading: (t, columns) =>
      history.hasIndexLeading(t, columns) ||
      scriptIndexes.hasIndexLeading(t, columns) ||
      (live ? live.hasIndexLeading(t, columns) : history.isNewTable(t) ? false : undefined),
    tableOfIndex: (index) => history.tableOfIndex(index) ?? scriptIndexes.tableOfIndex(index),
    lockTimeoutInForce: () => history.lockTimeoutInForce() || script.runnerLockTimeout !== undefined,
    addedNotValid: (t, c) => history.addedNotValid(t, c),
    hasNotNullCheck: (t, c) => history.hasNotNullCheck(t, c) || (live?.hasNotNullCheck(t, c) ?? false),
  };
}

interface ActiveRule {
  readonly rule: Rule;
  readonly severity: Severity;
}

function activeRules(settings: LintOptions['rules'] = {}): ActiveRule[] {
  return RULES.flatMap((rule) => {
    const setting = settings[rule.id];
    if (setting === 'off' || (rule.defaultOff && setting === undefined)) return [];
    return [{ rule, severity: setting === undefined || setting === 'on' ? rule.severity : setting }];
  });
}

function findingOf(
  active: ActiveRule,
  hit: Hit,
  statement: LintStatement,
  script: LintScript,
  live: LiveFacts | undefined,
): Finding {
  const place = statement.placeOf(hit.location);
  const size = hit.table && live ? live.sizeOf(hit.table) : undefined;
  const empty = size !== undefined && size.rows === 0;
  return {
    rule: active.rule.id,
    severity: empty ? 'info' : (hit.severity ?? active.severity),
    path: script.path,
    line: place.line,
    column: place.column,
    message: size ? `${hit.message} (${describeSize(size)})` : hit.message,
    ...(hit.lock ? { lock: { ...hit.lock, blocks: blockedBy(hit.lock.mode) } } : {}),
    ...(hit.table ? { table: relationKey(hit.table) } : {}),
    ...(size ? { size } : {}),
    why: active.rule.why,
    ...(hit.rewrite ? { rewrite: hit.rewrite } : {}),
    statement: statement.text,
  };
}

/** `~48 M rows, 6.1 GB`; `empty` for a table without rows. */
export function describeSize(size: TableSize): string {
  if (size.rows === 0) return 'empty table';
  const rows = size.rows < 0 ? 'never analysed' : `~${compact(size.rows)} rows`;
  return `${rows}, ${bytes(size.bytes)}`;
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
