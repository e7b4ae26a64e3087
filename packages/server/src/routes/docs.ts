import { createHash } from 'node:crypto';
import type { ModelManifest } from '@glyco/contract';
import { Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import type { AppDeps, AppEnv } from '../app-deps.ts';
import { respond } from '../http/respond.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';
import { schemasFor } from '../validation/model-schemas.ts';

/** Swagger UI from the jsDelivr CDN, pinned, with subresource integrity (hashes of the npm package's files). */
const SWAGGER_UI = 'https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0';
const SWAGGER_UI_JS_SRI = 'sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9';
const SWAGGER_UI_CSS_SRI = 'sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I';

const INIT_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });";
const INIT_SCRIPT_HASH = `sha256-${createHash('sha256').update(INIT_SCRIPT).digest('base64')}`;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Glyco inference API</title>
<link rel="stylesheet" href="${SWAGGER_UI}/swagger-ui.css" integrity="${SWAGGER_UI_CSS_SRI}" crossorigin="anonymous">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${SWAGGER_UI}/swagger-ui-bundle.js" integrity="${SWAGGER_UI_JS_SRI}" crossorigin="anonymous"></script>
<script>${INIT_SCRIPT}</script>
</body>
</html>
`;

const DOCS_CSP = [
  "default-src 'none'",
  `script-src https://cdn.jsdelivr.net '${INIT_SCRIPT_HASH}'`,
  "style-src https://cdn.jsdelivr.net 'unsafe-inline'",
  "img-src 'self' data: https://cdn.jsdelivr.net",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /openapi.json`, generated for the model being served, and `GET /docs`, Swagger UI over it. */
export function docsRoutes({ models, limits }: AppDeps): Hono<AppEnv> {
  const documents = new WeakMap<ModelManifest, string>();
  const app = new Hono<AppEnv>();
  app.get('/openapi.json', (c) => {
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
  app.get('/docs', (c) =>
    respond(c, DOCS_PAGE, 'text/html; charset=utf-8', 200, { 'content-security-policy': DOCS_CSP }),
  );
  return app;
}
