/** Every lint rule, in the order the README lists them. One rule (or one small family) per file. */
import type { Rule } from '../types';
import { createIndexRule } from './create-index';
// rules-b: NOT NULL, columns, renames/drops, lock_timeout, enums, hygiene
import { COLUMN_AND_DROP_RULES } from './columns-and-drops';

export const RULES: readonly Rule[] = [
  createIndexRule,
  // rules-b: NOT NULL, columns, renames/drops, lock_timeout, enums, hygiene
  ...COLUMN_AND_DROP_RULES,
];
