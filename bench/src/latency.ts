/** Response times in milliseconds, kept whole: autocannon's own histogram rounds to whole ms. */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #count = 0;

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
  }

  /** The value below which `fraction` of the responses fall (nearest rank); 0 when none. */
  percentile(fraction: number): number {
    if (this.#count === 0) return 0;
    const sorted = this.#values.subarray(0, this.#count).sort();
    return sorted[Math.min(this.#count - 1, Math.ceil(fraction * this.#count) - 1)] ?? 0;
  }
}
