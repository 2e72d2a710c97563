/**
 * Typed errors. Library code throws these; only `cli/main.ts` catches them,
 * prints them once and exits with their `exitCode` (SPEC §6), which the one
 * table in exit-codes.ts gives each error code.
 */
export * from './exit-codes';
export * from './base';
export * from './config';
export * from './scripts';
export * from './database';
export * from './migration';
export * from './transaction-ended';
export * from './interrupted';
export * from './adopt';
