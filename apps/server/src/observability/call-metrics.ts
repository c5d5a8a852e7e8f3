import type { CallOutcome } from "@app/api";
import { counterText, Durations, histogramText, labelText } from "./series.ts";

type ProcedureSeries = {
  /** `procedure="…",type="…"` */
  labels: string;
  /** `procedure="…"` */
  procedureLabel: string;
  /** Calls by outcome code; the key is the rendered `code="…"`. */
  byCode: Map<string, number>;
  durations: Durations;
};

/**
 * Procedure calls by procedure and outcome code, and their latency: every tRPC call (single,
 * batched, streamed, subscription) and every REST call, as `observe.ts` reports them. The
 * procedure names come from the router (a call to a procedure that does not exist never reaches
 * a procedure), so their number is bounded.
 */
export class CallMetrics {
  readonly #byPath = new Map<string, ProcedureSeries>();
  readonly #codeLabels = new Map<string, string>();

  /** The observer handed to every context the server makes. */
  readonly observe = (outcome: CallOutcome): void => {
    let series = this.#byPath.get(outcome.path);
    if (series === undefined) {
      series = {
        labels: labelText({ procedure: outcome.path, type: outcome.type }),
        procedureLabel: labelText({ procedure: outcome.path }),
        byCode: new Map(),
        durations: new Durations(),
      };
      this.#byPath.set(outcome.path, series);
    }
    let code = this.#codeLabels.get(outcome.code);
    if (code === undefined) {
      code = labelText({ code: outcome.code });
      this.#codeLabels.set(outcome.code, code);
    }
    series.byCode.set(code, (series.byCode.get(code) ?? 0) + 1);
    series.durations.observe(outcome.seconds);
  };

  text(): string {
    const series = [...this.#byPath.values()];
    const calls = series.flatMap((s) =>
      [...s.byCode].map(([code, count]): [string, number] => [`${s.labels},${code}`, count]),
    );
    return (
      counterText(
        "trpc_calls_total",
        "Procedure calls (tRPC and REST) by procedure, type and outcome code (OK or the tRPC error code).",
        calls,
      ) +
      histogramText(
        "trpc_call_duration_seconds",
        "Procedure call duration in seconds, from the first middleware to the answer (a subscription: until its stream is set up).",
        series.map((s): [string, Durations] => [s.procedureLabel, s.durations]),
      )
    );
  }
}
