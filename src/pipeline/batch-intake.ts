import { createHash } from 'node:crypto';
import secureJson from 'secure-json-parse';
import { BatchFormatError } from '../adapters/adapter.js';
import { getAdapter } from '../adapters/registry.js';
import type { ValidationContext } from '../validation/context.js';
import type { FieldError } from '../validation/types.js';
import { intake, type IntakeResult } from './intake.js';

// One vendor batch, from the request's JSON text to records ready for the outbox: parse (with
// fastify's own checks: secure-json-parse refusing __proto__ and constructor keys), hash (for
// Idempotency-Key), split, then the stateless intake steps. The text is parsed here only, not
// also by the HTTP layer: for a 500-record batch that parse and its garbage were the largest
// cost of the event loop after the outbox insert. Pure and self-contained so that
// it runs the same in a worker thread (intake-pool.ts) as in the calling thread; everything it
// returns is plain data that crosses threads cheaply (strings, not the parsed batch).

export type BatchIntakeOutcome =
  | { kind: 'malformed'; message: string }
  | { kind: 'not-object' }
  | { kind: 'ok'; requestHash: string; result: IntakeResult }
  | { kind: 'format'; requestHash: string; errors: FieldError[] }
  | { kind: 'too-many'; requestHash: string; count: number }
  | { kind: 'no-adapter'; requestHash: string };

/**
 * The request hash is SHA-256 of the batch re-serialised (JSON.stringify of the parsed body), so
 * that it does not depend on whitespace and stays what earlier versions stored.
 */
export function requestHashOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export function runBatchIntake(vendor: string, json: string, ctx: ValidationContext, maxRecords: number): BatchIntakeOutcome {
  let body: unknown;
  try {
    body = secureJson.parse(json, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (e) {
    return { kind: 'malformed', message: (e as Error).message };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'not-object' };
  const requestHash = requestHashOf(body);
  const adapter = getAdapter(vendor);
  if (!adapter) return { kind: 'no-adapter', requestHash };
  let split: { items: unknown[]; context: unknown };
  try {
    split = adapter.split(body);
  } catch (e) {
    if (e instanceof BatchFormatError) return { kind: 'format', requestHash, errors: e.errors };
    throw e;
  }
  if (split.items.length > maxRecords) return { kind: 'too-many', requestHash, count: split.items.length };
  return { kind: 'ok', requestHash, result: intake(adapter, split.items, split.context, ctx) };
}
