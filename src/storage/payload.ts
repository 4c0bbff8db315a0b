import { readFileSync } from 'node:fs';
import { adler32 } from './adler32.js';
import { deflateSync, inflateSync } from 'node:zlib';
import type { NewRecord } from './store.js';

// A record's payload (its canonical XML, and a signed record's document as received) is stored
// once, in record_payloads, as a zlib stream with a preset dictionary: a synthetic canonical
// record (assets/payload-dictionary-1.xml, frozen), so the tags every record repeats cost next
// to nothing. Measured on 1,000 vnEdu sample records (6.1 KB of XML on average): 566 bytes
// packed with the dictionary, 1,285 without, 6,131 raw. Level 3, not zlib's default 6: packing
// was the largest single cost of intake (a fifth of an intake thread's time in a profile of
// 500-record vnEdu batches), and level 3 takes 61 µs of CPU a record against 79 at level 6 for
// 619 bytes against 563 (2,000 records, medians of 9 rounds; Intel Xeon, 2 cores). The earlier
// measure on AMD EPYC: 41.5 against 54.6 µs. Levels 1 and 2 took no less time than 3 and gave
// more bytes (732 at 1); a smaller window or hash table no less time either. About 25 µs of
// any level is fixed: making zlib's state (13 µs) and loading the dictionary into it (12 µs).
// The pure intake step packs it, so it runs on the intake threads, not on the event loop.
//
// A stream names its dictionary by Adler-32 (RFC 1950's DICTID): a later dictionary is a new
// file beside this one, and payloads packed with an earlier one stay readable. A zlib stream
// starts with 0x78; XML never does ("<", a BOM or white space), so rows written before packing
// (TEXT in SQLite, UTF-8 bytes in PostgreSQL) are told apart by their first byte.

const ZLIB_FIRST_BYTE = 0x78;
const FDICT = 0x20;

const DICTIONARY = readFileSync(new URL('../../assets/payload-dictionary-1.xml', import.meta.url));
/** Every dictionary a stored payload may name, by its Adler-32. */
const DICTIONARIES = new Map<number, Buffer>([[adler32(DICTIONARY), DICTIONARY]]);
export const PAYLOAD_DICTIONARY_ID = adler32(DICTIONARY);

const PACK_LEVEL = 3;
// zlib's output buffer: its default 16 KB is a new allocation for each record (larger than the
// buffer pool takes), where nearly every packed record fits 2 KB (a 6 KB record packs to ~620 B;
// a longer one takes a second chunk). 61 µs against 72 at the default (medians, same run).
const PACK_CHUNK = 2048;

/** The stored form of `xml`, in a buffer of its own (posted between threads without the pool's slack). */
export function packPayload(xml: string | Buffer): Uint8Array {
  const z = deflateSync(xml, { level: PACK_LEVEL, dictionary: DICTIONARY, chunkSize: PACK_CHUNK });
  return new Uint8Array(z.buffer.slice(z.byteOffset, z.byteOffset + z.byteLength));
}

/** A packed payload as a Buffer for the database drivers (no copy). */
export function asBuffer(p: Uint8Array | null | undefined): Buffer | null {
  if (!p) return null;
  return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

/** Back to text: a packed payload, an older row's text, or nothing. */
export function unpackPayload(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const buf = asBuffer(v as Uint8Array)!;
  if (buf.length < 2 || buf[0] !== ZLIB_FIRST_BYTE) return buf.toString('utf8');
  if (!(buf[1]! & FDICT)) return inflateSync(buf).toString('utf8');
  const id = buf.readUInt32BE(2);
  const dictionary = DICTIONARIES.get(id);
  if (!dictionary) throw new Error(`stored payload packed with an unknown dictionary (Adler-32 ${id.toString(16)})`);
  return inflateSync(buf, { dictionary }).toString('utf8');
}

/** What a new record stores as its payload, packed: nothing for a record refused at the door. */
export function storedPayload(r: NewRecord): { recordXml: Buffer | null; signedXml: Buffer | null } | null {
  const recordXml = r.payload ? asBuffer(r.payload) : r.recordXml !== null ? asBuffer(packPayload(r.recordXml)) : null;
  const signedXml = r.signedXml ? asBuffer(packPayload(r.signedXml)) : null;
  return recordXml || signedXml ? { recordXml, signedXml } : null;
}
