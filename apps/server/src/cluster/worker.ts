// One server process of a cluster (see primary.ts): the server of server.ts, with the duties its
// number gives it, stopped by the primary's SIGTERM (it ignores SIGINT: see main.ts).
import { changeFeedOf } from "@app/api";
import { loadConfig } from "../config.ts";
import { type RunningServer, type ServerDuties, startServer } from "../server.ts";
import { startFailureMessage } from "../start-failure.ts";
import { drainAndExit } from "../stopping.ts";
import { linkFeedToNeighbours } from "./feed-neighbours.ts";
import { isPrimaryMessage, leadWorker, sendToPrimary, workerNumberVariable } from "./messages.ts";
import { answerMetricsRequests, clusterMetricsFromPrimary } from "./worker-metrics.ts";

/** Thrown into a start that the primary stopped before this worker listened. */
class StoppedBeforeServing extends Error {}

export async function runWorker(): Promise<void> {
  const number = Number(process.env[workerNumberVariable]);
  let stopped = false;
  const stopRequested = new Promise<void>((resolve) =>
    process.once("SIGTERM", () => {
      stopped = true;
      resolve();
    }),
  );
  // The lead is not interrupted while it migrates; stopped by then, it does not begin to listen.
  const notStopped = async () => {
    if (stopped) throw new StoppedBeforeServing();
  };
  // Said once the database is prepared, not once the lead is built too: a worker built before
  // the lead then serves first.
  const prepared = async () => {
    await notStopped();
    await sendToPrimary({ kind: "prepared" });
  };
  const duties: ServerDuties =
    number === leadWorker
      ? { prepare: true, prune: true, afterPrepare: prepared, beforeListen: notStopped }
      : { prepare: false, prune: false, beforeListen: () => preparedElsewhere(stopRequested) };
  let server: RunningServer;
  try {
    // /metrics tells of every worker, which the primary gathers (worker-metrics.ts).
    const clusterMetrics = clusterMetricsFromPrimary();
    // The primary validates the same environment meanwhile (run.ts): a problem is its one line.
    server = await startServer(loadConfig(), { ...duties, logBindings: { worker: number }, clusterMetrics });
  } catch (error) {
    if (error instanceof StoppedBeforeServing) process.exit(0);
    await sendToPrimary({ kind: "failed", message: startFailureMessage(error) });
    process.exit(1);
  }
  // Before saying it listens: from then on, the primary asks this worker for its metrics.
  if (server.metrics) answerMetricsRequests(server.metrics.scrape);
  // Commits here wake the other workers' subscriptions at once, and theirs these.
  linkFeedToNeighbours(changeFeedOf(server.orm));
  await sendToPrimary({ kind: "listening", url: server.url });
  void stopRequested.then(() => drainAndExit(server, "SIGTERM"));
}

/** Resolves once the lead has prepared the database; rejects if the primary stops this worker first. */
function preparedElsewhere(stopRequested: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isPrimaryMessage(message) || message.kind !== "go") return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
    void stopRequested.then(() => reject(new StoppedBeforeServing()));
    void sendToPrimary({ kind: "waiting" });
  });
}
