// Merges the workers' own /metrics texts into one exposition (see metrics-gathering.ts). Pure text
// work: the primary loads neither prom-client nor anything of the server.

/** The `content-type` of the Prometheus text format (prom-client's registry says the same). */
export const expositionContentType = "text/plain; version=0.0.4; charset=utf-8";

/** One worker's own metrics, in the Prometheus text format. */
export type WorkerMetrics = { worker: number; text: string };

type Family = { help: string | undefined; type: string | undefined; samples: string[] };

const metaLine = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/;

/**
 * The workers' metrics as one valid exposition: each family once, with one HELP and one TYPE line
 * (the first worker's: every worker runs the same code), followed by all its samples, each
 * labelled `worker="N"`, worker by worker. The format wants a family's samples together, and the
 * labels keep the workers' series apart, so that nothing is summed here: Prometheus sums, and
 * sees a replaced worker's counters restart as the counter reset it is.
 */
export function mergeWorkerMetrics(parts: readonly WorkerMetrics[]): string {
  const families = new Map<string, Family>();
  const familyNamed = (name: string) => {
    let family = families.get(name);
    if (family === undefined) {
      family = { help: undefined, type: undefined, samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const { worker, text } of parts) {
    const label = `worker="${worker}"`;
    // The family the lines read so far belong to: a sample follows its family's HELP and TYPE.
    let current: string | undefined;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const meta = metaLine.exec(line);
      if (meta) {
        const [, kind, name = "", rest = ""] = meta;
        current = name;
        const family = familyNamed(name);
        if (kind === "HELP") family.help ??= rest;
        else family.type ??= rest;
        continue;
      }
      // Other comments say nothing a scraper reads.
      if (line.startsWith("#")) continue;
      const nameEnd = line.search(/[{ ]/);
      if (nameEnd <= 0) continue;
      const name = line.slice(0, nameEnd);
      // A histogram's `_bucket`, `_sum` and `_count` samples belong to the family before them.
      const family = current !== undefined && name.startsWith(current) ? current : name;
      familyNamed(family).samples.push(withLabel(line, nameEnd, label));
    }
  }
  let merged = "";
  for (const [name, family] of families) {
    if (family.help !== undefined) merged += `# HELP ${name} ${family.help}\n`;
    if (family.type !== undefined) merged += `# TYPE ${name} ${family.type}\n`;
    for (const sample of family.samples) merged += `${sample}\n`;
  }
  return merged;
}

/** The sample `line` with `label` first among its labels; its name ends at `nameEnd`. */
function withLabel(line: string, nameEnd: number, label: string): string {
  const name = line.slice(0, nameEnd);
  if (line[nameEnd] === " ") return `${name}{${label}}${line.slice(nameEnd)}`;
  if (line[nameEnd + 1] === "}") return `${name}{${label}${line.slice(nameEnd + 1)}`;
  return `${name}{${label},${line.slice(nameEnd + 1)}`;
}
