import type { Orm } from "@app/db";
import { type Caller, type PresentedCredential, resolveCaller } from "./auth/caller.ts";
import { createLoaders, type Loaders } from "./loaders.ts";
import type { CallObserver } from "./observe.ts";

/** Account settings, from the server's configuration. */
export type AuthSettings = {
  /** "closed": only admins create accounts (users.create). */
  signup: "open" | "closed";
  /** A session ends after this many days without use. */
  sessionTtlDays: number;
};

export const defaultAuthSettings: AuthSettings = { signup: "open", sessionTtlDays: 30 };

/** What the transport tells a call about the HTTP request it came in, and how it answers back. */
export type RequestInfo = {
  credential: PresentedCredential | undefined;
  /** The client's address: sign-in throttling counts failures per address. */
  ip: string;
  /** The request carries an `Origin` that is neither this server's nor an allowed CORS origin. */
  foreignOrigin: boolean;
  /** Served over HTTPS: cookies are set Secure. */
  secure: boolean;
  /** Adds a response header (`set-cookie`, `retry-after`). */
  setHeader: (name: string, value: string) => void;
};

/** An in-process call (tests, scripts): no credential, no headers to answer with. */
const inProcess: RequestInfo = {
  credential: undefined,
  ip: "in-process",
  foreignOrigin: false,
  secure: false,
  setHeader: () => {},
};

/**
 * What every call starts with. Deliberately no EntityManager here: tRPC builds one context per
 * HTTP request and runs a batch's calls concurrently with it, so the unit-of-work middleware
 * forks one per call instead.
 */
export type Context = {
  orm: Orm;
  /**
   * Reads by id shared by the calls of one request: the `byId` calls of a batch cost one set of
   * queries between them, not one each (loaders.ts).
   */
  loaders: Loaders;
  /** Show unexpected errors' messages and stacks to callers (development only). */
  exposeErrors: boolean;
  auth: AuthSettings;
  request: RequestInfo;
  /**
   * Who is calling (null: anonymous, or a credential that is unknown or expired), resolved on
   * first use and shared by the calls of the request: one query, before any call's transaction.
   */
  identify: () => Promise<Caller | null>;
  /** Told how each call ended (the server's metrics); absent in-process. */
  observeCall: CallObserver | undefined;
};

export type CreateContextOptions = {
  orm: Orm;
  exposeErrors?: boolean;
  auth?: AuthSettings;
  request?: RequestInfo;
  /** In-process calls as a known account, without a credential (tests, scripts, start-up). */
  as?: Caller;
  observeCall?: CallObserver;
};

export function createContext(options: CreateContextOptions): Context {
  const { orm } = options;
  const auth = options.auth ?? defaultAuthSettings;
  const request = options.request ?? inProcess;
  let caller: Promise<Caller | null> | undefined;
  const credential = request.credential;
  return {
    orm,
    loaders: createLoaders(orm),
    exposeErrors: options.exposeErrors ?? false,
    auth,
    request,
    observeCall: options.observeCall,
    identify: () => {
      caller ??=
        options.as !== undefined
          ? Promise.resolve(options.as)
          : credential === undefined
            ? Promise.resolve(null)
            : resolveCaller({
                orm,
                credential,
                sessionTtlDays: auth.sessionTtlDays,
                secure: request.secure,
                setCookie: (value) => request.setHeader("set-cookie", value),
              });
      return caller;
    },
  };
}
