import { splitVneduBatch } from '../../src/adapters/vnedu/map.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAdapter } from '../../src/adapters/registry.js';
import { sampleVneduBatch } from '../../src/adapters/vnedu/sample.js';
import { buildPacket } from '../../src/packet/build.js';
import { loadSettings } from '../../src/config/settings.js';
import { validationContextFrom } from '../../src/config/validation-context.js';
import { intake } from '../../src/pipeline/intake.js';
import { ensureDemoTls, type DemoTlsPaths } from '../../src/pki/demo-tls.js';
import { ensureDemoPki, type DemoPkiPaths } from '../../src/pki/demo.js';
import { createSigner } from '../../src/signing/create-signer.js';
import type { PacketSigner } from '../../src/signing/signer.js';

// Real parts for transport tests: a demo PKI with TLS certificates, signed packets of valid
// records, and a tiny HTTP CONNECT proxy that leaves from an address of our choosing.

interface Tap {
  teardown(fn: () => unknown): void;
}

export interface Pki {
  dir: string;
  pki: DemoPkiPaths;
  tls: DemoTlsPaths;
  signer: PacketSigner;
  provinceCertPem: string;
  pem(path: string): string;
}

export async function demoPki(t: Tap): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'hocba-pki-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await ensureDemoPki(join(dir, 'pki'));
  const tls = await ensureDemoTls(pki.dir);
  const signer = await createSigner({ kind: 'file', keyPath: pki.provinceKey, certPath: pki.provinceCert });
  return { dir, pki, tls, signer, provinceCertPem: readFileSync(pki.provinceCert, 'utf8'), pem: (p) => readFileSync(p, 'utf8') };
}

/** The demo primary school: its records are the size of most a province sends. */
export const PRIMARY_SCHOOL = '01001234';

/** Valid records with distinct learner IDs (the prefix replaces the sample's school part). */
export function sampleRecords(n: number, prefix: string, seed = 1) {
  const adapter = getAdapter('vnedu')!;
  const batch = sampleVneduBatch(n, seed, { schoolId: PRIMARY_SCHOOL });
  batch.DanhSachHocSinh.forEach((s, i) => (s.MaHocSinh = `${prefix}${String(i + 1).padStart(5, '0')}`));
  const { items, context } = splitVneduBatch(batch);
  const out = intake(adapter, items, context, validationContextFrom(loadSettings({}))).records;
  if (out.some((r) => r.state !== 'queued')) throw new Error('sample records must all be valid');
  return out.map((r) => ({ recordKey: r.recordKey!, contentHash: r.contentHash!, xml: r.recordXml! }));
}

export async function signedPacket(signer: PacketSigner, records: ReturnType<typeof sampleRecords>) {
  const packetId = `PKT-${randomUUID()}`;
  return { packetId, xml: await signer.sign(buildPacket({ packetId, provinceCode: '01', createdAt: new Date().toISOString(), records })) };
}

export interface ConnectProxy {
  url: string;
  /** host:port of every CONNECT the proxy served. */
  tunnels: string[];
  /** The source address of each of those CONNECTs. */
  clients: string[];
  close(): Promise<void>;
}

/** An HTTP CONNECT proxy whose outgoing sockets leave from `egressAddress` (the province's static IP). */
export async function startConnectProxy(t: Tap, egressAddress: string): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const clients: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
  server.on('connect', (req, client: Socket, head) => {
    const [host, port] = (req.url ?? '').split(':');
    tunnels.push(req.url ?? '');
    clients.push(client.remoteAddress ?? '');
    const upstream = connect({ host, port: Number(port), localAddress: egressAddress }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  t.teardown(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, clients, close };
}

