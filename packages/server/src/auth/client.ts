import type { Scope } from '@glyco/contract';

/** Who sent a request, as its credentials say: `key:<name>` or `oidc:<client id>`, and what it may do. */
export interface Client {
  id: string;
  scopes: ReadonlySet<Scope>;
}
