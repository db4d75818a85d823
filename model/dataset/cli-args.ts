/**
 * Command-line plumbing shared by the dataset commands: options declared once (for
 * parsing, defaults and the usage text), values validated by a zod schema, and one
 * exit-code policy: 2 for bad usage with a message naming the option, 1 for failures.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in the usage text for string options, e.g. "N" or "DIR". */
  value?: string;
  default?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

const NUMBER_FORMATS = {
  integer: { pattern: /^\d+$/, hint: 'must be a whole number' },
  decimal: { pattern: /^\d+(\.\d+)?$/, hint: 'must be a number like 0.1' },
} as const;

/** A non-negative number option in [min, max] (given as text on the command line). */
export function numberOption(
  min: number,
  max: number,
  format: keyof typeof NUMBER_FORMATS = 'integer',
) {
  const { pattern, hint } = NUMBER_FORMATS[format];
  return z
    .string()
    .regex(pattern, hint)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/**
 * Parses `argv` against `specs` and validates it with `schema`; throws UsageError with
 * a message that names the offending option and value. `--help` is handled by runMain.
 */
export function parseOptions<T>(argv: string[], specs: OptionSpecs, schema: z.ZodType<T>): T {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: specs, strict: true, allowPositionals: false }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`${message}; known options: ${optionNames(specs).join(', ')}`);
    }
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(message);
    throw error;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const given = values[name];
      return given === undefined
        ? `--${name} is required`
        : `--${name} ${issue.message} (got "${String(given)}")`;
    });
    throw new UsageError(problems.join('\n'));
  }
  return parsed.data;
}

function optionNames(specs: OptionSpecs): string[] {
  return [...Object.keys(specs), 'help'].map((name) => `--${name}`);
}

export function usageText(command: string, summary: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
    const fallback = spec.default === undefined ? '' : ` (default ${spec.default})`;
    return `  ${flag.padEnd(22)} ${spec.description}${fallback}`;
  });
  return [
    `usage: ${command} [options]`,
    '',
    summary,
    '',
    ...rows,
    '  --help'.padEnd(25) + 'show this help',
  ].join('\n');
}

/**
 * Runs a command's main function with the shared exit-code policy. `--help` anywhere
 * prints the usage and exits 0.
 */
export function runMain(usage: string, main: (argv: string[]) => Promise<void> | void): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  Promise.resolve()
    .then(() => main(argv))
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`error: ${error.message}\n(run with --help for usage)\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}
