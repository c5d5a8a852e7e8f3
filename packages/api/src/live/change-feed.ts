import {
  type ChangeView,
  type CredentialKind,
  changes,
  type EntityManager,
  type Orm,
  sessions,
} from "@app/db";

/** How a server follows the change log (from its configuration). */
export type LiveSettings = {
  /** How often the feed reads the log while anyone subscribes (ms): the wake-up for changes made by other servers. */
  pollMs: number;
  /** Changes a subscriber may fall behind by before it is cut off. */
  bufferLimit: number;
};

export const defaultLiveSettings: LiveSettings = { pollMs: 250, bufferLimit: 1000 };

/**
 * The other server processes of this machine on the same database (a cluster's workers), told of
 * this process's commits while they have subscribers, so that theirs hear of a change at once
 * instead of at their next poll. Their feeds still read the log themselves: a missed word delays
 * a change by one poll at most, and never loses it.
 */
export type FeedNeighbours = {
  /** This feed has subscribers now (true), or none any more (false). */
  following(active: boolean): void;
  /** A write committed in this process. */
  committed(): void;
};

/** Why a subscription ended early. */
export type CutOff = "too-slow" | "signed-out" | "demoted" | "closing";

export type SubscriberOptions = {
  /** Only this account's records (a user); every change when undefined (an admin). */
  ownerId: number | undefined;
  /** The credential the stream was opened with: it ends when that session or token does. */
  credential: { kind: CredentialKind; id: number } | undefined;
};

/**
 * One server's follower of the change log. While anyone subscribes it reads the log once per
 * wake-up, `select … where id > last`, and hands each change to every subscriber allowed to see
 * it, in memory: a thousand subscribers cost one query, not a thousand. Wake-ups: a commit on
 * this server (`poke`); on PostgreSQL, a NOTIFY from any server's commit (LISTEN on a connection
 * of its own); and a timer every `pollMs`, the wake-up for other servers on SQLite and MariaDB and
 * the safety net on PostgreSQL. Ids increase in commit order (repositories/changes.ts), so everything up to the last
 * id read has been read: nothing is skipped, nothing read twice.
 */
export class ChangeFeed {
  readonly #orm: Orm;
  readonly #settings: LiveSettings;
  readonly #subscribers = new Set<Subscriber>();
  /** The last id read; read afresh from the head whenever a subscriber arrives to an idle feed. */
  #lastSeen: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** PostgreSQL's LISTEN connection while anyone subscribes (a no-op elsewhere). */
  #listening: Promise<() => Promise<void>> | undefined;
  #reading: Promise<void> | undefined;
  #readAgain = false;
  #neighbours: FeedNeighbours | undefined;

  constructor(orm: Orm, settings: LiveSettings) {
    this.#orm = orm;
    this.#settings = settings;
  }

  /** Tells `neighbours` of this feed's commits and subscribers from now on. */
  linkNeighbours(neighbours: FeedNeighbours): void {
    this.#neighbours = neighbours;
    if (this.#subscribers.size > 0) neighbours.following(true);
  }

  /** A write committed in this process: read the log soon, and tell the neighbours. */
  committed(): void {
    this.poke();
    this.#neighbours?.committed();
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * Registers a subscriber and returns it with the last id this feed has read: every change
   * after that id reaches the subscriber, and every change up to it is in the database for the
   * subscriber's own catch-up read.
   */
  async subscribe(options: SubscriberOptions): Promise<{ subscriber: Subscriber; readThrough: number }> {
    if (this.#subscribers.size === 0 || this.#lastSeen === undefined) {
      // Idle until now: nobody needed what committed meanwhile, and the feed starts from the head
      // (a failed read fails this subscription only; the next one reads again).
      const head = await changes.changeHead(this.#orm.em.fork());
      this.#lastSeen = Math.max(this.#lastSeen ?? 0, head.lastId);
    }
    const subscriber = new Subscriber(options, this.#settings.bufferLimit, () => this.#remove(subscriber));
    this.#subscribers.add(subscriber);
    if (this.#subscribers.size === 1) this.#neighbours?.following(true);
    this.#timer ??= setInterval(() => this.poke(), this.#settings.pollMs);
    this.#listening ??= changes.listen(this.#orm, () => this.poke()).catch(() => async () => {});
    return { subscriber, readThrough: this.#lastSeen };
  }

  /** Reads the log soon: a change was just committed (here or, by the timer, anywhere). */
  poke(): void {
    if (this.#subscribers.size === 0) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = this.#read()
      .catch(() => {
        // The database is away for a moment: the next wake-up tries again from the same id.
      })
      .finally(() => {
        this.#reading = undefined;
        if (this.#readAgain) {
          this.#readAgain = false;
          this.poke();
        }
      });
  }

  /** Ends every subscription (the server is shutting down); each client may resume elsewhere. */
  close(): void {
    for (const subscriber of this.#subscribers) subscriber.cutOff("closing");
    this.#stopTimer();
  }

  async #read(): Promise<void> {
    const em = this.#orm.em.fork();
    for (;;) {
      const page = await changes.listChanges(em, { after: this.#lastSeen, limit: 500 });
      for (const change of page.items) {
        this.#lastSeen = change.id;
        for (const subscriber of this.#subscribers) subscriber.offer(change);
      }
      if (page.nextCursor === null) break;
    }
    await this.#endSignedOut(em);
  }

  /** Ends the streams whose session or token is gone (signed out, revoked, deleted, expired). */
  async #endSignedOut(em: EntityManager): Promise<void> {
    // Those asked about: a subscriber that arrives during the query is checked next time.
    const checked = [...this.#subscribers].filter((s) => s.credential !== undefined);
    // Each credential once: a thousand streams of one session are one id in the query.
    const distinct = new Map(
      checked.flatMap((s) =>
        s.credential ? [[`${s.credential.kind}:${s.credential.id}`, s.credential]] : [],
      ),
    );
    const credentials = [...distinct.values()];
    if (credentials.length === 0) return;
    const live = await sessions.liveCredentials(em, credentials, new Date());
    for (const subscriber of checked) {
      const credential = subscriber.credential;
      if (!credential) continue;
      const role = live.get(`${credential.kind}:${credential.id}`);
      if (role === undefined) subscriber.cutOff("signed-out");
      // An admin's stream sees everyone's changes: it ends when its account is an admin no longer.
      else if (role !== "admin" && subscriber.seesEveryone) subscriber.cutOff("demoted");
    }
  }

  #remove(subscriber: Subscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    if (this.#subscribers.size === 0) {
      this.#stopTimer();
      this.#neighbours?.following(false);
    }
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const listening = this.#listening;
    this.#listening = undefined;
    void listening?.then((stop) => stop());
  }
}

/**
 * One subscription's buffer: the changes the feed handed it that its client has not read yet,
 * at most `limit` of them. A client that falls further behind is cut off and its buffer dropped,
 * so a reader that stalls costs the server a bounded amount of memory; it may resume from the
 * last id it received.
 */
export class Subscriber {
  readonly #ownerId: number | undefined;
  readonly credential: SubscriberOptions["credential"];
  readonly #limit: number;
  readonly #onClose: () => void;
  #queue: ChangeView[] = [];
  #wake: (() => void) | undefined;
  /** The abort signal `next` was last given, which wakes it once it aborts. */
  #followed: AbortSignal | undefined;
  #cutOff: CutOff | undefined;
  #closed = false;

  constructor(options: SubscriberOptions, limit: number, onClose: () => void) {
    this.#ownerId = options.ownerId;
    this.credential = options.credential;
    this.#limit = limit;
    this.#onClose = onClose;
  }

  /** An admin's subscription: it is handed every change, whoever's. */
  get seesEveryone(): boolean {
    return this.#ownerId === undefined;
  }

  /** Why it was cut off, once it has been. */
  get cutOffReason(): CutOff | undefined {
    return this.#cutOff;
  }

  offer(change: ChangeView): void {
    if (this.#cutOff || (this.#ownerId !== undefined && change.ownerId !== this.#ownerId)) return;
    if (this.#queue.length >= this.#limit) {
      this.cutOff("too-slow");
      return;
    }
    this.#queue.push(change);
    this.#wakeUp();
  }

  cutOff(reason: CutOff): void {
    if (this.#cutOff) return;
    this.#cutOff = reason;
    this.#queue = [];
    this.close();
    this.#wakeUp();
  }

  /**
   * The next changes, once there are any; an empty list once the subscription has ended
   * (`cutOffReason` says why) or `signal` aborted.
   */
  async next(signal: AbortSignal | undefined): Promise<ChangeView[]> {
    this.#follow(signal);
    while (this.#queue.length === 0 && !this.#cutOff && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    const batch = this.#queue;
    this.#queue = [];
    return batch;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }

  #wakeUp(): void {
    this.#wake?.();
  }

  /**
   * Wakes the waiting `next` when `signal` aborts: one listener for the subscription's life, not
   * one added and removed per wait, which cost a measurable share of each event's delivery.
   */
  #follow(signal: AbortSignal | undefined): void {
    if (!signal || signal === this.#followed) return;
    this.#followed = signal;
    signal.addEventListener("abort", () => this.#wakeUp(), { once: true });
  }
}

const feeds = new WeakMap<Orm, ChangeFeed>();

/**
 * The feed of this ORM's database in this process, made on first use with `settings` (the server
 * makes it at start-up from its configuration; later calls get that one).
 */
export function changeFeedOf(orm: Orm, settings: LiveSettings = defaultLiveSettings): ChangeFeed {
  let feed = feeds.get(orm);
  if (!feed) {
    feed = new ChangeFeed(orm, settings);
    feeds.set(orm, feed);
  }
  return feed;
}

/** Tells this process's feed (if anyone follows it) that a write just committed. */
export function pokeChangeFeed(orm: Orm): void {
  feeds.get(orm)?.committed();
}

/** Ends this process's subscriptions (shutdown). */
export function closeChangeFeed(orm: Orm): void {
  feeds.get(orm)?.close();
}
