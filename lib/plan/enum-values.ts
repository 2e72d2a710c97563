/**
 * New enum values used in the transaction that added them. PostgreSQL lets
 * `ALTER TYPE … ADD VALUE` run inside a transaction block (since 12), but
 * refuses to use the new value before that transaction commits: "unsafe use
 * of new value" (SQLSTATE 55P04). With `--single-transaction` the whole
 * batch is one transaction, so a migration that adds a value and a later one
 * that inserts it fail together, mid-deploy, though each works on its own.
 * Pure: the SQL lexer only.
 *
 * A quoted literal equal to the new label is taken as a use. That can be
 * wrong both ways (`'happy'::text` is no use of the enum; a use inside a
 * function body runs only when the function is called), so this warns
 * before anything runs and does not refuse the run.
 */
import { isAddEnumValue } from '../sql/classify';
import type { Statement } from '../sql/lexer';
import { significantTokens, tokens } from '../sql/tokens';
import type { Plan, Script, Step } from '../types';

/** Where a script adds a value, or uses it. */
export interface ScriptLine {
  readonly path: string;
  readonly line: number;
}

/** A value added to an enum and used later in the same transaction. */
export interface EnumValueHazard {
  /** The type as written in the ALTER TYPE (`public.mood`, `"Mood"`). */
  readonly type: string;
  readonly label: string;
  readonly added: ScriptLine;
  readonly used: ScriptLine;
  /**
   * The type was created earlier in the same transaction: PostgreSQL 17 and
   * later accept the use then (the caller, which knows the server, drops it).
   */
  readonly typeCreatedHere: boolean;
  /** The sentence for the log: both places, why, and what to do. */
  readonly message: string;
}

interface Added extends ScriptLine {
  readonly type: string;
  readonly label: string;
  readonly version: bigint;
  readonly typeCreatedHere: boolean;
}

/** Cheap test before lexing: no script without these words adds a value. */
const ADD_VALUE_HINT = /\badd\s+value\b/i;

/**
 * The uses of a new enum value in the transaction that added it: within one
 * transactional script, and with `singleTransaction` across the whole plan.
 * Scripts marked `-- tidemark:no-transaction` commit each statement, so they
 * are left out (and `--single-transaction` refuses them anyway).
 */
export function enumValueHazards(plan: Plan, singleTransaction: boolean): EnumValueHazard[] {
  const steps = plan.steps.filter((s) => !s.pair[s.direction].directives.noTransaction);
  const transactions = singleTransaction ? [steps] : steps.map((s) => [s]);
  return transactions.flatMap((batch) => hazardsIn(batch, singleTransaction));
}

const mayAdd = (script: Script) => script.body.mentions(ADD_VALUE_HINT);

function hazardsIn(steps: readonly Step[], batch: boolean): EnumValueHazard[] {
  if (!steps.some((s) => mayAdd(s.pair[s.direction]))) return [];
  const hazards: EnumValueHazard[] = [];
  const added: Added[] = [];
  const created = new Set<string>(); // enum types created in this transaction, by typeKey
  const reported = new Set<Added>(); // each new value once, at its first use
  for (const { pair, direction } of steps) {
    const script = pair[direction];
    const statements = added.length > 0 || mayAdd(script) || mayCreate(script) ? script.body.statements() : [];
    for (const statement of statements) {
      const at = { path: script.path, line: statement.line };
      const enumType = createdEnum(statement);
      if (enumType) created.add(enumType);
      if (isAddEnumValue(statement)) {
        const value = addedValue(statement);
        if (value)
          added.push({ ...at, ...value, version: pair.version, typeCreatedHere: created.has(typeKey(value.type)) });
        continue; // `ADD VALUE 'b' AFTER 'a'` may name a value added just before: not a use
      }
      for (const a of added) {
        if (reported.has(a) || !usesLabel(statement, a.label)) continue;
        reported.add(a);
        hazards.push(hazard(a, at, batch));
      }
    }
  }
  return hazards;
}

const CREATE_ENUM_HINT = /\bas\s+enum\b/i;
const mayCreate = (script: Script) => script.body.mentions(CREATE_ENUM_HINT);

/** The type `CREATE TYPE name AS ENUM (…)` creates (typeKey), or null. */
function createdEnum(statement: Statement): string | null {
  const words = significantTokens(statement.text, 8);
  if (words[0]?.text.toLowerCase() !== 'create' || words[1]?.text.toLowerCase() !== 'type') return null;
  const as = words.findIndex((t, i) => i > 2 && t.text.toLowerCase() === 'as');
  if (as < 0 || words[as + 1]?.text.toLowerCase() !== 'enum') return null;
  return typeKey(
    words
      .slice(2, as)
      .map((t) => t.text)
      .join(''),
  );
}

/**
 * A type's name to compare, as written: its last part, case-folded unless
 * quoted (the schema is left out: a script that creates the type names it
 * the way its ALTER does, or not at all).
 */
function typeKey(written: string): string {
  const last = written.match(/("(?:[^"]|"")*"|[^."]+)$/)?.[1] ?? written;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

/** The type and label of `ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' …`. */
function addedValue(statement: Statement): { type: string; label: string } | null {
  const words = significantTokens(statement.text, 16);
  const add = words.findIndex((t, i) => i > 2 && t.text.toLowerCase() === 'add');
  if (add < 0) return null;
  const type = words
    .slice(2, add)
    .map((t) => t.text)
    .join('');
  const literal = words.slice(add + 2).find((t) => t.kind === 'string');
  const label = literal ? stringValue(literal.text) : null;
  return label === null ? null : { type, label };
}

/** Whether a string literal of `statement` spells `label`. */
function usesLabel(statement: Statement, label: string): boolean {
  if (!statement.text.includes(label.replace(/'/g, "''")) && !statement.text.includes(label)) return false;
  for (const token of tokens(statement.text))
    if (token.kind === 'string' && stringValue(token.text) === label) return true;
  return false;
}

/** The value of a `'…'` or `E'…'` literal; null for other forms (`U&'…'`, bit strings). */
function stringValue(text: string): string | null {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (/^[eE]'/.test(text)) return text.slice(2, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1');
  return null;
}

function hazard(added: Added, used: ScriptLine, batch: boolean): EnumValueHazard {
  const same = added.path === used.path;
  const where = same
    ? `later in ${used.path} (line ${used.line})`
    : `${used.path}:${used.line}, later in the same --single-transaction batch,`;
  const fix = same
    ? `Move the statements that use it to a later migration: each migration commits before the next one starts.`
    : `Apply up to it first (\`tidemark apply --single-transaction --target ${added.version}\`), then the rest; or apply without --single-transaction.`;
  const message =
    `${added.path}:${added.line} adds the value '${added.label}' to the enum ${added.type}, and ${where} uses '${added.label}'. ` +
    `PostgreSQL refuses a new enum value in the transaction that added it ("unsafe use of new value", SQLSTATE 55P04), ` +
    `so this ${batch ? 'batch' : 'migration'} will likely fail and roll back whole. ${fix}`;
  return {
    type: added.type,
    label: added.label,
    added: { path: added.path, line: added.line },
    used,
    typeCreatedHere: added.typeCreatedHere,
    message,
  };
}
