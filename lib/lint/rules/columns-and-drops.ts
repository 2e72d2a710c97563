/**
 * The rules of the NOT NULL, columns, renames-drops, lock-timeout, enums and
 * hygiene families, in the order the README lists them.
 */
import type { Rule } from '../types';
import { dropCascadeRule, dropDatabaseRule, truncateCascadeRule } from './cascade';
import { serialColumnRule, storedGeneratedRule, volatileDefaultRule } from './column-defaults';
import { alterColumnTypeRule } from './column-type';
import { addEnumValueRule } from './enum-value';
import { preferBigintKeyRule, preferIdentityRule, preferTextRule, preferTimestamptzRule } from './hygiene';
import { lockTimeoutRule } from './lock-timeout';
import { addColumnNotNullRule, setNotNullRule } from './not-null';
import { dropColumnRule, dropTableRule, renameColumnRule, renameTableRule } from './renames-drops';

export const COLUMN_AND_DROP_RULES: readonly Rule[] = [
  addColumnNotNullRule,
  setNotNullRule,
  volatileDefaultRule,
  serialColumnRule,
  storedGeneratedRule,
  alterColumnTypeRule,
  renameColumnRule,
  renameTableRule,
  dropColumnRule,
  dropTableRule,
  dropCascadeRule,
  truncateCascadeRule,
  dropDatabaseRule,
  lockTimeoutRule,
  addEnumValueRule,
  preferTimestamptzRule,
  preferTextRule,
  preferBigintKeyRule,
  preferIdentityRule,
];
