// Flag parsing shared by every subcommand: `--help`/`-h` prints the subcommand's usage, and an unknown flag or
// a missing value is a UsageError that main() answers with the message and the usage text (exit code 2).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv strictly (values.help is set by --help or -h); throws UsageError. */
export function strictParse(argv: string[], options: Options, usage: string, allowPositionals = false): Parsed {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals }) as Parsed;
  } catch (e) {
    // node:util's messages name the flag ("Unknown option '--nope'"); its hints about '--' do not apply here.
    const msg = e instanceof Error ? e.message.split('. To specify')[0] ?? e.message : String(e);
    throw new UsageError(msg, usage);
  }
}

/** Parses argv strictly; undefined when help was asked for (and printed). */
export function parseOrUsage(argv: string[], options: Options, usage: string, allowPositionals = false): Parsed | undefined {
  const parsed = strictParse(argv, options, usage, allowPositionals);
  if (parsed.values.help) {
    process.stdout.write(usage + '\n');
    return undefined;
  }
  return parsed;
}

/**
 * The version of the package this code ships in: the nearest package.json named localrds above this module, so
 * that it is found from dist/src/cli, from a bundle and from an installed node_modules/localrds alike.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'localrds' && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
