import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import t from 'tap';
import { recordToXml } from '../src/canonical/xml.js';
import { adler32 } from '../src/storage/adler32.js';
import { PAYLOAD_DICTIONARY_ID, packPayload, storedPayload, unpackPayload } from '../src/storage/payload.js';

// The stored form of a record's payload (issue 16, lean outbox): packed with a frozen preset
// dictionary, read back exactly, and older unpacked rows still read.

const fixture = (name: string) => recordToXml(JSON.parse(readFileSync(new URL(`./fixtures/records/valid/${name}.json`, import.meta.url), 'utf8')));

t.test('our Adler-32 is the one zlib names a dictionary by', async (t) => {
  for (const n of [0, 1, 100, 5552, 5553, 70_000]) {
    const dict = randomBytes(n);
    if (n === 0) continue; // zlib refuses an empty dictionary
    const z = deflateSync('x', { dictionary: dict });
    t.equal(z.readUInt32BE(2), adler32(dict), `${n} bytes`);
  }
});

t.test('the dictionary is frozen: payloads already stored name it', async (t) => {
  const file = readFileSync(new URL('../assets/payload-dictionary-1.xml', import.meta.url));
  t.equal(PAYLOAD_DICTIONARY_ID, 0xe9c77f6b, 'assets/payload-dictionary-1.xml is the file it was; a new dictionary is a new file');
  t.equal(adler32(file), PAYLOAD_DICTIONARY_ID);
});

t.test('a record packs small and comes back byte for byte', async (t) => {
  for (const name of ['g01-1', 'g05-2', 'g08-1', 'g12-3']) {
    const xml = fixture(name);
    const packed = Buffer.from(packPayload(xml));
    t.equal(packed[0], 0x78, 'a zlib stream');
    t.ok(packed[1]! & 0x20, 'with a preset dictionary');
    t.equal(packed.readUInt32BE(2), PAYLOAD_DICTIONARY_ID, 'named by its Adler-32');
    // A quarter at most: zlib level 3 (payload.ts) packs the smallest, a 3 KB primary record, to
    // about a fifth; without the dictionary it would be near a half.
    t.ok(packed.length * 4 < Buffer.byteLength(xml), `${name}: ${packed.length} bytes of ${Buffer.byteLength(xml)}`);
    t.equal(unpackPayload(packed), xml);
    t.equal(unpackPayload(new Uint8Array(packed)), xml, 'as a plain Uint8Array too (posted from a thread)');
  }
});

t.test('rows written before packing read as they are', async (t) => {
  const xml = fixture('g03-1');
  t.equal(unpackPayload(xml), xml, 'SQLite TEXT');
  t.equal(unpackPayload(Buffer.from(xml)), xml, 'PostgreSQL UTF-8 bytes');
  t.equal(unpackPayload(Buffer.from('\ufeff' + xml)), '\ufeff' + xml, 'a document with a BOM');
  t.equal(unpackPayload(deflateSync(xml)), xml, 'a stream without a dictionary');
  t.equal(unpackPayload(null), null);
});

t.test('a stream naming a dictionary we do not have is an error that says so', async (t) => {
  const other = deflateSync('<hocba/>', { dictionary: Buffer.from('<some other dictionary/>') });
  t.throws(() => unpackPayload(other), /unknown dictionary/);
});

t.test('what a new record stores', async (t) => {
  const xml = fixture('g06-1');
  const base = { id: 'r', index: 0, recordKey: 'k', version: 1, contentHash: 'h', state: 'queued' as const, errors: null };
  t.equal(storedPayload({ ...base, recordXml: null, state: 'rejected' }), null, 'nothing for a record refused at the door');
  const fromText = storedPayload({ ...base, recordXml: xml })!;
  t.equal(unpackPayload(fromText.recordXml), xml, 'packed here when the intake step did not');
  const pre = packPayload(xml);
  t.equal(storedPayload({ ...base, recordXml: null, payload: pre })!.recordXml!.buffer, pre.buffer, 'the intake step\'s packing is used as it is');
  const signed = storedPayload({ ...base, recordXml: xml, signedXml: '<signed/>' })!;
  t.equal(unpackPayload(signed.signedXml), '<signed/>', 'a signed document is kept as received');
});
