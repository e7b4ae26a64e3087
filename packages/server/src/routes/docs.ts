/// <reference path="../swagger-ui-dist.d.ts" />
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '@glyco/contract';
import { Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import type { AppDeps } from '../app-deps.ts';
import { PUBLIC } from '../auth/access.ts';
import type { AppEnv } from '../http/context.ts';
import { respond } from '../http/respond.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';
import { schemasFor } from '../validation/model-schemas.ts';

/**
 * Swagger UI's files, served by the app itself from the swagger-ui-dist package: `/docs` works where the
 * service runs in a private network, and no third-party origin is trusted. The version pins the asset URLs,
 * so they can be cached for good.
 */
const SWAGGER_UI_VERSION = packageJson.dependencies['swagger-ui-dist'];
const ASSET_BASE = `/docs/assets/${SWAGGER_UI_VERSION}`;
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const INIT_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });\n";

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Glyco inference API</title>
<link rel="stylesheet" href="${ASSET_BASE}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSET_BASE}/swagger-ui-bundle.js"></script>
<script src="${ASSET_BASE}/init.js"></script>
</body>
</html>
`;

/** Same origin only; Swagger UI sets inline styles on its elements and shows data: images. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Loaded on the first asset request, not at startup: the package stays out of the start-up path. */
async function readSwaggerUiFile(file: string): Promise<string> {
  const { default: packageDirectory } = await import('swagger-ui-dist/absolute-path.js');
  return readFile(join(packageDirectory(), file), 'utf8');
}

/** `GET /openapi.json`, generated for the model being served, and `GET /docs`, Swagger UI over it. */
export function docsRoutes({ models, limits }: AppDeps): Hono<AppEnv> {
  const documents = new WeakMap<ModelManifest, string>();
  const assets = new Map<string, string>();
  const app = new Hono<AppEnv>();
  app.get('/openapi.json', PUBLIC, (c) => {
    const { manifest } = models.current();
    let document = documents.get(manifest);
    if (!document) {
      document = JSON.stringify(
        buildOpenApiDocument(manifest, schemasFor(manifest, limits.maxInstances), packageJson.version),
      );
      documents.set(manifest, document);
    }
    return respond(c, document, 'application/json');
  });
  app.get('/docs', PUBLIC, (c) =>
    respond(c, DOCS_PAGE, 'text/html; charset=utf-8', 200, { 'content-security-policy': DOCS_CSP }),
  );
  app.get(`${ASSET_BASE}/:file`, PUBLIC, async (c) => {
    const file = c.req.param('file');
    const immutable = { 'cache-control': 'public, max-age=31536000, immutable' };
    if (file === 'init.js') return respond(c, INIT_SCRIPT, 'text/javascript; charset=utf-8', 200, immutable);
    const contentType = ASSETS[file];
    if (!contentType) return c.notFound();
    let body = assets.get(file);
    if (body === undefined) {
      body = await readSwaggerUiFile(file);
      assets.set(file, body);
    }
    return respond(c, body, contentType, 200, immutable);
  });
  return app;
}
