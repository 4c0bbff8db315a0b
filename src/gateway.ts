import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { adapters } from './adapters/registry.js';
import { buildApp, LOG_REDACT } from './app.js';
import { pkiDir, type Settings } from './config/settings.js';
import { ensureDemoCredentials, type DemoCredentials } from './credentials/demo.js';
import type { Delivery } from './delivery/delivery.js';
import { deliveryWorkerFromSettings } from './delivery/from-settings.js';
import { DeliveryThread } from './delivery/thread/delivery-thread.js';
import type { KeysReloaded } from './plugins/services.js';
import { privateDir } from './storage/file-modes.js';
import { ensureDemoPki, type DemoPkiPaths } from './pki/demo.js';
import { policyFromSettings } from './record-signatures/policy.js';
import { loadTrustMaterial } from './record-signatures/trust-config.js';
import { TrustStore } from './record-signatures/trust-store.js';
import { createBatchIntake } from './pipeline/intake-pool.js';
import { SignedRecordVerifier } from './record-signatures/verify-pool.js';
import { summariseCertificate } from './signing/certificate-summary.js';
import { createSigner, type SignerConfig } from './signing/create-signer.js';
import type { PacketSigner } from './signing/signer.js';
import { startSimulator, type RunningSimulator } from './simulator/server.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';
import { xmlLimitsOf } from './signing/xml-prescan.js';
import { threadCount } from './threads/thread-count.js';
import { DEFAULT_RETENTION, startRetentionTimer } from './admin/retention.js';
import { prettyStream } from './logging/pretty.js';
import { createMetrics, type GatewayMetrics } from './metrics/metrics.js';
import { startMetricsServer } from './routes/metrics.js';
import { createTransport } from './transport/create-transport.js';

// The composition root: settings in, a running gateway out. Order matters: the store and its
// migrations, the PKI and signer, the Ministry (or its simulator), the delivery worker, then
// the HTTP server. Shutdown runs the other way, so nothing accepted is left half-sent.

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  store: Store;
  signer: PacketSigner;
  worker: Delivery | null;
  simulator: RunningSimulator | null;
  demoCredentials: DemoCredentials | null;
  logger: Logger;
  verifier: SignedRecordVerifier;
  /** Re-reads key, certificate and trust files without a restart (admin route, SIGHUP). */
  reloadKeys(): Promise<KeysReloaded>;
  close(): Promise<void>;
  /** The metrics' own URL when metrics.port is set. */
  metricsUrl: string | null;
}

/** The signer the settings name; the demo PKI's province key when no key file is set. */
export function signerConfig(settings: Settings, pki: DemoPkiPaths): SignerConfig {
  const s = settings.signer;
  if (s.kind === 'pkcs11') {
    if (!s.pkcs11.pin) throw new Error('signer.kind is pkcs11 but no PIN is set (PKCS11_PIN)');
    return { kind: 'pkcs11', ...s.pkcs11, pin: s.pkcs11.pin, certPath: s.certPath };
  }
  if (s.kind !== 'file') throw new Error(`signer.kind must be "file" or "pkcs11", not ${JSON.stringify(s.kind)}`);
  return { kind: 'file', keyPath: s.keyPath ?? pki.provinceKey, certPath: s.keyPath ? s.certPath : (s.certPath ?? pki.provinceCert), passphrase: s.passphrase };
}

export interface GatewayOptions {
  /** Run the delivery worker in this process (default true). */
  deliver?: boolean;
  logger?: Logger;
}

export async function startGateway(settings: Settings, opts: GatewayOptions = {}): Promise<RunningGateway> {
  // ISO times in every line; readable lines on a terminal, JSON lines anywhere else.
  const logger =
    opts.logger ??
    pino({ level: settings.logLevel, redact: LOG_REDACT, timestamp: pino.stdTimeFunctions.isoTime }, ...(process.stdout.isTTY ? [prettyStream()] : []));
  const store = await openStore(settings.databaseUrl);
  await store.migrate();

  // Database, keys and demo credentials are the owner's alone (storage/file-modes.ts).
  privateDir(settings.dataDir);
  const pki = await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode });
  const signer = await createSigner(signerConfig(settings, pki));
  const policy = policyFromSettings(settings.signedRecords);
  const verifier = await SignedRecordVerifier.create({
    trust: { ...(await loadTrustMaterial(settings.signedRecords, pki.caCert)), provinceCertificates: [signer.certificatePem()] },
    policy,
    workers: settings.signedRecords.verifyWorkers,
    limits: xmlLimitsOf(settings.signedRecords),
    validation: { rules: settings.rules, referenceData: settings.referenceData, provinceCode: settings.provinceCode },
  });
  const intake = createBatchIntake({
    workers: threadCount(settings.intakeWorkers, 'intakeWorkers'),
    spareWorkers: settings.intakeSpareWorkers,
    maxRecords: settings.maxRecordsPerBatch,
    validation: { rules: settings.rules, referenceData: settings.referenceData, provinceCode: settings.provinceCode },
  });
  for (const warning of verifier.trustStore.warnings) logger.warn({ warning }, 'trust configuration');

  // Trust files are read and checked first, then the signer swaps its pair, then the verifiers
  // swap theirs: a bad file changes nothing, and requests in flight finish with what they started.
  let reloading: Promise<KeysReloaded> | null = null;
  const reloadKeys = () =>
    (reloading ??= (async () => {
      try {
        const loaded = await loadTrustMaterial(settings.signedRecords, pki.caCert);
        await TrustStore.create(loaded);
        await signer.reload();
        // The province's packet key never signs a record: the verifiers know the (new) one.
        const material = { ...loaded, provinceCertificates: [signer.certificatePem()] };
        const store = await TrustStore.create(material);
        await verifier.reload(material);
        const result = {
          signer: { name: signer.name, certificate: summariseCertificate(signer.certificatePem()) },
          trust: { anchors: store.anchorCount, crls: store.crlCount, timeStampAnchors: store.timeStamping?.anchorCount ?? 0, warnings: store.warnings },
        };
        logger.info({ signer: result.signer.name, serialNumber: result.signer.certificate.serialNumber, anchors: result.trust.anchors, crls: result.trust.crls, timeStampAnchors: result.trust.timeStampAnchors }, 'keys reloaded');
        return result;
      } finally {
        reloading = null;
      }
    })());

  let simulator: RunningSimulator | null = null;
  let ministryUrl = settings.ministry.url;
  if (!ministryUrl) {
    simulator = await startSimulator({
      host: settings.simulator.host,
      port: settings.simulator.port,
      allowlist: settings.simulator.allowlist,
      provinceCertPem: readFileSync(pki.provinceCert, 'utf8'),
      clients: [{ clientId: settings.ministry.clientId, clientSecret: settings.ministry.clientSecret }],
      faults: settings.simulator.faults,
      workers: settings.simulator.workers,
      inspection: settings.simulator.inspection,
      inspectionToken: settings.simulator.inspectionToken,
    });
    ministryUrl = simulator.url;
    logger.info({ url: ministryUrl }, 'Ministry simulator started in process');
  }
  const transport = createTransport(settings.ministry, ministryUrl);
  // Metrics read the worker's circuit, which exists only below: the parts are looked up when scraped.
  let circuit: { snapshot(): import('./delivery/circuit-breaker.js').CircuitSnapshot } | undefined;
  const metrics: GatewayMetrics | undefined = settings.metrics?.enabled ? createMetrics(() => ({ store, signer, circuit, settings }), settings.metrics.cacheMs) : undefined;
  const onSend = metrics ? (seconds: number, outcome: string) => metrics.observeSend(seconds, outcome) : undefined;
  const worker: Delivery | null =
    opts.deliver === false
      ? null
      : settings.delivery.thread
        ? new DeliveryThread({ settings, ministryUrl, signer, logger, onSend })
        : deliveryWorkerFromSettings(settings, { store, transport, signer, logger, onSend });
  circuit = worker?.circuit;
  // Started before the HTTP server: what is already queued goes out while the server comes up
  // (and a delivery thread loads its modules meanwhile).
  worker?.start();

  let app: FastifyInstance;
  let demoCredentials: DemoCredentials | null;
  try {
    demoCredentials = await ensureDemoCredentials(
      store,
      join(settings.dataDir, 'demo-credentials.json'),
      Object.fromEntries(Object.values(adapters).map((a) => [a.vendor, a.sampleSchools])),
    );
    app = await buildApp(
      {
        settings, store, signer, transport, circuit: worker?.circuit, nudgeDelivery: () => worker?.nudge(), intake, verifier, reloadKeys,
        metrics, observeIntake: metrics ? (vendor, outcome) => metrics.observeIntake(vendor, outcome) : undefined,
      },
      logger.child({ component: 'http' }),
    );
    await app.listen({ host: settings.host, port: settings.port });
  } catch (e) {
    // A gateway that cannot start leaves nothing running: a delivery thread, the simulator or a
    // pool's threads would keep the process alive.
    await worker?.stop();
    await Promise.allSettled([transport.close(), simulator?.close(), verifier.close(), intake.close()]);
    await Promise.allSettled([signer.close?.(), store.close()]);
    throw e;
  }
  const metricsServer =
    metrics && settings.metrics.port != null ? await startMetricsServer(metrics, { host: settings.metrics.host, port: settings.metrics.port, token: settings.metrics.token }) : null;
  if (metricsServer) logger.info({ url: metricsServer.url }, 'metrics served');
  const retentionLog = logger.child({ component: 'retention' });
  const retention = startRetentionTimer(store, settings.retention ?? DEFAULT_RETENTION, (msg, fields) => retentionLog.info(fields, msg));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await app.close(); // stop taking requests; in-flight ones finish
      await metricsServer?.close();
      await retention.stop();
      // The packet in flight has delivery.shutdownGraceMs to finish; then it is left to be re-sent.
      const stopped = await worker?.stop();
      await transport.close({ force: stopped?.forced ?? false });
      await simulator?.close();
      await verifier.close();
      await intake.close();
      await signer.close?.();
      await store.close();
    })());

  return { url, app, store, signer, worker, simulator, demoCredentials, logger, verifier, reloadKeys, close, metricsUrl: metricsServer?.url ?? null };
}
