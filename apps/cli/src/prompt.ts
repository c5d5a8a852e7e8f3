import { StringDecoder } from "node:string_decoder";
import type { Input, Output } from "./context.ts";
import { Cancelled, UsageError } from "./errors.ts";

/**
 * Asks for one line on a terminal, in raw mode so that the CLI decides what is echoed: the typed
 * characters, or nothing at all when `hidden` (a password). Enter ends the line; Backspace and
 * Ctrl-U edit it; Ctrl-C, or Ctrl-D on an empty line, cancels (raw mode delivers them as bytes,
 * not signals). Escape sequences (arrow keys) and other control characters are dropped rather
 * than read as text. The terminal is put back as it was whatever happens.
 */
export function askOnTerminal(
  input: Input,
  output: Output,
  prompt: string,
  { hidden }: { hidden: boolean },
): Promise<string> {
  const setRawMode = input.setRawMode;
  if (input.isTTY !== true || setRawMode === undefined) {
    return Promise.reject(new UsageError("Cannot ask: stdin is not a terminal"));
  }
  const decoder = new StringDecoder("utf8");
  let typed: string[] = [];
  output.write(prompt);
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      input.off("data", onData);
      input.off("end", onEnd);
      setRawMode.call(input, false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(typed.join(""));
    };
    const onEnd = () => finish(new Cancelled());
    // An escape sequence in progress (an arrow key is ESC [ D): skipped up to its final byte.
    let inEscape: "none" | "started" | "sequence" = "none";
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
      for (const char of text) {
        if (inEscape === "started") {
          inEscape = char === "[" || char === "O" ? "sequence" : "none";
          continue;
        }
        if (inEscape === "sequence") {
          if (char >= "@" && char <= "~") inEscape = "none";
          continue;
        }
        if (char === "\r" || char === "\n") return finish();
        if (char === "\x03") return finish(new Cancelled());
        if (char === "\x04") {
          if (typed.length === 0) return finish(new Cancelled());
          continue;
        }
        if (char === "\x7f" || char === "\b") {
          if (typed.pop() !== undefined && !hidden) output.write("\b \b");
          continue;
        }
        if (char === "\x15") {
          if (!hidden) output.write("\b \b".repeat(typed.length));
          typed = [];
          continue;
        }
        if (char === "\x1b") inEscape = "started";
        else if (char >= " ") {
          typed.push(char);
          if (!hidden) output.write(char);
        }
      }
    };
    setRawMode.call(input, true);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}

/** A password is at most 128 characters: anything much longer on stdin is not one password. */
const maxStdinLength = 4096;

/**
 * Everything on stdin, less one final line break (`echo "$PASSWORD" |` adds one; a password's own
 * spaces are kept), for `--password-stdin`.
 */
export async function readAllOf(input: Input, what: string): Promise<string> {
  const decoder = new StringDecoder("utf8");
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk));
    if (text.length > maxStdinLength) {
      throw new UsageError(`${what}: stdin holds more than ${maxStdinLength} characters, not one password`);
    }
  }
  text += decoder.end();
  const line = text.replace(/\r?\n$/, "");
  if (line === "") throw new UsageError(`${what}: stdin was empty`);
  return line;
}
