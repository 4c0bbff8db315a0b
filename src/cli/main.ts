#!/usr/bin/env node
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSettings, pkiDir } from '../config/settings.js';
import { commandUsage, credentialsCommand, purgeCommand, wantsHelp } from './operator.js';

// hocba-gw: one command for operators. `start` runs the gateway, `simulator` the Ministry
// simulator alone, `sample` writes a synthetic vendor batch, `import` streams a large one into
// the outbox, `vendor-check` reports a vendor file's conformance without storing it, `keys init` makes the demo PKI, `verify` checks the signatures of a signed học bạ or
// a packet. Each command loads only its own modules: an import does not carry the HTTP server,
// SOAP and PKCS#11 stacks in its memory.

const USAGE = `usage: hocba-gw <command> [options]

  start                         run the gateway (HOST, PORT, DATABASE_URL, MINISTRY_URL, CONFIG_FILE)
  simulator [--host H] [--port P] [--allow ADDR]... [--faults JSON] [--tls] [--workers N] [--inspection]
                                run the Ministry simulator alone (default 127.0.0.1:8090), REST
                                and SOAP; --tls serves HTTPS and requires the demo client certificate;
                                --workers: threads that check packets (0: on the event loop)
  sample --vendor V --records N [--seed S] [--grade G] [--out FILE] [--signed]
                                write a valid synthetic batch of N students to stdout (vendors:
                                vnedu, emis, ...); --grade: every student in grade G (1-12);
                                --out: to FILE (needed for binary formats such as xlsx);
                                --signed: {"documents": [...]} signed by demo teacher, principal
                                and seal
  import --vendor V <file|-> [--format F] [--key KEY] [--schools CODE,CODE] [--chunk N]
         [--name NAME] [--errors FILE] [--workers W]
                                stream a vendor batch of any size into the outbox (DATABASE_URL),
                                N records a submission (500); a re-run stores nothing twice; prints
                                a JSON summary; rejected records' errors go to FILE as NDJSON;
                                W intake threads (0: faster per core, least memory);
                                F: json, xml or xlsx (default: by the file's extension, else the
                                vendor's first); --key acts for that vendor key (its schools only),
                                --schools stores records of those schools only (others are refused
                                with SCHOOL_NOT_AUTHORISED); exit 1 when every record was rejected
  vendor-check --vendor V <file> [--format F] [--json]
                                conformance report for a vendor's developer: records read, valid,
                                invalid, each error (record, key, path, code, English and
                                Vietnamese message, sheet/row/cell), the codes most often broken;
                                needs no gateway database, stores nothing; --json: one JSON
                                document; exit 0 all valid, 1 some invalid, 2 file unreadable
  keys init                     make the demo PKI under data/pki/ (if absent)
  credentials create|list|revoke|rotate
                                vendor keys limited to their schools (keys shown once)
  admins create|list|revoke     admin accounts with a role: viewer, operator, admin
  purge [--dry-run]             clear payloads acknowledged more than retention.payloadDays ago
  verify <file.xml> [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--tsa PEM]...
                      [--required ROLES] [--province-cert PEM]
                                check every signature of a signed học bạ (or a packet): signer,
                                chain, verdict; exit 1 when a required signature fails or is missing
  render <file.xml> --out <file.pdf> [--public-url URL] [--ca PEM]...
                                the PDF học bạ of a record (<hocba>) or a signed học bạ
                                (<signedHocba>, its signatures checked now as verify does): the
                                record form, signatures and verdicts, lookup code and QR code;
                                exit 1 when the record cannot be read or a signature fails

hocba-gw <command> --help prints the usage of one command.
`;

/** A command line the gateway cannot act on (unknown vendor, missing argument): exit 2. */
class UsageError extends Error {}

/** The adapter of `vendor`, or a usage error listing the vendors there are. */
async function adapterOf(vendor: string) {
  const { getAdapter, adapters } = await import('../adapters/registry.js');
  const adapter = getAdapter(vendor);
  if (!adapter) throw new UsageError(`unknown vendor: ${vendor} (vendors: ${Object.keys(adapters).join(', ')})`);
  return adapter;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping (in-flight deliveries finish or go back to the queue)\n`);
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function start(): Promise<void> {
  const { startGateway } = await import('../gateway.js');
  const settings = loadSettings();
  const gw = await startGateway(settings);
  if (gw.demoCredentials) {
    process.stdout.write(
      `\nDemo credentials (shown once; also in ${settings.dataDir}/demo-credentials.json):\n` +
        Object.entries(gw.demoCredentials.vendors).map(([v, k]) => `  vendor ${v}: ${k}\n`).join('') +
        `  admin: ${gw.demoCredentials.admin}\n\n`,
    );
  }
  process.stdout.write(`hocba-gateway listening on ${gw.url} (docs: ${gw.url}/docs)` + (gw.simulator ? `, Ministry simulator on ${gw.simulator.url}` : '') + '\n');
  onSignals(gw.close);
  // SIGHUP: key rotation without a restart, like POST /admin/v1/keys/reload.
  process.on('SIGHUP', () => {
    gw.reloadKeys().then(
      (r) => process.stderr.write(`SIGHUP: keys reloaded (certificate serial ${r.signer.certificate.serialNumber})\n`),
      (e) => process.stderr.write(`SIGHUP: keys not reloaded, the previous ones stay in use: ${(e as Error).message}\n`),
    );
  });
}

async function simulator(args: string[]): Promise<void> {
  const [{ ensureDemoPki }, { ensureDemoTls }, { startSimulator }] = await Promise.all([import('../pki/demo.js'), import('../pki/demo-tls.js'), import('../simulator/server.js')]);
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      allow: { type: 'string', multiple: true },
      cert: { type: 'string' },
      faults: { type: 'string' },
      tls: { type: 'boolean' },
      workers: { type: 'string' },
      inspection: { type: 'boolean' },
    },
  });
  const settings = loadSettings();
  const pki = await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode });
  const certPath = values.cert ?? pki.provinceCert;
  const tls = values.tls ? await ensureDemoTls(pki.dir, settings.provinceCode) : null;
  const sim = await startSimulator({
    faults: values.faults !== undefined ? JSON.parse(values.faults) : settings.simulator.faults,
    tls: tls ? { cert: readFileSync(tls.serverCert, 'utf8'), key: readFileSync(tls.serverKey, 'utf8'), ca: readFileSync(tls.caCert, 'utf8') } : undefined,
    host: values.host ?? settings.simulator.host,
    port: values.port ? Number(values.port) : settings.simulator.port,
    allowlist: values.allow ?? settings.simulator.allowlist,
    provinceCertPem: readFileSync(certPath, 'utf8'),
    clients: [{ clientId: settings.ministry.clientId, clientSecret: settings.ministry.clientSecret }],
    logger: { level: settings.logLevel },
    workers: values.workers !== undefined ? Number(values.workers) : settings.simulator.workers,
    inspection: values.inspection ?? settings.simulator.inspection,
    inspectionToken: settings.simulator.inspectionToken,
  });
  process.stdout.write(`Ministry simulator listening on ${sim.url}\n`);
  onSignals(sim.close);
}

// Up to this many students a sample is one seeded batch, pretty-printed; above, it streams.
const STREAM_SAMPLES_ABOVE = 5000;

async function sample(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { vendor: { type: 'string', default: 'vnedu' }, records: { type: 'string', default: '30' }, seed: { type: 'string' }, signed: { type: 'boolean' }, grade: { type: 'string' }, out: { type: 'string' } },
  });
  const adapter = await adapterOf(values.vendor!);
  const n = Number(values.records);
  if (!Number.isInteger(n) || n < 1) throw new Error('--records must be a positive whole number');
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const grade = values.grade !== undefined ? Number(values.grade) : undefined;
  if (grade !== undefined && !(Number.isInteger(grade) && grade >= 1 && grade <= 12)) throw new Error('--grade must be a whole number from 1 to 12');
  if (values.signed) {
    // Signed học bạ documents for POST /v1/signed-records, signed by demo teacher, principal and
    // seal certificates from this data directory's demo CA.
    const settings = loadSettings();
    const [{ ensureDemoPki }, { DemoSigners, sampleRecords, signedDocument }] = await Promise.all([import('../pki/demo.js'), import('../record-signatures/demo-documents.js')]);
    const signers = new DemoSigners(await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode }));
    const documents: string[] = [];
    for (const r of sampleRecords(n, seed)) documents.push(await signedDocument(signers, r));
    process.stdout.write(JSON.stringify({ documents }) + '\n');
    return;
  }
  if (n > STREAM_SAMPLES_ABOVE && values.vendor === 'vnedu' && !values.out && grade === undefined) {
    // A year-end-sized sample is written as it is made (blocks of 500 students), never whole in memory.
    const { sampleBatchText } = await import('../adapters/vnedu/sample-stream.js');
    for (const piece of sampleBatchText(n, seed)) {
      if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
    }
    return;
  }
  const made = await adapter.sample({ records: n, seed, ...(grade !== undefined ? { grade } : {}) });
  if (values.out) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(values.out, made.body);
    process.stderr.write(`${values.out}: ${made.mediaType}, ${n} students of vendor ${adapter.vendor}\n`);
    return;
  }
  if (typeof made.body !== 'string' && process.stdout.isTTY) throw new UsageError(`a ${made.mediaType} sample is binary: give --out FILE`);
  process.stdout.write(made.body);
}

// The import's heap is capped: V8 otherwise grows it lazily to several hundred MB of garbage
// while streaming a large file, and a province's server runs the gateway beside it.
const IMPORT_HEAP_MB = 192;

/**
 * Runs this command again in a child with the import's heap cap (unless this is that child):
 * true when the child ran it, and its exit code is this process's.
 */
async function inCappedHeap(): Promise<boolean> {
  if (process.env.HOCBA_IMPORT_CHILD) {
    watchParent();
    return false;
  }
  if (process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) return false;
  const { spawn } = await import('node:child_process');
  // An IPC channel that the child watches: when the parent dies (even kill -9) it closes, and the
  // child stops rather than go on storing unseen.
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${IMPORT_HEAP_MB}`, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, HOCBA_IMPORT_CHILD: String(process.pid) },
  });
  child.channel?.unref();
  // A signal to the parent (Ctrl-C, SIGTERM) reaches the child as well.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.exitCode = code ?? (signal ? 1 : 0);
  return true;
}

/** In the capped child: stop when the parent has gone. */
function watchParent(): void {
  const orphaned = () => {
    process.stderr.write('hocba-gw: the parent process ended; stopping (chunks already stored stay stored; run the import again to finish)\n');
    process.exit(1);
  };
  // The parent may have died while this process was still loading, before the channel could
  // tell: its pid, polled, says so too (a reparented process has another ppid).
  const parent = Number(process.env.HOCBA_IMPORT_CHILD);
  if ((process.channel && !process.connected) || (parent > 1 && process.ppid !== parent)) orphaned();
  process.channel?.unref();
  process.once('disconnect', orphaned);
  if (parent > 1) setInterval(() => process.ppid !== parent && orphaned(), 500).unref();
}

async function importCommand(args: string[]): Promise<void> {
  if (await inCappedHeap()) return;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      vendor: { type: 'string', default: 'vnedu' },
      format: { type: 'string' },
      key: { type: 'string' },
      schools: { type: 'string' },
      chunk: { type: 'string', default: '500' },
      name: { type: 'string' },
      errors: { type: 'string' },
      workers: { type: 'string', default: '0' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('usage: hocba-gw import --vendor V <file|-> [--format F] [--key KEY] [--schools CODE,CODE] [--chunk N] [--name NAME] [--errors FILE]');
  await adapterOf(values.vendor!);
  const schools = values.schools === undefined ? null : values.schools.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (schools !== null && schools.length === 0) throw new UsageError('--schools needs at least one school code');
  const { runImport } = await import('./import.js');
  const progress = await importProgressFor(positionals[0]!);
  let summary: Awaited<ReturnType<typeof runImport>> | null = null;
  try {
    summary = await runImport({
      vendor: values.vendor!,
      format: values.format,
      source: positionals[0]!,
      chunk: Number(values.chunk),
      name: values.name ?? null,
      errorsFile: values.errors ?? null,
      workers: Number(values.workers),
      key: values.key ?? null,
      schools,
      ...(progress ? { onProgress: progress.onProgress, onInput: progress.onInput } : {}),
    });
  } finally {
    progress?.done(summary);
  }
  process.stdout.write(JSON.stringify(summary) + '\n');
  importExitCode(summary, values.errors);
}

// --- operator experience (issue 13): the import's progress bar and exit status ---

/** A progress bar on stderr when it is a terminal; null otherwise (logs and pipes stay clean). */
async function importProgressFor(source: string) {
  if (!process.stderr.isTTY) return null;
  const [{ importProgress }, { statSync }] = await Promise.all([import('./operator.js'), import('node:fs')]);
  let size: number | null = null;
  try {
    size = source === '-' ? null : statSync(source).size;
  } catch {
    /* runImport reports a missing file */
  }
  return importProgress(process.stderr, size);
}

/** Every record rejected (and at least one read): nothing stored because nothing was acceptable; exit 1, so that scripts notice. */
function importExitCode(summary: { records: number; queued: number; rejected: number } | null, errorsFile: string | undefined): void {
  if (summary && summary.records > 0 && summary.queued === 0 && summary.rejected > 0) {
    process.stderr.write(`hocba-gw: every record was rejected (${summary.rejected})${errorsFile ? `; errors in ${errorsFile}` : '; give --errors FILE for the reasons'}\n`);
    process.exitCode = 1;
  }
}

async function vendorCheckCommand(args: string[]): Promise<void> {
  if (await inCappedHeap()) return;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { vendor: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, chunk: { type: 'string', default: '500' } },
  });
  if (!values.vendor || positionals.length !== 1) throw new UsageError('usage: hocba-gw vendor-check --vendor V <file> [--format F] [--json]');
  await adapterOf(values.vendor);
  const { vendorCheck, reportText } = await import('./vendor-check.js');
  const { report, exitCode } = await vendorCheck({ vendor: values.vendor, file: positionals[0]!, format: values.format, chunk: Number(values.chunk) });
  const out = values.json ? JSON.stringify(report, null, 2) + '\n' : reportText(report);
  if (!process.stdout.write(out)) await once(process.stdout, 'drain');
  process.exitCode = exitCode;
}

async function keys(args: string[]): Promise<void> {
  if (args[0] !== 'init') throw new Error('usage: hocba-gw keys init');
  const [{ ensureDemoPki }, { ensureDemoTls }] = await Promise.all([import('../pki/demo.js'), import('../pki/demo-tls.js')]);
  const settings = loadSettings();
  const p = await ensureDemoPki(pkiDir(settings), { provinceCode: settings.provinceCode });
  await ensureDemoTls(p.dir, settings.provinceCode);
  process.stdout.write(`demo PKI in ${p.dir}: ca.pem, province.pem/.key, school-seal.pem/.key, ministry-tls.pem/.key, province-tls.pem/.key\n`);
}

const TRUST_OPTIONS = {
  ca: { type: 'string', multiple: true },
  intermediate: { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  /** Roots of trusted RFC 3161 time-stamp authorities (signedRecords.tsa.trustAnchors). */
  tsa: { type: 'string', multiple: true },
  required: { type: 'string' },
  'province-cert': { type: 'string' },
} as const;

/** What `verify` and `render` check signatures against: flags first, then the settings, then the demo PKI. */
async function verifyOptionsFrom(values: { ca?: string[]; intermediate?: string[]; crl?: string[]; tsa?: string[]; required?: string; 'province-cert'?: string }) {
  const [{ demoPkiPaths }, { loadTrustMaterial }, { validationContextFrom }, { policyFromSettings }] = await Promise.all([
    import('../pki/demo.js'),
    import('../record-signatures/trust-config.js'),
    import('../config/validation-context.js'),
    import('../record-signatures/policy.js'),
  ]);
  const settings = loadSettings();
  // Flags win over the settings; with neither, the demo CA of this data directory is the anchor.
  const sr = {
    ...settings.signedRecords,
    ...(values.ca ? { trustAnchors: values.ca } : {}),
    ...(values.intermediate ? { intermediates: values.intermediate } : {}),
    ...(values.crl ? { crlFiles: values.crl } : {}),
    ...(values.tsa ? { tsa: { trustAnchors: values.tsa } } : {}),
  };
  const demo = demoPkiPaths(pkiDir(settings));
  const trust = await loadTrustMaterial(sr, demo.caCert);
  // The province's packet certificate: the flag, else the configured signer's, else the demo one
  // (only when no signing key is configured: a configured key's certificate is not the demo's).
  const provincePath = values['province-cert'] ?? settings.signer.certPath ?? (settings.signer.kind === 'file' && !settings.signer.keyPath ? demo.provinceCert : undefined);
  let province: { pem: string; source: string } | undefined;
  if (provincePath) {
    try {
      province = { pem: readFileSync(provincePath, 'utf8'), source: provincePath };
    } catch (e) {
      throw new Error(`province certificate ${provincePath}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return {
    settings,
    options: {
      trust,
      required: values.required ?? settings.signedRecords.required,
      matchSignerNames: settings.signedRecords.matchSignerNames,
      validation: validationContextFrom(settings),
      ...(province ? { province } : {}),
      roles: policyFromSettings(settings.signedRecords).roles!,
    },
  };
}

async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: TRUST_OPTIONS });
  if (positionals.length !== 1) throw new Error('usage: hocba-gw verify <file.xml> [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--tsa PEM]... [--required teacher+principal+seal] [--province-cert PEM]');
  const { verifyFile } = await import('./verify.js');
  const { options } = await verifyOptionsFrom(values);
  const result = await verifyFile(positionals[0], options);
  process.stdout.write(result.text);
  process.exitCode = result.exitCode;
}

async function render(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...TRUST_OPTIONS, out: { type: 'string' }, 'public-url': { type: 'string' } } });
  if (positionals.length !== 1 || !values.out) throw new UsageError('usage: hocba-gw render <file.xml> --out <file.pdf> [--public-url URL] [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--tsa PEM]...');
  const { renderFile } = await import('./render.js');
  const { settings, options } = await verifyOptionsFrom(values);
  const publicUrl = values['public-url'] ?? settings.publicUrl ?? `http://${settings.host}:${settings.port}`;
  const result = await renderFile(positionals[0], values.out, { ...options, publicUrl });
  process.stdout.write(result.text);
  process.exitCode = result.exitCode;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // No command starts nothing: it prints the usage (npm start runs `hocba-gw start`).
  if (command === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  if (wantsHelp(rest) && commandUsage(command)) {
    process.stdout.write(commandUsage(command)!);
    return;
  }
  switch (command) {
    case 'credentials':
      return credentialsCommand(rest, 'vendor');
    case 'admins':
      return credentialsCommand(rest, 'admin');
    case 'purge':
      return purgeCommand(rest);
    case 'start':
      return start();
    case 'simulator':
      return simulator(rest);
    case 'sample':
      return sample(rest);
    case 'keys':
      return keys(rest);
    case 'import':
      return importCommand(rest);
    case 'vendor-check':
      return vendorCheckCommand(rest);
    case 'verify':
      return verify(rest);
    case 'render':
      return render(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`hocba-gw: ${(e as Error).message}\n`);
  // verify and vendor-check: 1 means "a signature fails" / "a record is invalid"; failing to
  // check at all is 2, as is a command line that cannot be acted on.
  const cannotCheck = e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || ['verify', 'vendor-check', 'render'].includes(process.argv[2] ?? '');
  process.exit(cannotCheck ? 2 : 1);
});
