import type { ModelManifest } from '@glyco/contract';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { ICON, SCRIPT, STYLESHEET } from './assets.ts';

/** Escaped HTML as `hono/html` builds it: plain JSX would need a build step that Node's type stripping lacks. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type PageName = 'form' | 'card';

export interface LayoutProps {
  title: string;
  /** The served model: the navigation links to its card and the footer names it. */
  manifest: ModelManifest;
  current?: PageName;
  body: Html;
  /** Whether the page needs the risk form's script. */
  script?: boolean;
}

function navLink(href: string, label: string, current: boolean): Html {
  return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

/** The document around every page: landmarks, skip link, navigation; styles and script from the app itself. */
export function layout({ title, manifest, current, body, script = false }: LayoutProps): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Glyco</title>
<link rel="icon" href="${ICON.path}" type="image/svg+xml">
<link rel="stylesheet" href="${STYLESHEET.path}">
${script ? html`<script src="${SCRIPT.path}" defer></script>` : ''}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="wrap">
<a class="brand" href="/">Glyco</a>
<nav aria-label="Main">
<ul>
${navLink('/', manifest.task === 'binary' ? 'Risk estimate' : 'Predict', current === 'form')}
${navLink(`/models/${encodeURIComponent(manifest.name)}`, 'Model card', current === 'card')}
${navLink('/docs', 'API', false)}
</ul>
</nav>
</div>
</header>
<main id="main" class="wrap" tabindex="-1">
${body}
</main>
<footer class="site-footer">
<div class="wrap">Model ${manifest.name} ${manifest.version}. ${
    manifest.task === 'binary'
      ? `A screening aid for ${manifest.target.name}, not a diagnosis.`
      : "A model's estimate, not a diagnosis."
  }</div>
</footer>
</body>
</html>
`;
}
