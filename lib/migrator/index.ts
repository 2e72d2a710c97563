/**
 * The use cases, and the only modules that import source/, plan/ and db/.
 */
export * from './run';
export * from './history';
export * from './roundtrip';
export type { RunContext } from './context';
