import { availableParallelism } from 'node:os';
import { SaxesParser } from 'saxes';
import { emisAdapter, sampleEmisBatch } from '../adapters/emis/index.js';
import { smasXmlFormat } from '../adapters/smas/format.js';
import { sampleSmasBatchXml, sampleSmasEnvelope } from '../adapters/smas/sample.js';
import type { SplitBatch } from '../adapters/adapter.js';
import { benchGateway, benchSettings, scratch } from './gateway-fixture.js';
import { floorRate, postAll, type FloorReader, type PostTarget } from './intake.js';
import { makeRow, type BenchRow } from './report.js';

// (a) for the other vendor formats, as (a) measures vnEdu: 500-record batches posted over HTTP
// to a gateway with delivery off (SQLite), four clients at once, every record new. EMIS is JSON
// at POST /v1/submissions; SMAS is a SOAP 1.1 SubmitBatch envelope at /soap/smas/v1. The floor,
// on the same bodies: a bare parse (JSON.parse; for SMAS a saxes pass over the envelope, the
// XML parser the gateway reads it with), SHA-256 of each record's canonical XML and a bare
// batched INSERT (intake.ts floorRate).

const BATCH = 500;

export interface Kind {
  vendor: 'emis' | 'smas';
  title: string;
  target: PostTarget;
  bodies(batches: number): { bodies: string[]; reader: FloorReader };
}

const sync = (read: (body: string) => unknown) => (body: string) => read(body) as SplitBatch;

export const EMIS: Kind = {
  vendor: 'emis',
  title: 'EMIS JSON batches',
  target: {
    path: '/v1/submissions',
    headers: { 'content-type': 'application/json' },
    status: 202,
    queuedOf: (answer) => (JSON.parse(answer) as { queued: number }).queued,
  },
  bodies(batches) {
    const bodies = Array.from({ length: batches }, (_, b) => {
      const batch = sampleEmisBatch(BATCH, 3000 + b, { schoolId: '01005002' });
      // Sample learner IDs restart at 1 for each seed; numbered across the run, every record is new.
      batch.students.forEach((s, i) => {
        const n = String(b * BATCH + i + 1).padStart(6, '0');
        s.studentCode = `EM${batch.schoolCode}${n}`;
        s.recordNo = `EMIS-${batch.schoolCode}-B-${n}`;
      });
      return JSON.stringify(batch);
    });
    const format = emisAdapter.formats[0]!;
    return { bodies, reader: { vendor: 'emis', parse: (b) => JSON.parse(b), batch: sync((b) => format.read(b)) } };
  },
};

export const SMAS: Kind = {
  vendor: 'smas',
  title: 'SMAS SOAP SubmitBatch envelopes',
  target: {
    path: '/soap/smas/v1',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:viettel:smas:hocba:v1/SubmitBatch"' },
    status: 200,
    queuedOf: (answer) => Number(/<Queued>([0-9]+)<\/Queued>/.exec(answer)?.[1] ?? NaN),
  },
  bodies(batches) {
    const batchXml = new Map<string, string>();
    const bodies = Array.from({ length: batches }, (_, b) => {
      const opts = { schoolId: '01004001', firstNumber: b * BATCH + 1 };
      const envelope = sampleSmasEnvelope(BATCH, 4000 + b, { ...opts, idempotencyKey: `bench-smas-${b}` });
      batchXml.set(envelope, sampleSmasBatchXml(BATCH, 4000 + b, opts));
      return envelope;
    });
    const saxes = (text: string) => {
      const parser = new SaxesParser();
      parser.write(text).close();
    };
    return { bodies, reader: { vendor: 'smas', parse: saxes, batch: sync((b) => smasXmlFormat.read(batchXml.get(b)!)) } };
  },
};

export async function benchIntakeFormats(batches: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of [EMIS, SMAS]) {
    process.stderr.write(`bench a-${kind.vendor}: ${batches} batches of ${BATCH} …\n`);
    const s = await scratch('sqlite');
    try {
      const { bodies, reader } = kind.bodies(batches + 2);
      const settings = benchSettings(s);
      const gw = await benchGateway(settings, false);
      let result: { seconds: number; queued: number };
      try {
        const key = gw.demoCredentials!.vendors[kind.vendor]!;
        await postAll(gw.url, key, bodies.slice(0, 2), kind.target); // warm-up: JIT, worker threads, caches
        result = await postAll(gw.url, key, bodies.slice(2), kind.target);
      } finally {
        await gw.close();
      }
      if (result.queued !== batches * BATCH) throw new Error(`${kind.vendor}: expected ${batches * BATCH} records queued, got ${result.queued}`);
      rows.push(
        makeRow({
          section: `a-${kind.vendor}`,
          name: `intake: map + validate + store, 500-record ${kind.title} over HTTP, 4 clients (SQLite)`,
          value: result.queued / result.seconds,
          unit: 'records/s',
          floor: floorRate(bodies.slice(2), s.dir, settings, reader),
          floorIs: `${kind.vendor === 'smas' ? 'saxes parse' : 'JSON.parse'} + SHA-256 + bare batched SQLite INSERT`,
          boundBy: `CPU shared by the intake threads and the event loop on ${availableParallelism()} cores`,
        }),
      );
    } finally {
      await s.drop();
    }
  }
  return rows;
}
