/**
 * `verify` with `"lint": {"inVerify": true}`: lint's findings after
 * verify's report (human, github) and under `lint` in its `--json`. Pure.
 */
import type { VerifyReport } from '../migrator';
import { renderLintGithub } from './render-lint-ci';
import { lintDocument } from './render-lint-json';
import { renderLint } from './render-lint';

/** verify's document with `lint` (lint's `--json` document) added. */
export function withLintDocument(document: object, report: VerifyReport): object {
  return report.lint ? { ...document, lint: lintDocument(report.lint) } : document;
}

/** verify's text, then lint's in the same format. */
export function withLintText(text: string, report: VerifyReport, format: string, dir: string): string {
  if (!report.lint) return text;
  const lint = format === 'github' ? renderLintGithub(report.lint, dir) : renderLint(report.lint, dir);
  return `${text}\n${format === 'github' ? '' : '\n'}${lint}`;
}
