/** Messages between the main thread and the PGlite worker. */
export type PgliteRequest =
  | { id: number; kind: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; kind: 'exec'; sql: string }
  | { id: number; kind: 'copy'; target: string; text: string }
  | { id: number; kind: 'close' };

export type PgliteReply =
  | { id: number; rows: unknown[]; affectedRows: number }
  | { id: number; error: { message: string; code: string | undefined } };
