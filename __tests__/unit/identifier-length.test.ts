/**
 * PostgreSQL keeps the first 63 bytes of a name and drops the rest (issue
 * 13): a longer --schema or --table would be cut by the server but not by
 * tidemark's lock key, and a cut `<table>_audit` could land on the ledger.
 * Such names are refused before connecting, naming where they came from.
 */
import { resolveConfig, type ConfigFlags } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

function refusal(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = {},
  file?: { path: string; content: unknown },
): ConfigError {
  try {
    resolveConfig(flags, env, file);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('resolveConfig accepted the name');
}

const bytes = (n: number, unit = 'a') => unit.repeat(n);

describe('--schema', () => {
  it('takes 63 bytes', () => {
    expect(resolveConfig({ schema: bytes(63) }, {}).config.schema).toBe(bytes(63));
  });

  it('refuses 64, naming the flag, the length and the limit', () => {
    const err = refusal({ schema: bytes(64) });
    expect(err).toMatchObject({ code: 'config', exitCode: 2 });
    expect(err.message).toContain('--schema');
    expect(err.message).toContain('is 64 bytes long');
    expect(err.message).toContain('at most 63 bytes');
  });

  it('counts bytes, not characters: 32 two-byte letters are 64 bytes', () => {
    expect(refusal({}, { TIDEMARK_SCHEMA: bytes(32, 'é') }).message).toContain('$TIDEMARK_SCHEMA');
    expect(resolveConfig({}, { TIDEMARK_SCHEMA: bytes(31, 'é') }).config.schema).toBe(bytes(31, 'é'));
  });
});

describe('--table', () => {
  it('takes 57 bytes, so that <table>_audit fits in 63', () => {
    expect(resolveConfig({ table: bytes(57) }, {}).config.table).toBe(bytes(57));
  });

  it('refuses 58, naming the audit table it would need', () => {
    const err = refusal({ table: bytes(58) });
    expect(err.message).toContain('--table');
    expect(err.message).toContain(`"${bytes(58)}_audit" (64 bytes)`);
    expect(err.message).toContain('at most 57 bytes');
  });

  it('names the variable and the config file key', () => {
    expect(refusal({}, { TIDEMARK_TABLE: bytes(70) }).message).toContain('$TIDEMARK_TABLE');
    const err = refusal(
      {},
      {},
      { path: 'tidemark.config.json', content: { environments: { prod: { table: bytes(60) } } } },
    );
    expect(err.message).toContain('environments.prod.table in tidemark.config.json');
    expect(err.facts).toMatchObject({ file: 'tidemark.config.json', key: 'environments.prod.table' });
  });
});
