/**
 * Reads a streamed response as text: `readUntil(pattern)` resolves once everything read so far
 * matches `pattern`, and fails if the stream ends first.
 */
export function streamReader(response: Response) {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  let text = "";
  return {
    get text() {
      return text;
    },
    async readUntil(pattern: RegExp): Promise<void> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += value;
      }
    },
  };
}
