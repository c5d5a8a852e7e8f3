import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.ts";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = {
    isTTY,
    write(text: string) {
      writes.push(text);
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, writes };
}

const state = (bytes: number, rows: number) => ({ bytes, rows, created: rows - 1, rejected: 1 });

describe("progress", () => {
  it("prints a plain line at most every interval when not on a terminal, and nothing at the end", () => {
    const { stream, writes } = fakeStream(false);
    let time = 0;
    const progress = createProgress({ stream, label: "importing a.csv", totalBytes: 1000, now: () => time });
    progress.update(state(100, 10));
    time = 2000;
    progress.update(state(500, 1500));
    time = 2500;
    progress.update(state(600, 1600));
    progress.done(state(1000, 2000));
    expect(writes).toEqual(["importing a.csv: 50% (1,500 rows, 1,499 created, 1 rejected)\n"]);
  });

  it("redraws one bar in place on a terminal and ends it with a line break", () => {
    const { stream, writes } = fakeStream(true);
    let time = 0;
    const progress = createProgress({ stream, label: "importing", totalBytes: 200, now: () => time });
    time = 150;
    progress.update(state(100, 5));
    progress.done(state(200, 9));
    expect(writes).toEqual([
      `\x1b[2K\rimporting ${"█".repeat(12)}${"░".repeat(12)}  50%  5 rows, 4 created, 1 rejected`,
      `\x1b[2K\rimporting ${"█".repeat(24)} 100%  9 rows, 8 created, 1 rejected\n`,
    ]);
  });
});
