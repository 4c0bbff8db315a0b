import { createHash, sign as rsaSign, verify as rsaVerify, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { recordKeyOf } from '../canonical/record.js';
import { loadSettings } from '../config/settings.js';
import { contentHashOf, recordToXml } from '../canonical/xml.js';
import { buildPacket } from '../packet/build.js';
import { ensureDemoPki } from '../pki/demo.js';
import { DemoSigners, sampleRecords, signedDocument } from '../record-signatures/demo-documents.js';
import { SignedRecordVerifier } from '../record-signatures/verify-pool.js';
import { FileKeySigner } from '../signing/file-key/file-key-signer.js';

// Signing speed, beside the raw RSA rates on the same keys in the same run (called by
// `npm run bench`). Rows: value, unit, floor, ratio = value / floor (>= 1 meets the floor).
//  - packet signing (200-record packets): the floor is half of what hashing the packet once
//    plus one raw RSA signature allow, i.e. signing must be bounded by hashing, not by XML;
//  - signature verification of signed học bạ (3 signatures each, 2 worker threads): floor 2,000/s;
//    and on one thread (what one core does): floor 1,000/s;
//  - the raw crypto.sign / crypto.verify rates, with the floor of the row they bound (a raw rate
//    under it would make that floor impossible on this key).
// Bounded to about 20 s in all.

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  floor: number;
  ratio: number;
}

const VERIFY_FLOOR = 2000;

/** Runs `fn` repeatedly for about `ms` and returns the rate per second. */
async function rate(ms: number, fn: () => unknown | Promise<unknown>, perCall = 1): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - start) < ms) {
    await fn();
    n += 1;
  }
  return (n * perCall * 1000) / elapsed;
}

function row(name: string, value: number, unit: string, floor: number): BenchRow {
  return { name, value: Math.round(value * 10) / 10, unit, floor: Math.round(floor * 10) / 10, ratio: Math.round((value / floor) * 100) / 100 };
}

export async function benchSigning(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hocba-bench-signing-'));
  const verifier: { v: SignedRecordVerifier | null } = { v: null };
  try {
    const pki = await ensureDemoPki(join(dir, 'pki'));
    const signer = new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert });
    const key = createPrivateKey(await readFile(pki.provinceKey));

    // A 200-record packet, as the delivery worker builds them.
    const records = sampleRecords(300, 42);
    const packet = buildPacket({
      packetId: 'PKT-BENCH',
      provinceCode: '01',
      createdAt: new Date().toISOString(),
      records: records.slice(0, 200).map((r) => {
        const xml = recordToXml(r);
        return { recordKey: recordKeyOf(r), contentHash: contentHashOf(xml), xml };
      }),
    });
    const signedInfoSized = Buffer.alloc(1100, 0x61); // about the size of a canonical SignedInfo

    const rawSign = await rate(2000, () => rsaSign('sha256', signedInfoSized, key));
    const hashPerSec = await rate(1000, () => createHash('sha256').update(packet).digest());
    const hashBound = 1 / (1 / hashPerSec + 1 / rawSign);
    await signer.sign(packet); // warm-up
    const packets = await rate(3000, () => signer.sign(packet));

    // Signed học bạ documents (teacher, principal, seal), verified by the worker pool.
    const signers = new DemoSigners(pki);
    const documents: string[] = [];
    for (const r of records) documents.push(await signedDocument(signers, r));
    const someSig = rsaSign('sha256', signedInfoSized, key);
    const publicKey = createPublicKey(key);
    const rawVerify = await rate(1500, () => rsaVerify('sha256', signedInfoSized, publicKey, someSig));

    const options = {
      trust: { anchors: [await readFile(pki.caCert, 'utf8')], intermediates: [], crls: [] },
      policy: { required: ['teacher', 'principal', 'seal'] as const, whenIncomplete: 'hold' as const, matchSignerNames: true, maxClockSkewMs: 300_000 },
      validation: loadSettings({}),
    };
    // One thread first (what one core does), then the pool the gateway uses.
    const single = await SignedRecordVerifier.create({ ...options, policy: { ...options.policy, required: [...options.policy.required] }, workers: 0 });
    await single.check(documents);
    const verifiedOneThread = await rate(2500, () => single.check(documents), documents.length * 3);
    verifier.v = await SignedRecordVerifier.create({ ...options, policy: { ...options.policy, required: [...options.policy.required] }, workers: 2 });
    const warm = await verifier.v.check(documents);
    if (!warm.every((o) => o.status === 'queued')) throw new Error('benchmark documents do not verify');
    // Two batches in flight keep both workers busy while the main thread hands out the next.
    const batch = () => Promise.all([verifier.v!.check(documents), verifier.v!.check(documents)]);
    const verified = await rate(4000, batch, documents.length * 2 * 3);

    return [
      row('packet signing, 200-record packets (file key)', packets, 'packets/s', hashBound / 2),
      row('raw crypto.sign RSA-2048, same key', rawSign, 'signatures/s', hashBound / 2),
      row('signature verification, signed học bạ (3 signatures each, 2 worker threads)', verified, 'signatures/s', VERIFY_FLOOR),
      row('signature verification, signed học bạ, one thread', verifiedOneThread, 'signatures/s', VERIFY_FLOOR / 2),
      row('raw crypto.verify RSA-2048, same key', rawVerify, 'verifications/s', VERIFY_FLOOR),
    ];
  } finally {
    await verifier.v?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/signing.js` prints the rows on their own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchSigning()) {
    process.stdout.write(`${r.name.padEnd(80)} ${r.value.toFixed(1).padStart(10)} ${r.unit.padEnd(16)} floor ${r.floor.toFixed(1).padStart(9)}  ratio ${r.ratio.toFixed(2)}\n`);
  }
}
