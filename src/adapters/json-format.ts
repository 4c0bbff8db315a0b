import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import secureJson from 'secure-json-parse';
import { jsonTooDeep } from '../http/json-depth.js';
import { JsonBatchReader } from '../import/json-batch-reader.js';
import { BatchFormatError, BodyUnreadableError, type BatchFormat, type SplitBatch } from './adapter.js';

// The JSON batch shape vnEdu and EMIS share: `{ ...header fields, "<items>": [ {...}, ... ] }`.
// A body is parsed with fastify's own checks (secure-json-parse refusing __proto__ and
// constructor keys); a file of any size is scanned a chunk of items at a time
// (import/json-batch-reader.ts) with the header fields before the items.

/**
 * The request hash is SHA-256 of the batch re-serialised (JSON.stringify of the parsed body), so
 * that it does not depend on whitespace and stays what earlier versions stored.
 */
export function requestHashOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export const JSON_PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;


export function parseJsonBody(text: string): Record<string, unknown> {
  let body: unknown;
  if (jsonTooDeep(text)) throw new BodyUnreadableError('the body nests deeper than the gateway reads', 'too-deep');
  try {
    body = secureJson.parse(text, undefined, JSON_PARSE_OPTIONS);
  } catch (e) {
    throw new BodyUnreadableError((e as Error).message, 'malformed');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BodyUnreadableError('the body must be a JSON object', 'not-object');
  return body as Record<string, unknown>;
}

export interface JsonFormatOptions {
  /** The batch member that holds the records. */
  itemsField: string;
  /** Reads the envelope (header fields and the items array); throws BatchFormatError. */
  split(batch: unknown): { items: unknown[]; context: unknown };
  docs: BatchFormat['docs'];
}

export function jsonBatchFormat(o: JsonFormatOptions): BatchFormat {
  return {
    mediaType: 'application/json',
    name: 'json',
    binary: false,
    docs: o.docs,
    read(body) {
      const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
      const batch = parseJsonBody(text);
      return { ...o.split(batch), requestHash: requestHashOf(batch) };
    },
    stream: (input, size) => streamJsonBatch(input, size, o),
  };
}

async function* streamJsonBatch(input: Readable, size: number, o: JsonFormatOptions): AsyncIterable<SplitBatch> {
  let header: Record<string, unknown> | null = null;
  let items: unknown[] = [];
  let count = 0;
  const ready: SplitBatch[] = [];
  const cut = () => {
    // The header's own problems (no school, wrong year format) come back with the first chunk.
    const batch = { ...header, [o.itemsField]: items };
    ready.push({ ...o.split(batch), requestHash: requestHashOf(batch) });
    items = [];
  };
  const reader = new JsonBatchReader(o.itemsField, {
    header: (fields) => (header = fields),
    item: (json) => {
      count += 1;
      try {
        items.push(secureJson.parse(json, undefined, JSON_PARSE_OPTIONS));
      } catch (e) {
        throw new Error(`record ${count} of the file is not valid JSON: ${(e as Error).message}`);
      }
      if (items.length === size) cut();
    },
  });
  input.setEncoding('utf8');
  for await (const text of input as AsyncIterable<string>) {
    reader.push(text);
    yield* ready.splice(0);
  }
  reader.end();
  if (items.length > 0) cut();
  yield* ready.splice(0);
}

export { BatchFormatError };
