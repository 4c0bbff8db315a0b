import { parseArgs } from 'node:util';
import { loadSettings } from '../config/settings.js';
import type { ImportSummary } from '../import/import-stream.js';

// The operator's commands of `hocba-gw` (issue 13): credentials, admins, purge, the usage of
// every command, and the import's progress bar. Each acts on the gateway's database
// (DATABASE_URL or the data directory) and is audited as "cli:<os user>".

export const COMMAND_USAGE: Record<string, string> = {
  start: `usage: hocba-gw start
  run the gateway. Environment: HOST, PORT, DATA_DIR, DATABASE_URL, MINISTRY_URL, CONFIG_FILE,
  PKCS11_PIN, SIGNER_PASSPHRASE, METRICS_TOKEN (see the README).
`,
  simulator: `usage: hocba-gw simulator [--host H] [--port P] [--allow ADDR]... [--faults JSON] [--tls] [--workers N]
  run the Ministry simulator alone (default 127.0.0.1:8090), REST and SOAP; --tls serves HTTPS and
  requires the demo client certificate; --workers: threads that check packets (0: on the event loop)
`,
  sample: `usage: hocba-gw sample --vendor V --records N [--seed S] [--signed] [--grade G] [--out FILE]
  write a valid synthetic batch of N students to stdout (or FILE); --signed: {"documents": [...]}
  signed by demo teacher, principal and seal
`,
  import: `usage: hocba-gw import --vendor V [--format json|xml|xlsx] <file|-> [--chunk N] [--name NAME] [--errors FILE] [--workers W]
  stream a vendor batch of any size into the outbox (DATABASE_URL), N records a submission (500);
  a re-run stores nothing twice; prints a JSON summary; rejected records' errors go to FILE as
  NDJSON; W intake threads (0: faster per core, least memory). On a terminal a progress bar
  (records, rate, ETA) is drawn on stderr. Exit status 1 when every record was rejected.
`,
  keys: `usage: hocba-gw keys init
  make the demo PKI under data/pki/ (if absent)
`,
  verify: `usage: hocba-gw verify <file.xml> [--ca PEM]... [--intermediate PEM]... [--crl FILE]... [--tsa PEM]... [--required ROLES]
  check every signature of a signed học bạ (or a packet): signer, chain, verdict; exit 1 when a
  required signature fails or is missing
`,
  credentials: `usage: hocba-gw credentials create --vendor V (--schools CODE,CODE… | --any-school) [--name N] [--expires DATE]
       hocba-gw credentials list [--json]
       hocba-gw credentials revoke ID [--reason TEXT]
       hocba-gw credentials rotate ID [--grace 7d]
  vendor keys. create prints the new key once (and its id); only its SHA-256 is stored. The
  schools must be on the province's school list (referenceData.schoolsFile); the gateway refuses
  records of other schools (SCHOOL_NOT_AUTHORISED). --any-school: every school of the province.
  --expires: a date (2026-06-30, valid through that day UTC) or an ISO time. rotate prints a new
  key; the old one keeps working until the grace ends (7d by default; 0s ends it now).
`,
  admins: `usage: hocba-gw admins create --name N --role viewer|operator|admin [--expires DATE]
       hocba-gw admins list [--json]
       hocba-gw admins revoke ID [--reason TEXT]
  admin accounts for the API and the dashboard (/admin). viewer reads; operator also replays and
  cancels; admin also manages credentials and reloads keys. create prints the token once.
`,
  purge: `usage: hocba-gw purge [--dry-run]
  clear the payload (record XML, signed XML) of records acknowledged more than
  retention.payloadDays ago (90); hashes, receipts and timelines stay. --dry-run: only count.
  Prints how many; audited. The gateway also purges in the background (retention.intervalMs).
`,
};

export function commandUsage(command: string): string | null {
  return COMMAND_USAGE[command] ?? null;
}

/** True when the arguments ask for help (`--help` or `-h` anywhere). */
export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

async function openStoreForCli() {
  const settings = loadSettings();
  const { openStore } = await import('../storage/open-store.js');
  const store = await openStore(settings.databaseUrl);
  await store.migrate();
  return { settings, store };
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  return line(columns) + rows.map((r) => line(columns.map((c) => cell(r[c])))).join('');
}

export async function credentialsCommand(args: string[], kind: 'vendor' | 'admin'): Promise<void> {
  const [sub, ...rest] = args;
  const usage = COMMAND_USAGE[kind === 'vendor' ? 'credentials' : 'admins'];
  if (!sub) {
    process.stderr.write(usage);
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      vendor: { type: 'string' },
      schools: { type: 'string' },
      'any-school': { type: 'boolean' },
      name: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      grace: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [{ cliActor }, creds] = await Promise.all([import('../admin/audit.js'), import('../admin/credentials.js')]);
  const { settings, store } = await openStoreForCli();
  const actor = cliActor();
  const now = Date.now();
  try {
    switch (sub) {
      case 'create': {
        const expiresAt = values.expires ? creds.parseExpiry(values.expires, now) : null;
        const made =
          kind === 'admin'
            ? await creds.createAdmin(store, actor, { name: values.name ?? '', role: (values.role ?? '') as never, expiresAt }, now)
            : await creds.createVendorKey(store, settings, actor, {
                vendor: values.vendor ?? '',
                schools: values.schools ? values.schools.split(',') : null,
                anySchool: values['any-school'],
                name: values.name ?? null,
                expiresAt,
              }, now);
        const c = made.credential;
        process.stderr.write(`${kind === 'admin' ? `admin ${c.name} (${c.role})` : `vendor ${c.vendor} key for ${c.schools ? c.schools.join(', ') : 'every school of the province'}`}: id ${c.id}\n`);
        process.stderr.write('The key is shown this once; only its hash is stored:\n');
        process.stdout.write(`${made.key}\n`);
        return;
      }
      case 'list': {
        const list = (await store.listCredentials(kind)).map(creds.credentialView);
        if (values.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        else process.stdout.write(table(list, kind === 'admin' ? ['id', 'name', 'role', 'createdAt', 'expiresAt', 'revokedAt', 'graceUntil'] : ['id', 'vendor', 'name', 'schools', 'createdAt', 'expiresAt', 'revokedAt', 'graceUntil']));
        return;
      }
      case 'revoke': {
        const id = positionals[0];
        if (!id) throw new creds.CredentialError(`give the id: ${usage}`);
        const existing = await store.getCredential(id);
        if (!existing || existing.kind !== kind) throw new creds.CredentialError(`no ${kind === 'admin' ? 'admin account' : 'vendor key'} ${id}`);
        const c = await creds.revokeCredential(store, actor, id, values.reason ?? null, now);
        process.stdout.write(`revoked ${id} at ${new Date(c!.revokedAt!).toISOString()}\n`);
        return;
      }
      case 'rotate': {
        if (kind === 'admin') throw new creds.CredentialError('admin accounts are not rotated: create a new one and revoke the old one');
        const id = positionals[0];
        if (!id) throw new creds.CredentialError(`give the id: ${usage}`);
        const graceMs = creds.parseDuration(values.grace ?? '7d');
        const made = await creds.rotateCredential(store, actor, id, graceMs, now);
        if (!made) throw new creds.CredentialError(`no credential ${id}`);
        process.stderr.write(`new key id ${made.credential.id}; the old key ${id} works until ${new Date(now + graceMs).toISOString()}\n`);
        process.stderr.write('The key is shown this once; only its hash is stored:\n');
        process.stdout.write(`${made.key}\n`);
        return;
      }
      default:
        process.stderr.write(usage);
        process.exitCode = 2;
    }
  } finally {
    await store.close();
  }
}

export async function purgeCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } } });
  const [{ cliActor }, { purgePayloads, DEFAULT_RETENTION }] = await Promise.all([import('../admin/audit.js'), import('../admin/retention.js')]);
  const { settings, store } = await openStoreForCli();
  try {
    const r = await purgePayloads(store, settings.retention ?? DEFAULT_RETENTION, { dryRun: values['dry-run'], actor: cliActor() });
    process.stdout.write(
      r.dryRun
        ? `${r.purged} records acknowledged before ${r.before} have a payload to purge (dry run: nothing changed)\n`
        : `purged the payload of ${r.purged} records acknowledged before ${r.before}\n`,
    );
  } finally {
    await store.close();
  }
}

/**
 * The import's progress on a terminal (stderr): records, rate, and, for a file, the share read
 * and an ETA from the bytes read. Redrawn at most 5 times a second; nothing when stderr is not a TTY.
 */
export function importProgress(out: NodeJS.WriteStream = process.stderr, totalBytes: number | null = null) {
  const started = performance.now();
  let input: { bytesRead?: number } | null = null;
  let last = 0;
  let drawn = false;
  const draw = (s: ImportSummary, final = false) => {
    const now = performance.now();
    if (!final && now - last < 200) return;
    last = now;
    const secs = (now - started) / 1000;
    const rate = secs > 0 ? s.records / secs : 0;
    const read = input?.bytesRead ?? null;
    let bar = '';
    let eta = '';
    if (totalBytes && read !== null) {
      const share = Math.min(1, read / totalBytes);
      const width = 24;
      const full = Math.round(share * width);
      bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(share * 100).toFixed(0).padStart(3)}% `;
      if (share > 0 && share < 1) eta = ` ETA ${Math.round((secs / share) * (1 - share))} s`;
    }
    out.write(`\r${bar}${s.records} records (${s.queued} queued, ${s.rejected} rejected) ${rate.toFixed(0)}/s${eta}\x1b[K`);
    drawn = true;
  };
  return {
    onInput: (i: { bytesRead?: number }) => (input = i),
    onProgress: (s: ImportSummary) => draw(s),
    done: (s: ImportSummary | null) => {
      if (s) draw(s, true);
      if (drawn) out.write('\n');
    },
  };
}
