/**
 * Is a DEFAULT expression volatile? Since PostgreSQL 11, ADD COLUMN with a
 * non-volatile default is catalog-only (the value is computed once and
 * stored in pg_attribute); a VOLATILE one is computed per row, which
 * rewrites the table. Without a database tidemark cannot read
 * `pg_proc.provolatile`, so it knows the built-in and common-extension
 * functions listed here (checked against pg_proc) and calls the rest unknown.
 */

/** Functions whose `provolatile` is 'v': each row gets its own value. */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'gen_salt',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'currval',
  'lastval',
  'setval',
  'pg_sleep',
]);

/**
 * Functions that are STABLE or IMMUTABLE: evaluated once by ADD COLUMN on
 * PostgreSQL 11+. `now()` is STABLE (the transaction's start time), so
 * `DEFAULT now()` is catalog-only; `clock_timestamp()` is not.
 */
export const NON_VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_setting',
  'lower',
  'upper',
  'btrim',
  'ltrim',
  'rtrim',
  'concat',
  'concat_ws',
  'format',
  'length',
  'md5',
  'replace',
  'substr',
  'substring',
  'to_char',
  'to_date',
  'to_number',
  'to_timestamp',
  'date_trunc',
  'date_part',
  'extract',
  'make_date',
  'make_time',
  'make_timestamp',
  'make_timestamptz',
  'make_interval',
  'timezone',
  'age',
  'abs',
  'round',
  'floor',
  'ceil',
  'jsonb_build_object',
  'jsonb_build_array',
  'json_build_object',
  'json_build_array',
  'to_json',
  'to_jsonb',
  'array_fill',
  'txid_current',
  'pg_current_xact_id',
  'uuid_nil',
]);

export type Volatility =
  | { readonly kind: 'stable' }
  | { readonly kind: 'volatile' | 'unknown'; readonly fn: string; readonly location?: number };

interface FuncCallNode {
  readonly funcname?: unknown[];
  readonly args?: unknown[];
  readonly location?: number;
}

/** The function's own name, lower case (`pg_catalog.now` → `now`). */
function functionName(call: FuncCallNode): string {
  const names = (call.funcname ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
  return (names[names.length - 1] ?? '').toLowerCase();
}

/**
 * The volatility of an expression: `volatile` when it calls a known volatile
 * function, else `unknown` when it calls a function tidemark does not know,
 * else `stable` (constants, casts, operators, CURRENT_TIMESTAMP and known functions).
 */
export function volatilityOf(expr: unknown): Volatility {
  let unknown: Volatility | undefined;
  let volatile: Volatility | undefined;
  const visit = (node: unknown): void => {
    if (volatile) return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'FuncCall') {
        const call = value as FuncCallNode;
        const fn = functionName(call);
        if (VOLATILE_FUNCTIONS.has(fn)) volatile = { kind: 'volatile', fn, location: call.location };
        else if (!NON_VOLATILE_FUNCTIONS.has(fn)) unknown ??= { kind: 'unknown', fn, location: call.location };
        visit(call.args);
      } else visit(value);
    }
  };
  visit(expr);
  return volatile ?? unknown ?? { kind: 'stable' };
}
