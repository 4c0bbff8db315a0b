#!/usr/bin/env node
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSettings, pkiDir } from '../config/settings.js';

// hocba-gw: one command for operators. `start` runs the gateway, `simulator` the Ministry
// simulator alone, `sample` writes a synthetic vendor batch, `import` streams a large one into
// the outbox, `vendor-check` reports a vendor file's conformance without storing it, `keys init` makes the demo PKI, `verify` checks the signatures of a signed học bạ or
// a packet. Each command loads only its own modules: an import does not carry the HTTP server,
// SOAP and PKCS#11 stacks in its memory.

const USAGE = `usage: hocba-gw <command> [options]

  start                         run the gateway (HOST, PORT, DATABASE_URL, MINISTRY_URL, CONFIG_FILE)
  simulator [--host H] [--port P] [--allow ADDR]... [--faults JSON] [--tls] [--workers N]
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
  verify <file.xml> [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--required ROLES]
                                check every signature of a signed học bạ (or a packet): signer,
                                chain, verdict; exit 1 when a required signature fails or is missing
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
  if (process.execArgv.some((a) => a.startsWith('--max-old-space-size')) || process.env.HOCBA_IMPORT_CHILD) return false;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${IMPORT_HEAP_MB}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, HOCBA_IMPORT_CHILD: '1' },
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.exitCode = code ?? (signal ? 1 : 0);
  return true;
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
  const summary = await runImport({
    vendor: values.vendor!,
    format: values.format,
    source: positionals[0]!,
    chunk: Number(values.chunk),
    name: values.name ?? null,
    errorsFile: values.errors ?? null,
    workers: Number(values.workers),
    key: values.key ?? null,
    schools,
  });
  process.stdout.write(JSON.stringify(summary) + '\n');
  // Nothing stored because nothing was acceptable: a script running the import must notice.
  if (summary.records > 0 && summary.rejected === summary.records) {
    process.stderr.write(`hocba-gw: every record was rejected (${summary.rejected})${values.errors ? `; errors in ${values.errors}` : '; give --errors FILE for the reasons'}\n`);
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

async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ca: { type: 'string', multiple: true }, intermediate: { type: 'string', multiple: true }, crl: { type: 'string', multiple: true }, required: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: hocba-gw verify <file.xml> [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--required teacher+principal+seal]');
  const [{ demoPkiPaths }, { loadTrustMaterial }, { verifyFile }, { validationContextFrom }] = await Promise.all([
    import('../pki/demo.js'),
    import('../record-signatures/trust-config.js'),
    import('./verify.js'),
    import('../config/validation-context.js'),
  ]);
  const settings = loadSettings();
  // Flags win over the settings; with neither, the demo CA of this data directory is the anchor.
  const sr = {
    ...settings.signedRecords,
    ...(values.ca ? { trustAnchors: values.ca } : {}),
    ...(values.intermediate ? { intermediates: values.intermediate } : {}),
    ...(values.crl ? { crlFiles: values.crl } : {}),
  };
  const trust = await loadTrustMaterial(sr, demoPkiPaths(pkiDir(settings)).caCert);
  const result = await verifyFile(positionals[0], { trust, required: values.required ?? settings.signedRecords.required, matchSignerNames: settings.signedRecords.matchSignerNames, validation: validationContextFrom(settings) });
  process.stdout.write(result.text);
  process.exitCode = result.exitCode;
}

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
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
  const cannotCheck = e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || ['verify', 'vendor-check'].includes(process.argv[2] ?? '');
  process.exit(cannotCheck ? 2 : 1);
});
