import { createHash } from 'node:crypto';
import { riskPageScript } from './client-script.ts';
import { PAGE_CSS } from './styles.ts';

/** A file the page loads from the app itself (the CSP allows no other origin). */
export interface Asset {
  /** Its URL, with a content hash in the name: a changed file gets a new URL, so it can be cached forever. */
  path: string;
  contentType: string;
  body: string;
}

function asset(name: string, extension: string, contentType: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${extension}`, contentType, body };
}

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#12355b" d="M16 2C16 2 5 15 5 21a11 11 0 0 0 22 0C27 15 16 2 16 2z"/></svg>';

export const SCRIPT = asset(
  'page',
  'js',
  'text/javascript; charset=utf-8',
  `(${riskPageScript.toString()})();\n`,
);
export const STYLESHEET = asset('page', 'css', 'text/css; charset=utf-8', PAGE_CSS);
export const ICON = asset('icon', 'svg', 'image/svg+xml', ICON_SVG);

const BY_PATH = new Map([SCRIPT, STYLESHEET, ICON].map((served) => [served.path, served]));

export function assetAt(path: string): Asset | undefined {
  return BY_PATH.get(path);
}
