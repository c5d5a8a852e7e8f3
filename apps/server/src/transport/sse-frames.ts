import { isTrackedEnvelope } from "@trpc/server";
import { rootConfig } from "./trpc-internals.ts";

/**
 * The bytes tRPC 11 writes for a subscription over server-sent events (`sseStreamProducer` in
 * @trpc/server's stream/sse.ts), built here so that the fast path (sse-calls.ts) writes each event
 * as one chunk: the fields in tRPC's order (`event:`, `data:`, `id:`), each on its line, then a
 * blank line and one newline more. `sse-calls.test.ts` holds the two to the same bytes.
 */
function frameText(fields: { event?: string; data: string; id?: string }): string {
  let text = fields.event === undefined ? "" : `event: ${fields.event}\n`;
  text += `data: ${fields.data}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  return `${text}\n\n`;
}

const config = rootConfig();

/** The router's output transformer: tRPC applies it to each value before JSON. */
function serialized(value: unknown): string {
  const output: unknown = config.transformer.output.serialize(value);
  // `undefined` serialises to no JSON at all, and tRPC writes it as the word (`data: undefined`).
  return `${JSON.stringify(output)}`;
}

/** The first event: the reconnect settings tRPC's client reads (`sse.client` of the root config). */
export const connectedFrame = Buffer.from(
  frameText({ event: "connected", data: JSON.stringify(config.sse?.client ?? {}) }),
);
export const pingFrame = Buffer.from(frameText({ event: "ping", data: "" }));
/** The last event of a subscription whose events ended. */
export const returnFrame = Buffer.from(frameText({ event: "return", data: "" }));

/** The last event of a subscription that failed: its error shape (the app's error formatter's). */
export function errorFrame(shape: unknown): Buffer {
  return Buffer.from(frameText({ event: "serialized-error", data: serialized(shape) }));
}

/**
 * Each tracked value's frame, made once: the change feed hands every subscriber the same output
 * object for a change (routers/changes.ts), so a change reaching a thousand streams is serialised
 * once, not a thousand times. Keyed by the value, with the id it was made with.
 */
const trackedFrames = new WeakMap<object, { id: string; frame: Buffer }>();

function trackedFrame(id: string, data: unknown): Buffer {
  const shareable = typeof data === "object" && data !== null;
  const known = shareable ? trackedFrames.get(data) : undefined;
  if (known?.id === id) return known.frame;
  const frame = Buffer.from(frameText({ data: serialized(data), id }));
  if (shareable) trackedFrames.set(data, { id, frame });
  return frame;
}

/**
 * One stream's frames for the values its subscription yields. A value without an id after one
 * with an id clears the client's last id (`id:` empty), then restores it (`restore-id`), so that a
 * reconnect still resumes from the last tracked value: tRPC's rule, which needs this state.
 */
export class EventFrames {
  #lastEventId: string | null;

  /** `lastEventId`: what the client sent when it connected (`Last-Event-ID`). */
  constructor(lastEventId: string | undefined) {
    this.#lastEventId = lastEventId && !/[\0\n\r]/.test(lastEventId) ? lastEventId : null;
  }

  /** The bytes of one value: its event, and a `restore-id` event after an untracked one. */
  of(value: unknown): Buffer {
    if (isTrackedEnvelope(value)) {
      const [id, data] = value;
      this.#lastEventId = id;
      return trackedFrame(id, data);
    }
    const data = serialized(value);
    if (this.#lastEventId === null) return Buffer.from(frameText({ data }));
    return Buffer.from(
      frameText({ data, id: "" }) + frameText({ event: "restore-id", data: "", id: this.#lastEventId }),
    );
  }
}
