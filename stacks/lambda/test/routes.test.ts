/**
 * The HTTP API's routes are the app's: every route that needs a scope is a route of its own on API Gateway,
 * throttled by its scope's limits, so that a route added to the app without one here fails this test rather than
 * running on the stage's default limits unnoticed.
 */
import { SCOPES } from '@glyco/contract';
import { mountedRoutes } from '@glyco/server/testing';
import { describe, expect, it } from 'vitest';
import { ROUTE_CLASSES, type RouteClass, SCOPED_ROUTES } from '../src/routes.ts';

const sorted = (table: Record<string, readonly string[]>) =>
  Object.fromEntries(Object.entries(table).map(([name, keys]) => [name, [...keys].sort()]));

describe('the HTTP API route table', () => {
  it('has one class per scope of the app', () => {
    expect([...ROUTE_CLASSES].sort()).toEqual([...SCOPES].sort());
  });

  it('names every route of the app that needs a scope, under the first scope it declares, and nothing else', () => {
    const expected = Object.fromEntries(ROUTE_CLASSES.map((name) => [name, [] as string[]]));
    for (const { method, path, access } of mountedRoutes()) {
      if (typeof access === 'string') continue; // public: the stage's default limits
      expected[access[0] as RouteClass]!.push(`${method} ${path}`);
    }
    expect(expected.predict).toContain('POST /predict');
    expect(sorted(SCOPED_ROUTES)).toEqual(sorted(expected));
  });
});
