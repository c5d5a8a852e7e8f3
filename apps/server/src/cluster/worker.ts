// One server process of a cluster (see primary.ts): the server of server.ts, with the duties its
// number gives it, stopped by the primary's SIGTERM (it ignores SIGINT: see main.ts).
import { changeFeedOf } from "@app/api";
import { loadConfig } from "../config.ts";
import { type RunningServer, type ServerDuties, startServer } from "../server.ts";
import { startFailureMessage } from "../start-failure.ts";
import { drainAndExit } from "../stopping.ts";
import { linkFeedToNeighbours } from "./feed-neighbours.ts";
import { leadWorker, sendToPrimary, workerNumberVariable } from "./messages.ts";
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
  // A start is not interrupted (the lead may be migrating); stopped by then, it does not listen.
  const notStopped = async () => {
    if (stopped) throw new StoppedBeforeServing();
  };
  // The others start once the lead listens (primary.ts), on a database it has prepared.
  const lead = number === leadWorker;
  const duties: ServerDuties = { prepare: lead, prune: lead, beforeListen: notStopped };
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
