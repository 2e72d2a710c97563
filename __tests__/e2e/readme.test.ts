/**
 * The README against the CLI: every command it names exists, every flag it
 * names for a command is in that command's --help, every flag it names at
 * all belongs to some command (or to another tool, listed below), and every
 * command runs once on a scratch database as the README describes it.
 */
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/db';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';
import { ledgerVersions } from '../helpers/inspect';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Flags of other tools that the README shows next to tidemark's: docker run, buildah bud, npm run bench, pg_repack. */
const FOREIGN_FLAGS = new Set([
  '--rm',
  '--expose-gc', // node's, for bench/fleet-heap.js
  '--network',
  '--isolation',
  '--quick',
  '--only',
  '--no-peers',
  '--keep',
  '--runs', // bench/run.js's
  '--no-order',
  '--table',
]);

/** A place where the README names a command, with the flags it gives it there. */
interface Mention {
  readonly command: string;
  readonly flags: readonly string[];
  readonly where: string;
}

const FLAG = /(?:^|[\s[(|`])(--[a-z][a-z-]*)/g;
/** A table row's first cell (`\|` inside it is an escaped pipe). */
const FIRST_CELL = /^\| ((?:[^|\\]|\\.)*?) \|/;
const flagsIn = (text: string) => [...text.matchAll(FLAG)].map((m) => m[1]);

/**
 * The README's code: lines of fenced blocks (shell comments cut), inline
 * code spans (which may run over a line break), and `*tidemark …*` in the
 * bench tables.
 */
function codeTexts(markdown: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = markdown.split('\n');
  let prose: { text: string; line: number }[] = [];
  const flushProse = () => {
    const text = prose.map((p) => p.text).join('\n');
    const lineAt = (offset: number) => prose[text.slice(0, offset).split('\n').length - 1].line;
    for (const m of text.matchAll(/`([^`]+)`|\*(tidemark [^*\n]+)\*/g))
      out.push({ text: (m[1] ?? m[2]).replace(/\s+/g, ' '), line: lineAt(m.index ?? 0) });
    prose = [];
  };
  let fenced = false;
  lines.forEach((raw, i) => {
    if (raw.trimStart().startsWith('```')) {
      if (!fenced) flushProse();
      fenced = !fenced;
    } else if (fenced) {
      out.push({ text: raw.replace(/\s#\s.*$/, ''), line: i + 1 });
    } else {
      prose.push({ text: raw, line: i + 1 });
    }
  });
  flushProse();
  return out;
}

/** `tidemark <command> …flags` anywhere in the code, and spans that start with a command name and a flag (`apply --dry-run`). */
function invocations(commands: readonly string[]): Mention[] {
  const mentions: Mention[] = [];
  for (const { text, line } of codeTexts(README)) {
    const parts = text.split(/(?:^|[\s/"'])tidemark (?=[a-z])/).slice(1);
    for (const part of parts) {
      const [command] = part.split(/[^a-z-]/);
      mentions.push({
        command,
        flags: flagsIn(part.slice(command.length)),
        where: `README.md:${line}: ${text.trim()}`,
      });
    }
    const bare = /^([a-z]+) (--.*)$/.exec(text.trim());
    if (bare && commands.includes(bare[1]) && parts.length === 0)
      mentions.push({ command: bare[1], flags: flagsIn(` ${bare[2]}`), where: `README.md:${line}: ${text}` });
  }
  return mentions;
}

/** The first column of the flag tables in each command's section (`### \`tidemark apply\``, `## Proving rollbacks: \`tidemark test\``). */
function sectionTables(): Mention[] {
  const mentions: Mention[] = [];
  let section: { command: string; level: number } | null = null;
  README.split('\n').forEach((raw, i) => {
    const heading = /^(#{2,4}) (.*)$/.exec(raw);
    if (heading) {
      const level = heading[1].length;
      const command = /`tidemark ([a-z]+)/.exec(heading[2])?.[1];
      if (command) section = { command, level };
      else if (section && level <= section.level) section = null;
      return;
    }
    const cell = FIRST_CELL.exec(raw);
    if (section && cell && cell[1].trim().startsWith('`--')) {
      mentions.push({
        command: section.command,
        flags: flagsIn(cell[1]),
        where: `README.md:${i + 1}: ${raw.slice(0, 80)}`,
      });
    }
  });
  return mentions;
}

/** The flags of the "Every command takes" table. */
function globalFlags(): string[] {
  const start = README.indexOf('Every command takes:');
  const table = README.slice(start, README.indexOf('\n\n', README.indexOf('| ---', start)));
  return table
    .split('\n')
    .filter((l) => l.startsWith('| `--'))
    .flatMap((l) => flagsIn(FIRST_CELL.exec(l)![1]));
}

let commands: string[];
const helpFlags = new Map<string, Set<string>>();

beforeAll(async () => {
  const help = await runCli(['--help']);
  commands = [...help.stdout.matchAll(/^ {2}tidemark ([a-z]+)/gm)].map((m) => m[1]);
  for (const command of commands) {
    const { stdout } = await runCli([command, '--help']);
    helpFlags.set(command, new Set([...stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1])));
  }
}, 60_000);

describe('the README names only what the CLI has', () => {
  test('the parser finds what it should (a sanity check of this test itself)', () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        'status',
        'apply',
        'rollback',
        'create',
        'verify',
        'repair',
        'baseline',
        'config',
        'test',
        'lint',
      ]),
    );
    expect(invocations(commands)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ command: 'apply', flags: ['--dry-run', '--sql'] }),
        expect.objectContaining({ command: 'repair', flags: ['--version', '--reason'] }),
        expect.objectContaining({ command: 'rollback', flags: ['--resume'] }), // a span over a line break
      ]),
    );
    expect(
      sectionTables()
        .filter((m) => m.command === 'test')
        .flatMap((m) => m.flags),
    ).toEqual(expect.arrayContaining(['--from', '--strict', '--json']));
    expect(globalFlags()).toEqual(expect.arrayContaining(['--dir', '--url', '--log-format', '--help', '--version']));
  });

  test('every `tidemark <command>` is a command', () => {
    const unknown = invocations(commands)
      .filter((m) => !commands.includes(m.command))
      .map((m) => m.where);
    expect(unknown).toEqual([]);
  });

  test("every flag given to a command, in an example or in its section's table, is in that command's --help", () => {
    const missing = [...invocations(commands), ...sectionTables()]
      .filter((m) => commands.includes(m.command))
      .flatMap((m) =>
        m.flags
          .filter((f) => f !== '--version' && !helpFlags.get(m.command)!.has(f))
          .map((f) => `${m.command} ${f} (${m.where})`),
      );
    expect(missing).toEqual([]);
  });

  test("the flags every command takes are in every command's --help; --version prints the version after each but repair and baseline", async () => {
    const missing = commands.flatMap((c) =>
      globalFlags()
        .filter((f) => f !== '--version' && !helpFlags.get(c)!.has(f))
        .map((f) => `${c} ${f}`),
    );
    expect(missing).toEqual([]);
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const command of commands.filter((c) => c !== 'repair' && c !== 'baseline')) {
      expect({ command, out: (await runCli([command, '--version'])).stdout.trim() }).toEqual({ command, out: version });
    }
  });

  test('every flag the README shows anywhere belongs to some command (or to another tool it shows)', () => {
    const known = new Set([...helpFlags.values()].flatMap((s) => [...s]));
    const flags = codeTexts(README).flatMap(({ text, line }) =>
      flagsIn(text).map((flag) => ({ flag, where: `README.md:${line}` })),
    );
    expect(flags.filter(({ flag }) => !known.has(flag) && flag !== '--version' && !FOREIGN_FLAGS.has(flag))).toEqual(
      [],
    );
  });
});

describe('every command runs as the README says, on a scratch database', () => {
  let db: TestDatabase;
  let fresh: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    [db, fresh] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    dir = tempDir();
    cpSync(path.join(ROOT, 'sql'), path.join(dir, 'sql'), { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([db.drop(), fresh.drop()]);
    removeDir(dir);
  });

  const run = (args: string[], url = db.url) => runCli([...args, '--url', url], { cwd: dir, timeoutMs: 60_000 });

  test.each([
    [['config']],
    [['status']],
    [['verify', '--offline']],
    [['lint']],
    [['apply', '--dry-run']],
    [['apply', '--dry-run', '--sql']],
    [['apply', '--target', '4']],
    [['status', '--json']],
    [['apply']],
    [['verify']],
    [['repair']],
    [['rollback']],
    [['rollback', '--target', '0']],
    [['test', '--data']],
  ])(
    'tidemark %j exits 0',
    async (args) => {
      const { code, stderr } = await run(args);
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    },
    60_000,
  );

  test('the sequence left what it should: everything rolled back', async () => {
    expect(await ledgerVersions(db)).toEqual([]);
  });

  test('tidemark baseline --version 8 --reason … on a database whose schema exists', async () => {
    const { code } = await run(['baseline', '--version', '8', '--reason', 'adopted'], fresh.url);
    expect(code).toBe(0);
    expect(await ledgerVersions(fresh)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  test('the ledger table in the README lists every column of the real one', async () => {
    expect((await run(['apply', '--target', '1'])).code).toBe(0);
    const columns = (
      await db.query<{ name: string }>(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'tidemark_migrations' ORDER BY ordinal_position",
      )
    ).map((r) => r.name);
    const start = README.indexOf('**Ledger table**');
    const table = README.slice(start, README.indexOf('\n\n', README.indexOf('| ---', start)));
    const documented = new Set(
      [...table.matchAll(/^ *\| ([^|]*) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([a-z_]+)`/g)].map((c) => c[1])),
    );
    expect(columns.filter((c) => !documented.has(c))).toEqual([]);
    expect(columns).toContain('down_sql');
    expect((await run(['rollback'])).code).toBe(0);
  });

  test('the history-check example in the README is what apply prints for an edited script', async () => {
    const example = /^ {4}(modified {6}add_index \(version 4\):.*)$/m.exec(README)?.[1];
    expect(example).toBeDefined();
    const project = tempDir();
    const scratch = await createTestDatabase();
    try {
      writeMigrations(project, {
        '004_add_index.up.sql': 'CREATE TABLE t (i int);\n',
        '004_add_index.down.sql': 'DROP TABLE t;\n',
      });
      expect((await runCli(['apply', '--dir', project, '--url', scratch.url])).code).toBe(0);
      writeMigrations(project, { '004_add_index.up.sql': 'CREATE TABLE t (i bigint);\n' });
      const { code, stderr } = await runCli(['apply', '--dir', project, '--url', scratch.url]);
      expect(code).toBe(3);
      expect(stderr.split('\n').map((l) => l.trim())).toContain(example);
    } finally {
      removeDir(project);
      await scratch.drop();
    }
  });

  test('tidemark create NAME, in a project without sql/ yet', async () => {
    const project = tempDir();
    try {
      const { code, stdout } = await runCli(['create', 'add_molecule_synonyms'], { cwd: project });
      expect(code).toBe(0);
      expect(stdout).toBe(
        `${path.join('sql', '001_add_molecule_synonyms.up.sql')}\n${path.join('sql', '001_add_molecule_synonyms.down.sql')}\n`,
      );
    } finally {
      removeDir(project);
    }
  });

  test("the admin URL works for test as the README shows it (--url of the server's postgres database)", async () => {
    const { code } = await runCli(['test', '--dir', path.join(dir, 'sql'), '--url', ADMIN_URL, '--quiet'], {
      timeoutMs: 60_000,
    });
    expect(code).toBe(0);
  }, 60_000);
});
