import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** Options every command accepts. */
export const globalOptions = {
  url: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Parses a command's arguments strictly (unknown options are usage errors) with the global options
 * added, typed from the option table.
 * @example const { values, positionals } = parseCommand(args, { all: { type: "boolean" } });
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...globalOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0] : String(error));
  }
}

/** A positive integer argument (an id, a page size); anything else is a usage error naming it. */
export function parsePositiveInt(value: string | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`Missing ${name}`);
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  }
  return number;
}

/** Like parsePositiveInt, for an option that may be absent. */
export function parseOptionalInt(value: string | undefined, name: string): number | undefined {
  return value === undefined ? undefined : parsePositiveInt(value, name);
}

/** The single positional argument after the command words (`users get 7` → "7"), or a usage error. */
export function takeOne(positionals: string[], skip: number, name: string): string {
  const rest = positionals.slice(skip);
  if (rest.length === 0) throw new UsageError(`Missing ${name}`);
  if (rest.length > 1) throw new UsageError(`Unexpected argument "${rest[1]}"`);
  return rest[0] ?? "";
}

/** Refuses extra positional arguments after the command words. */
export function expectNoMore(positionals: string[], skip: number): void {
  const extra = positionals[skip];
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}"`);
}
