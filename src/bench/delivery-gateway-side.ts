import { splitVneduBatch } from '../adapters/vnedu/map.js';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { getAdapter } from '../adapters/registry.js';
import { pkiDir } from '../config/settings.js';
import { validationContextFrom } from '../config/validation-context.js';
import { deliveryWorkerFromSettings } from '../delivery/from-settings.js';
import { intake } from '../pipeline/intake.js';
import { retryPolicyOf } from '../pipeline/submission.js';
import { ensureDemoPki } from '../pki/demo.js';
import { FileKeySigner } from '../signing/file-key/file-key-signer.js';
import { openStore } from '../storage/open-store.js';
import type { MinistryTransport, Receipt } from '../transport/transport.js';
import { distinctBatch } from './data.js';
import { benchSettings, scratch } from './gateway-fixture.js';
import { makeRow, type BenchRow } from './report.js';

// (c, gateway side) What the gateway's own delivery path sustains when the Ministry costs it
// nothing but the same 50 ms per call: claim, build, sign, hand over, record each receipt. The
// "Ministry" here accepts every record of a packet without reading it; it is a measuring stick
// for this row only, never a stand-in in tests (those use the strict simulator). Set beside (c),
// it shows which side bounds delivery.

const PACKET = 200;
const CONCURRENCY = 4;

/** Accepts every record it is sent, 50 ms later; reads only the record keys. */
class InstantMinistry implements MinistryTransport {
  #next = 0;
  async sendPacket(packetId: string, signedXml: string): Promise<Receipt> {
    await sleep(50);
    const results = [...signedXml.matchAll(/<record [^>]*?\bkey="([^"]+)"/g)].map((m) => ({ recordKey: m[1]!, status: 'accepted' as const, ministryRecordId: `M-${++this.#next}` }));
    return { packetId, receivedAt: new Date().toISOString(), results };
  }
  async probe(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

export async function benchDeliveryGatewaySide(records: number): Promise<BenchRow[]> {
  const s = await scratch('sqlite');
  try {
    const settings = benchSettings(s, { delivery: { packetSize: PACKET, concurrency: CONCURRENCY, pollIntervalMs: 50 } });
    const pki = await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode });
    const adapter = getAdapter('vnedu')!;
    const ctx = validationContextFrom(settings);
    const store = await openStore(settings.databaseUrl);
    await store.migrate();
    try {
      for (let b = 0; b * 500 < records; b++) {
        const { items, context } = splitVneduBatch(distinctBatch(b, 500, 4000));
        const result = intake(adapter, items, context, ctx);
        await store.insertSubmission({ id: `bench-${b}`, vendor: 'vnedu', idempotencyKey: null, requestHash: `b${b}`, response: {}, createdAt: Date.now() }, result.records, retryPolicyOf(settings));
      }
      const worker = deliveryWorkerFromSettings(settings, {
        store,
        transport: new InstantMinistry(),
        signer: new FileKeySigner({ keyPath: pki.provinceKey, certPath: pki.provinceCert }),
        logger: pino({ level: 'warn' }),
      });
      const start = performance.now();
      worker.start();
      let acknowledged = 0;
      while (acknowledged < records && performance.now() - start < 120_000) {
        await sleep(50);
        acknowledged = (await store.countByState()).acknowledged ?? 0;
      }
      const seconds = (performance.now() - start) / 1000;
      await worker.stop();
      return [
        makeRow({
          section: 'c-gw',
          name: `delivery, the gateway's side alone: same packets, ${CONCURRENCY} in flight, a Ministry that accepts after 50 ms without checking (SQLite)`,
          value: acknowledged / seconds,
          unit: 'records/s',
          floor: (CONCURRENCY * PACKET) / 0.05,
          floorIs: `${CONCURRENCY} packets of ${PACKET} per 50 ms round trip`,
          target: 5_000,
          boundBy: 'the 50 ms round trip with 4 packets in flight, and claiming, signing and recording on one event loop',
        }),
      ];
    } finally {
      await store.close();
    }
  } finally {
    await s.drop();
  }
}
