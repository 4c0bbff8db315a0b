import { splitVneduBatch } from '../adapters/vnedu/map.js';
import { createHash, createPrivateKey, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getAdapter } from '../adapters/registry.js';
import { validationContextFrom } from '../config/validation-context.js';
import { pkiDir } from '../config/settings.js';
import { buildPacket } from '../packet/build.js';
import { FileKeySigner } from '../signing/file-key/file-key-signer.js';
import { loadRecordValidator, readPacket } from '../simulator/packet-check.js';
import { intake } from '../pipeline/intake.js';
import { retryPolicyOf } from '../pipeline/submission.js';
import { ensureDemoPki } from '../pki/demo.js';
import { openStore } from '../storage/open-store.js';
import { startSimulatorProcess } from './child-processes.js';
import { distinctBatch } from './data.js';
import { benchGateway, benchSettings, scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (c) Records per second delivered to the Ministry simulator, which answers each call 50 ms late
// and runs in a process of its own: claim, build the packet, sign it with the province key,
// send, record each receipt. The outbox is filled first; the clock runs from the gateway's start
// to the last acknowledgement. Floor: SHA-256 of the same packets' bytes plus one RSA signature
// each, the cryptography that cannot be skipped.

const PACKET = 200;
const CONCURRENCY = 4;

export async function benchDelivery(backend: 'sqlite' | 'postgres', records: number, simulatorArgs: string[] = []): Promise<BenchRow[]> {
  const s = await scratch(backend);
  try {
    const settings = benchSettings(s, { delivery: { packetSize: PACKET, concurrency: CONCURRENCY, pollIntervalMs: 50 } });
    const pki = await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode });

    // Fill the outbox through the same steps as a submission, in one go.
    const adapter = getAdapter('vnedu')!;
    const ctx = validationContextFrom(settings);
    const store = await openStore(settings.databaseUrl);
    await store.migrate();
    const packets: string[] = [];
    for (let b = 0; b * 500 < records; b++) {
      const { items, context } = splitVneduBatch(distinctBatch(b, 500, 3000));
      const result = intake(adapter, items.slice(0, Math.min(500, records - b * 500)), context, ctx);
      await store.insertSubmission(
        { id: `bench-${b}`, vendor: 'vnedu', idempotencyKey: null, requestHash: `bench-${b}`, response: {}, createdAt: Date.now() },
        result.records,
        retryPolicyOf(settings),
      );
      if (packets.length < 5) {
        packets.push(
          buildPacket({
            packetId: `PKT-FLOOR-${b}`,
            provinceCode: settings.provinceCode,
            createdAt: new Date().toISOString(),
            records: result.records.slice(0, PACKET).map((x) => ({ recordKey: x.recordKey!, contentHash: x.contentHash!, xml: x.recordXml! })),
          }),
        );
      }
    }
    await store.close();

    const sim = await startSimulatorProcess(s.dir, 50, simulatorArgs);
    let seconds = 0;
    let acknowledged = 0;
    try {
      // The clock includes the gateway's start (well under a second): its worker starts with it.
      const start = performance.now();
      const gw = await benchGateway({ ...settings, ministry: { ...settings.ministry, url: sim.url } }, true);
      try {
        const deadline = start + 300_000;
        while (performance.now() < deadline) {
          await new Promise((done) => setTimeout(done, 100));
          acknowledged = (await gw.store.countByState()).acknowledged ?? 0;
          if (acknowledged >= records) break;
        }
        seconds = (performance.now() - start) / 1000;
      } finally {
        await gw.close();
      }
    } finally {
      await sim.stop();
    }
    if (acknowledged < records) throw new Error(`only ${acknowledged} of ${records} records were acknowledged in ${Math.round(seconds)} s`);

    // The floor: hashing each packet and one raw RSA signature, on the same packets and key.
    const key = createPrivateKey(readFileSync(pki.provinceKey));
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < 2000) {
      const p = packets[n++ % packets.length]!;
      const digest = createHash('sha256').update(p).digest();
      rsaSign('sha256', digest, key);
    }
    const floor = (n * PACKET * 1000) / (performance.now() - start);
    const checkUs = await simulatorCheckMicros(packets, pki.provinceKey, pki.provinceCert);
    return [
      makeRow({
        section: backend === 'sqlite' ? 'c' : 'c-pg',
        name: `delivery to the simulator (+50 ms per call${simulatorArgs.includes('--workers') ? `, checking on ${simulatorArgs[simulatorArgs.indexOf('--workers') + 1]} threads` : ''}), ${PACKET}-record signed packets, ${CONCURRENCY} in flight (${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
        value: acknowledged / seconds,
        unit: 'records/s',
        floor,
        floorIs: 'SHA-256 of each packet + one raw RSA-2048 signature',
        target: 5_000,
        boundBy: `the simulator's checks of each packet (XML parse, c14n, signature, schema: ${Math.round(checkUs)} µs of CPU per record, measured in this run) on the same 2 cores as the gateway; the gateway's side alone is row c-gw`,
      }),
    ];
  } finally {
    await s.drop();
  }
}

/**
 * What bounds (c), measured: the simulator's CPU time per record to read a signed packet
 * (simulator/packet-check.ts readPacket, as its check threads run it), in this process, on the
 * same packets.
 */
async function simulatorCheckMicros(packets: string[], keyPath: string, certPath: string): Promise<number> {
  const signer = new FileKeySigner({ keyPath, certPath });
  const signed = await Promise.all(packets.map((p) => signer.sign(p)));
  const ctx = { provinceCertPem: signer.certificatePem(), validateRecord: loadRecordValidator() };
  for (const p of signed) readPacket(p, ctx); // warm-up
  let records = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (const p of signed) records += readPacket(p, ctx).candidates.length;
  }
  return ((performance.now() - start) * 1000) / records;
}
