import type { Plugin } from "rolldown";

/** One dependency file's `require`s made lazy: each `from` is replaced by `to`, verbatim. */
type LazyRequires = { file: string; replace: readonly (readonly [from: string, to: string])[] };

/**
 * Modules that dependencies require when they load but that this server uses seldom or never.
 * Node compiles each built-in it loads, so these were milliseconds of every process's start:
 * node:http2 and node:https (with node:tls) that fastify needs only for `http2` and `https`
 * options, and prom-client's Pushgateway (node:https again, and node:zlib), which nothing here
 * pushes through.
 */
const lazyRequires: readonly LazyRequires[] = [
  {
    file: "/node_modules/fastify/lib/server.js",
    replace: [
      ["const https = require('node:https')", "const https = lazyModule(() => require('node:https'))"],
      ["const http2 = require('node:http2')", "const http2 = lazyModule(() => require('node:http2'))"],
    ],
  },
  {
    file: "/node_modules/prom-client/index.js",
    replace: [
      [
        "exports.Pushgateway = require('./lib/pushgateway');",
        "Object.defineProperty(exports, 'Pushgateway', { enumerable: true, get: () => require('./lib/pushgateway') });",
      ],
    ],
  },
];

/** A module object whose module is required at the first read of one of its properties. */
const lazyModuleSource = `
function lazyModule(load) {
  let loaded;
  return new Proxy({}, { get: (_target, key) => (loaded ??= load())[key] });
}`;

/**
 * Makes the `require`s listed above lazy. Each replacement must match its file exactly: after a
 * dependency upgrade that changes one, the build fails rather than quietly loading it again.
 */
export function lazyRequiresPlugin(): Plugin {
  const unmatched = new Set(lazyRequires.map((entry) => entry.file));
  return {
    name: "lazy-requires",
    transform(code, id) {
      const entry = lazyRequires.find((each) => id.replaceAll("\\", "/").endsWith(each.file));
      if (!entry) return undefined;
      let transformed = code;
      for (const [from, to] of entry.replace) {
        if (!transformed.includes(from)) throw new Error(`lazy-requires: "${from}" not found in ${id}`);
        transformed = transformed.replace(from, to);
      }
      unmatched.delete(entry.file);
      // Each replacement keeps its line, so the mappings of the lines around it hold.
      return {
        code: transformed.includes("lazyModule(") ? transformed + lazyModuleSource : transformed,
        map: null,
      };
    },
    buildEnd(error) {
      if (!error && unmatched.size > 0) {
        throw new Error(`lazy-requires: not bundled any more: ${[...unmatched].join(", ")}`);
      }
    },
  };
}
