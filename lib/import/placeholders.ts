/**
 * Flyway's `${name}` placeholders (prefix `${`, suffix `}`, Flyway's
 * defaults), replaced everywhere in a script as Flyway does, comments and
 * strings included. Pure.
 */

const PLACEHOLDER = /\$\{([^${}\s]+)\}/g;

export interface Replaced {
  readonly text: string;
  /** Each placeholder without a value, once, with the line it is first on. */
  readonly missing: readonly { readonly name: string; readonly line: number }[];
}

/** Replaces `${name}` from `given`, then from `builtIn`; lists those neither has. */
export function replacePlaceholders(
  text: string,
  given: ReadonlyMap<string, string>,
  builtIn: Readonly<Record<string, string>>,
): Replaced {
  const missing = new Map<string, number>();
  const replaced = text.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    const value = given.get(name) ?? builtIn[name];
    if (value !== undefined) return value;
    if (!missing.has(name)) missing.set(name, lineAt(text, offset));
    return whole;
  });
  return { text: replaced, missing: [...missing].map(([name, line]) => ({ name, line })) };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * `--placeholder` values (`name=value`, repeatable) as a map.
 * @returns the reason instead for a value without `=` or with an empty name.
 */
export function parsePlaceholders(values: readonly string[]): Map<string, string> | { readonly problem: string } {
  const map = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) return { problem: `--placeholder needs NAME=VALUE (got "${value}")` };
    map.set(value.slice(0, at), value.slice(at + 1));
  }
  return map;
}
