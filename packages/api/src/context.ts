import type { Orm } from "@app/db";
import { createLoaders, type Loaders } from "./loaders.ts";

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
};

export type CreateContextOptions = { orm: Orm; exposeErrors?: boolean };

export function createContext(options: CreateContextOptions): Context {
  return {
    orm: options.orm,
    loaders: createLoaders(options.orm),
    exposeErrors: options.exposeErrors ?? false,
  };
}
