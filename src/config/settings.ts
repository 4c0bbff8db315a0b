import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoleRules } from '../record-signatures/policy.js';
import type { ThreadSetting } from '../threads/thread-count.js';
import type { HealthSettings } from '../routes/health.js';
import type { RuleSettings } from '../validation/context.js';

// Settings come from config/default.json, then an optional JSON file named by CONFIG_FILE
// (deep-merged), then the environment variables the README documents. Province codes, school
// codes and secrets belong here or in the environment, never in code.

export interface RetrySettings {
  inProcessAttempts: number;
  inProcessMinDelayMs: number;
  inProcessMaxDelayMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  capDelayMs: number;
  /** Share of each delay that is random (0..1). */
  jitter: number;
  /** How long a record may keep failing before it goes dead; null: until maxAttempts. */
  totalTimeMs: number | null;
}

export interface MinistryTlsSettings {
  /** CA bundle the Ministry's server certificate must chain to (PEM); null: the system's. */
  caPath: string | null;
  /** The province's client certificate and key for mutual TLS (PEM); null: none. */
  certPath: string | null;
  keyPath: string | null;
  passphrase: string | null;
}

export interface SignedRecordSettings {
  /** Trust anchors (PEM files, several certificates each allowed); empty = the demo CA. */
  trustAnchors: string[];
  /** Intermediate CA certificates (PEM files) that signers' KeyInfo may leave out. */
  intermediates: string[];
  /** CRL files (DER or PEM) checked for revocation. */
  crlFiles: string[];
  /** Signatures a record needs before it is sent, e.g. "teacher+principal+seal", or "none". */
  required: string;
  /** What happens to a record that lacks a required signature: refuse it, or hold it until a complete one arrives. */
  whenIncomplete: 'reject' | 'hold';
  /** The teacher's and principal's certificates must name the homeroom teacher and principal of the record. */
  matchSignerNames: boolean;
  /** How far a signing time may lie in the future (clock skew). */
  maxClockSkewSeconds: number;
  /** Worker threads that verify signatures. */
  verifyWorkers: number;
  maxDocumentsPerRequest: number;
  // Signers bound to their roles (issue 14, item 2): record-signatures/policy.ts RoleRules.
  /** What each role's certificate must be: policy OIDs, key usages; the principal's deputy; the seal's school identifier. */
  roles: RoleRules;
  /**
   * Roots of the RFC 3161 time-stamp authorities trusted (PEM files). A signature with a verified
   * time-stamp has its certificate checked at the time stamped; without one, at receipt. Empty: a
   * signature carrying a time-stamp is refused (TIMESTAMP_UNSUPPORTED).
   */
  tsa: { trustAnchors: string[] };
  // Bounds on one signed document, checked before it is parsed (signing/xml-prescan.ts).
  /** UTF-8 bytes of one document; over it the whole request is refused (413 DOCUMENT_TOO_LARGE). */
  maxDocumentBytes: number;
  /** Elements of one document (DOCUMENT_LIMIT_EXCEEDED); a signed học bạ has about 300. */
  maxElements: number;
  /** Nesting depth of one document (DOCUMENT_LIMIT_EXCEEDED); a signed học bạ has about 10 levels. */
  maxDepth: number;
  /** Attributes of one document, namespace declarations included (DOCUMENT_LIMIT_EXCEEDED); a signed học bạ has about 40. */
  maxAttributes: number;
}

// Rate limits (issue 14, items 11 and 12): plugins/rate-limit.ts.
export interface RateLimitSettings {
  /** false: no limits at all (the plugin registers nothing). */
  enabled: boolean;
  /** Requests a minute for one Bearer key or dashboard session. */
  perKeyPerMinute: number;
  /** Requests a minute from one address without a key (health, templates, sign-in, docs, SOAP UsernameToken). */
  perAddressPerMinute: number;
  /** Refused keys or tokens a minute from one address; past it every request from there is 429 AUTH_RATE_LIMITED. */
  failedAuthPerMinute: number;
  /** Public lookups (GET /lookup/…) a minute from one address: each answers whether a học bạ exists, so fewer than other routes. */
  lookupPerMinute: number;
}

export interface Settings {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  provinceCode: string;
  /** The address parents and schools reach this gateway at (PUBLIC_URL): the PDF's lookup link and QR code. null: the request's own host. */
  publicUrl: string | null;
  logLevel: string;
  bodyLimitBytes: number;
  maxRecordsPerBatch: number;
  /** Threads that map and validate batches: "auto" (one fewer than the cores, at least one) or a number; 0 maps in the event loop. */
  intakeWorkers: ThreadSetting;
  /**
   * Spare-time intake threads beside intakeWorkers, at niceness 10 (Linux): a large batch goes to
   * one only while every intake thread holds one; it maps on the time the event loop, the intake
   * threads and other processes leave, and keeps a small share while every core is busy. 0: none.
   */
  intakeSpareWorkers: number;
  ministry: {
    /** Which binding of the Ministry profile to speak: specs/ministry-profile/v0 openapi.yaml or ministry.wsdl. */
    binding: 'rest' | 'soap';
    url: string | null;
    clientId: string;
    clientSecret: string;
    timeoutMs: number;
    /** The province's static IP: bind outgoing sockets to it, or go through an HTTP CONNECT proxy that has it. */
    egress: { localAddress: string | null; proxy: string | null };
    tls: MinistryTlsSettings;
  };
  /** The Ministry simulator; `workers`: threads that check packets (0: on its event loop). */
  simulator: {
    host: string;
    port: number;
    allowlist: string[];
    faults: Record<string, unknown>;
    workers: number;
    /** The /_sim/ inspection and fault endpoints: open to all (true), behind `inspectionToken`, or off (404). */
    inspection: boolean;
    inspectionToken: string | null;
  };
  signer: {
    kind: 'file' | 'pkcs11';
    /** file: PEM key or PKCS#12 bundle; null = the demo PKI's province key. */
    keyPath: string | null;
    certPath: string | null;
    passphrase: string | null;
    pkcs11: { modulePath: string; tokenLabel: string; keyLabel: string; pin: string | null };
  };
  signedRecords: SignedRecordSettings;
  delivery: {
    packetSize: number;
    /** Packets in flight at once from this replica. */
    concurrency: number;
    /** Packets a second towards the Ministry from this replica; 0: no limit. */
    packetsPerSecond: number;
    pollIntervalMs: number;
    leaseMs: number;
    retry: RetrySettings;
    circuit: { failureThreshold: number; coolDownMs: number; maxCoolDownMs: number };
    /** Deliver from a thread of its own (default) rather than the event loop that answers requests. */
    thread: boolean;
    /** Niceness of the delivery thread (0-19, Linux): vendors' requests get the CPU first. 0: as the rest. */
    threadNice: number;
    /**
     * Run the delivery thread under SCHED_IDLE (Linux): it gets a core only when no request-serving
     * thread wants one, and a woken request thread takes the core from it at once. threadNice
     * still applies where this cannot (another system, or chrt(1) missing). Under a load that
     * keeps every core busy, delivery waits until the load eases; what is queued stays queued.
     */
    threadIdle: boolean;
    /** At shutdown, how long a packet in flight may take to be answered before it is left to be re-sent (default 5 s). */
    shutdownGraceMs: number;
  };
  /** Province and school codes (config/README.md); paths relative to the package root. */
  referenceData: { provincesFile: string; schoolsFile: string };
  /** Business-rule settings, checked by config/validation-context.ts (docs/rules.md). */
  rules: RuleSettings;
  // Faults and limits (issue 14)
  /** /readyz: cache of the database and disk checks, and the disk threshold (routes/health.ts). */
  health: HealthSettings;
  // Operations (issue 13): retention of payloads and the Prometheus endpoint.
  /** Payloads (record and signed XML) are cleared payloadDays after acknowledgement (admin/retention.ts). */
  retention: { payloadDays: number | null; batchSize: number; intervalMs: number };
  /**
   * GET /metrics (Prometheus). `token`: required as Bearer when set (METRICS_TOKEN); `port`: serve
   * it on a port of its own (host `host`) instead of the API's port; with neither it is refused
   * on the API port (set one of them). `cacheMs`: how long the counts behind the gauges are reused.
   */
  metrics: { enabled: boolean; token: string | null; port: number | null; host: string; cacheMs: number };
  /** The dashboard's session (plugins/session.ts). */
  admin: {
    /** Signs session cookies; null: a random secret kept in <dataDir>/session-secret (0600). */
    sessionSecret: string | null;
    /** How long a dashboard sign-in lasts. */
    sessionHours: number;
  };
  // Rate limits (issue 14, items 11 and 12)
  rateLimit: RateLimitSettings;
}

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge<T>(base: T, over: unknown): T {
  if (!isObject(base) || !isObject(over)) return (over === undefined ? base : over) as T;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Loads settings; `overrides` (tests, CLI flags) win over everything else. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, overrides: unknown = {}): Settings {
  let s = readJson(join(PACKAGE_ROOT, 'config', 'default.json')) as Settings;
  if (env.CONFIG_FILE) s = deepMerge(s, readJson(resolve(env.CONFIG_FILE)));
  const fromEnv: Json = {};
  if (env.HOST) fromEnv.host = env.HOST;
  if (env.PORT) fromEnv.port = Number(env.PORT);
  if (env.DATA_DIR) fromEnv.dataDir = env.DATA_DIR;
  if (env.DATABASE_URL) fromEnv.databaseUrl = env.DATABASE_URL;
  if (env.PUBLIC_URL) fromEnv.publicUrl = env.PUBLIC_URL;
  if (env.LOG_LEVEL) fromEnv.logLevel = env.LOG_LEVEL;
  if (env.PROVINCE_CODE) fromEnv.provinceCode = env.PROVINCE_CODE;
  const ministry: Json = {};
  if (env.MINISTRY_URL) ministry.url = env.MINISTRY_URL;
  if (env.MINISTRY_CLIENT_ID) ministry.clientId = env.MINISTRY_CLIENT_ID;
  if (env.MINISTRY_CLIENT_SECRET) ministry.clientSecret = env.MINISTRY_CLIENT_SECRET;
  if (env.MINISTRY_BINDING) ministry.binding = env.MINISTRY_BINDING;
  const egress: Json = {};
  if (env.EGRESS_LOCAL_ADDRESS) egress.localAddress = env.EGRESS_LOCAL_ADDRESS;
  if (env.EGRESS_PROXY) egress.proxy = env.EGRESS_PROXY;
  if (Object.keys(egress).length) ministry.egress = egress;
  if (Object.keys(ministry).length) fromEnv.ministry = ministry;
  const sim: Json = {};
  if (env.SIMULATOR_PORT) sim.port = Number(env.SIMULATOR_PORT);
  if (env.SIMULATOR_INSPECTION) sim.inspection = env.SIMULATOR_INSPECTION === '1' || env.SIMULATOR_INSPECTION === 'true';
  if (Object.keys(sim).length) fromEnv.simulator = sim;
  // Secrets of the signing key come from the environment rather than a file on disk.
  const signer: Json = {};
  if (env.SIGNER_PASSPHRASE) signer.passphrase = env.SIGNER_PASSPHRASE;
  if (env.PKCS11_PIN) signer.pkcs11 = { pin: env.PKCS11_PIN };
  if (Object.keys(signer).length) fromEnv.signer = signer;
  if (env.METRICS_TOKEN) fromEnv.metrics = { token: env.METRICS_TOKEN };
  if (env.ADMIN_SESSION_SECRET) fromEnv.admin = { sessionSecret: env.ADMIN_SESSION_SECRET };
  s = deepMerge(s, fromEnv);
  s = deepMerge(s, overrides);
  if (!s.databaseUrl) s.databaseUrl = join(s.dataDir, 'gateway.db');
  const grace = s.delivery.shutdownGraceMs;
  if (!(typeof grace === 'number' && Number.isFinite(grace) && grace >= 0)) {
    throw new Error(`delivery.shutdownGraceMs must be a number of milliseconds (0 or more), not ${JSON.stringify(grace)}`);
  }
  if (!Number.isInteger(s.intakeSpareWorkers) || s.intakeSpareWorkers < 0) {
    throw new Error(`intakeSpareWorkers must be a whole number of threads (0: none), not ${JSON.stringify(s.intakeSpareWorkers)}`);
  }
  if (typeof s.delivery.threadIdle !== 'boolean') {
    throw new Error(`delivery.threadIdle must be true or false, not ${JSON.stringify(s.delivery.threadIdle)}`);
  }
  if (s.ministry.binding !== 'rest' && s.ministry.binding !== 'soap') {
    throw new Error(`ministry.binding must be "rest" or "soap", not ${JSON.stringify(s.ministry.binding)}`);
  }
  return s;
}

export function pkiDir(s: Settings): string {
  return join(s.dataDir, 'pki');
}
