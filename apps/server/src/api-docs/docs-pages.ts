import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);

/** Files served from npm packages, never from a CDN, so the docs work on an air-gapped machine. */
const assets: Record<string, { file: string; type: string }> = {
  "/docs/swagger-ui.css": { file: require.resolve("swagger-ui-dist/swagger-ui.css"), type: "text/css" },
  "/docs/swagger-ui-bundle.js": {
    file: require.resolve("swagger-ui-dist/swagger-ui-bundle.js"),
    type: "text/javascript",
  },
  "/redoc/redoc.standalone.js": {
    file: require.resolve("redoc/bundles/redoc.standalone.js"),
    type: "text/javascript",
  },
};

// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
const swaggerInitializer = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
`;

/**
 * The browser may load nothing from another origin: ReDoc 2.5 would otherwise fetch its footer
 * logo from Redocly's CDN. Inline styles are allowed because both UIs style elements at run time;
 * ReDoc's search runs in a worker it builds from a blob.
 */
export const docsContentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:",
].join("; ");

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
  </head>
  <body>
${body}
  </body>
</html>
`;
}

const swaggerPage = page(
  "Users and items API: Swagger UI",
  `    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>`,
);

const redocPage = page(
  "Users and items API: ReDoc",
  `    <redoc spec-url="/openapi.json"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>`,
);

/** Swagger UI at /docs and ReDoc at /redoc, both reading /openapi.json from this server. */
export async function docsPages(app: FastifyInstance): Promise<void> {
  const pages = { "/docs": swaggerPage, "/redoc": redocPage };
  for (const [path, html] of Object.entries(pages)) {
    for (const url of [path, `${path}/`]) {
      app.get(url, (_request, reply) =>
        reply
          .type("text/html; charset=utf-8")
          .header("content-security-policy", docsContentSecurityPolicy)
          .send(html),
      );
    }
  }
  app.get("/docs/swagger-initializer.js", (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(swaggerInitializer),
  );
  for (const [path, { file, type }] of Object.entries(assets)) {
    app.get(path, (_request, reply) =>
      reply
        .type(`${type}; charset=utf-8`)
        .header("cache-control", "public, max-age=3600")
        .send(createReadStream(file)),
    );
  }
}
