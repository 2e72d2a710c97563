/** Every lint rule, in the order the README lists them. One rule (or one small family) per file. */
import type { Rule } from '../types';
import { createIndexRule } from './create-index';

export const RULES: readonly Rule[] = [createIndexRule];
