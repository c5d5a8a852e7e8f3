import { once } from "node:events";
import { createWriteStream, rmSync } from "node:fs";
import { rename } from "node:fs/promises";
import { constants } from "node:os";
import { finished } from "node:stream/promises";
import type { Output } from "./context.ts";
import { FileError } from "./errors.ts";

/**
 * Writes `out` complete or not at all: `write` fills a file beside it, renamed over `out` once
 * everything is written and flushed. A failure (the server gone, the disk full), Ctrl-C or SIGTERM
 * removes that file and leaves whatever `out` held (an earlier export, say) as it was; a truncated
 * copy in its place would pass for a whole one.
 */
export async function writeCompleteOrNothing(
  out: string,
  write: (stream: Output) => Promise<void>,
): Promise<void> {
  const partial = `${out}.partial-${process.pid}`;
  const removePartial = () => rmSync(partial, { force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    removePartial();
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const stream = createWriteStream(partial);
  // An error while the next page is on its way (disk full) has no write waiting to hear it: kept
  // for the next write, or the final flush, to report.
  let fileError: Error | undefined;
  stream.on("error", (error) => {
    fileError ??= error;
  });
  try {
    // A folder that does not exist or cannot be written fails here, before the first request.
    await once(stream, "open");
    await write(stream);
    stream.end();
    await finished(stream);
    await rename(partial, out);
  } catch (error) {
    stream.destroy();
    removePartial();
    const cause = fileError ?? (isFileSystemError(error) ? error : undefined);
    throw cause ? new FileError(out, cause) : error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Node's file system errors carry the path they failed on; network errors do not. */
function isFileSystemError(error: unknown): error is Error {
  return error instanceof Error && "syscall" in error && "path" in error;
}
