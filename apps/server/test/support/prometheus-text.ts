/**
 * The samples of a Prometheus text exposition, keyed `name{a="1",b="2"}` with the labels sorted,
 * so that a test names a sample without caring in which order the server wrote its labels.
 */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(
      ([, name, value]) => `${name}="${value}"`,
    );
    samples.set(`${match[1]}{${labels.sort().join(",")}}`, Number(match[3]));
  }
  return samples;
}

/** The key parseSamples files a sample under. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const text = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  return `${name}{${text.sort().join(",")}}`;
}

/** What changed in the samples of family `name` (and only those) between two scrapes. */
export function changes(before: Map<string, number>, after: Map<string, number>, name: string) {
  const changed: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith(`${name}{`)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) changed[key] = delta;
  }
  return changed;
}
