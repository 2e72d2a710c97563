/**
 * Which targets run, and in which phase: this process's shard (a stable
 * hash of the name), `--only failed`, the canary, the waves. Pure.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors';
import type { FleetTarget } from './types';

/** The shard (0-based) a target name belongs to among `count`: stable across runs, machines and list orders. */
export function shardOf(name: string, count: number): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

const INTEGER = /^\d+$/;

/**
 * `--shard-index I --shard-count N`; the index defaults to
 * `$JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job sets it in each pod).
 * Undefined when no count is given (no sharding).
 * @throws ConfigError for a bad number, an index without a count, I ≥ N.
 */
export function resolveShard(
  flags: { readonly index?: number | string; readonly count?: number | string },
  env: NodeJS.ProcessEnv,
): { readonly index: number; readonly count: number } | undefined {
  const fromEnv = env.JOB_COMPLETION_INDEX;
  if (flags.count === undefined) {
    if (flags.index !== undefined)
      throw new ConfigError("--shard-index needs --shard-count N (the number of shards, e.g. the Job's completions).");
    return undefined;
  }
  const count = wholeNumber(flags.count, '--shard-count');
  if (count < 1) throw new ConfigError(`--shard-count must be 1 or more (got ${count}).`);
  const indexRaw = flags.index ?? fromEnv;
  if (indexRaw === undefined || indexRaw === '')
    throw new ConfigError('--shard-count needs --shard-index I (or $JOB_COMPLETION_INDEX, which an Indexed Job sets).');
  const index = wholeNumber(indexRaw, flags.index === undefined ? '$JOB_COMPLETION_INDEX' : '--shard-index');
  if (index >= count)
    throw new ConfigError(
      `--shard-index ${index} is out of range for --shard-count ${count}: shards are numbered 0 to ${count - 1}.`,
    );
  return { index, count };
}

function wholeNumber(raw: number | string, origin: string): number {
  const text = String(raw).trim();
  if (!INTEGER.test(text)) throw new ConfigError(`${origin} must be a whole number, 0 or more (got "${raw}").`);
  return Number(text);
}

/** This shard's targets, in list order. */
export function selectShard<T extends FleetTarget>(
  targets: readonly T[],
  shard?: { index: number; count: number },
): T[] {
  return shard === undefined ? [...targets] : targets.filter((t) => shardOf(t.name, shard.count) === shard.index);
}

export type LabelSelector = readonly (readonly [key: string, value: string])[];

/** `tier=canary` or `tier=canary,region=eu` (or `&`: every pair must match). @throws ConfigError naming `flag`. */
export function parseSelector(text: string, flag: string): LabelSelector {
  const pairs = text.split(/[,&]/).map((part) => {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || key === '')
      throw new ConfigError(
        `${flag} "${text}": expected key=value label pairs (e.g. tier=canary), separated by commas.`,
      );
    return [key, part.slice(eq + 1).trim()] as const;
  });
  return pairs;
}

export const matches = (t: FleetTarget, selector: LabelSelector): boolean =>
  selector.every(([k, v]) => t.labels[k] === v);

/**
 * `--canary N` (the first N targets) or `--canary key=value`, from `targets`
 * (this shard's share, or `--only failed`'s). A selector must match a target
 * of the whole list `all`; a share that holds none simply has no canary
 * phase (an Indexed Job's pods do not fail for want of a canary of their own).
 * @throws ConfigError for a bad selector, or one that matches nothing in `all`.
 */
export function selectCanary<T extends FleetTarget>(
  targets: readonly T[],
  canary: string,
  all: readonly FleetTarget[] = targets,
): T[] {
  const text = canary.trim();
  if (INTEGER.test(text)) {
    const n = Number(text);
    if (n < 1)
      throw new ConfigError(
        '--canary 0 picks nothing: give a count of 1 or more, or a label selector such as tier=canary.',
      );
    return targets.slice(0, n);
  }
  const selector = parseSelector(text, '--canary');
  const chosen = targets.filter((t) => matches(t, selector));
  if (chosen.length === 0 && all.length > 0 && !all.some((t) => matches(t, selector)))
    throw new ConfigError(
      `--canary ${text} matches no target; label one (e.g. "labels": {"${selector[0][0]}": "${selector[0][1]}"}) or give a count.`,
    );
  return chosen;
}

export interface Phase<T> {
  /** 'canary', 'wave 1', … */
  readonly name: string;
  readonly targets: readonly T[];
}

/**
 * Splits `targets` into waves: cumulative shares (`10%,50%,100%`, the last
 * must be 100%) or label selectors in order (`ring=0,ring=1`; targets no
 * selector matches make a last wave). One wave when `waves` is absent.
 * @throws ConfigError for a share out of order or a mix of the two forms.
 */
export function splitWaves<T extends FleetTarget>(targets: readonly T[], waves?: readonly string[]): Phase<T>[] {
  const specs = (waves ?? []).map((w) => w.trim()).filter((w) => w !== '');
  if (specs.length === 0) return [{ name: 'wave 1', targets }];
  const percent = specs.filter((w) => w.endsWith('%'));
  if (percent.length === specs.length) return byShares(targets, specs);
  if (percent.length > 0)
    throw new ConfigError(
      `--waves ${specs.join(',')}: give shares (10%,50%,100%) or label selectors (ring=0,ring=1), not both.`,
    );
  return byLabels(targets, specs);
}

function byShares<T>(targets: readonly T[], specs: readonly string[]): Phase<T>[] {
  let previous = 0;
  const cuts = specs.map((spec) => {
    const share = Number(spec.slice(0, -1));
    if (!Number.isFinite(share) || share <= previous || share > 100)
      throw new ConfigError(
        `--waves ${specs.join(',')}: shares are cumulative and rising, each above the last and at most 100% (at "${spec}").`,
      );
    previous = share;
    return share;
  });
  if (previous !== 100)
    throw new ConfigError(`--waves ${specs.join(',')}: the last wave must be 100% (or the rest would never run).`);
  const phases: Phase<T>[] = [];
  let from = 0;
  for (const share of cuts) {
    const to = Math.max(from, Math.min(targets.length, Math.ceil((targets.length * share) / 100)));
    if (to > from) phases.push({ name: `wave ${phases.length + 1}`, targets: targets.slice(from, to) });
    from = to;
  }
  return phases;
}

function byLabels<T extends FleetTarget>(targets: readonly T[], specs: readonly string[]): Phase<T>[] {
  const selectors = specs.map((s) => parseSelector(s, '--waves'));
  const waves: T[][] = specs.map(() => []);
  const rest: T[] = [];
  for (const t of targets) {
    const i = selectors.findIndex((s) => matches(t, s));
    (i < 0 ? rest : waves[i]).push(t);
  }
  const phases = waves.map((w, i) => ({ name: `wave ${i + 1} (${specs[i]})`, targets: w as readonly T[] }));
  if (rest.length > 0) phases.push({ name: `wave ${phases.length + 1} (the rest)`, targets: rest });
  return phases.filter((p) => p.targets.length > 0);
}
