import type { ParseArgsOptionsConfig } from "node:util";
import { parseCommand } from "./args.ts";
import type { Context } from "./context.ts";

/** A command as the dispatcher sees it: the words that name it, its help, and how to run it. */
export type Command = {
  words: ReadonlyArray<string>;
  usage: string;
  summary: string;
  /** Options that take a value, so the dispatcher does not mistake the value for a command word. */
  valueOptions: ReadonlyArray<string>;
  needsClient: boolean;
  /** Runs with the whole argument list and resolves with the exit code. */
  run(context: Context, args: string[]): Promise<number>;
};

type CommandSpec<O extends ParseArgsOptionsConfig> = {
  /** `"users list"` */
  words: string;
  usage: string;
  summary: string;
  options: O;
  needsClient?: boolean;
  run(context: Context, parsed: ReturnType<typeof parseCommand<O>>): Promise<number>;
};

/** Declares a command whose `run` gets its options parsed and typed from its own option table. */
export function defineCommand<const O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>): Command {
  return {
    words: spec.words.split(" "),
    usage: spec.usage,
    summary: spec.summary,
    valueOptions: Object.entries(spec.options).flatMap(([name, option]) =>
      option.type === "string" ? [name] : [],
    ),
    needsClient: spec.needsClient ?? true,
    run: (context, args) => spec.run(context, parseCommand(args, spec.options)),
  };
}
