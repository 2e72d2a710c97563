/**
 * The use cases, one per file, and the only modules that import source/,
 * plan/ and db/ together. Each reads as its sequence: scan → validate →
 * session (lock) → read the ledger → guard → plan → check the plan →
 * execute → report.
 */
export * from './apply';
export * from './rollback';
export * from './status';
export * from './verify';
export * from './lint';
export * from './repair';
export * from './baseline';
export * from './create';
export * from './test';
export * from './test-locks-only';
export { budgetOf, type LocksSection } from './test-locks';
export type { RunFlags, RunResult } from './run';
export type { RunContext } from './context';
export * from './fleet';
