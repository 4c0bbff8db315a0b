import { X509Certificate, createHash } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { loadX509 } from '../pki/demo.js';

// Who may sign a học bạ: certificates that chain to the configured trust anchors (the demo CA by
// default, the real roots in configuration), valid and not revoked on the configured CRLs at the
// time of receipt (the SigningTime is the signer's own claim: checking at it let an expired or
// revoked certificate sign by writing an earlier time), and meant for signing. Parsing a certificate and building its chain happens
// once per certificate (a teacher signs a whole class, a principal a whole school); what depends
// on the signing time is checked per signature.

export interface TrustMaterial {
  /** PEM texts, each holding one or more certificates. */
  anchors: string[];
  intermediates: string[];
  /** CRLs, DER or PEM. */
  crls: Buffer[];
  /** The province's packet-signing certificates (PEM): they never sign a record. */
  provinceCertificates?: string[];
  /**
   * Roots of the RFC 3161 time-stamp authorities trusted (PEM; signedRecords.tsa.trustAnchors).
   * None: a signature carrying a time-stamp is refused (TIMESTAMP_UNSUPPORTED).
   */
  timeStampAnchors?: string[];
}

/** A time-stamp authority's certificate judged at the time it stamped (time-stamp.ts). */
export type TimeStamperVerdict = { ok: true; authority: CertificateView } | { ok: false; detail: string };

/** RFC 3161 §2.3: a TSA's certificate carries the extended key usage id-kp-timeStamping. */
const ID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

/** What the role rules look at (policy.ts RoleRules). */
export interface CertificateProfile {
  keyUsage: { digitalSignature: boolean; nonRepudiation: boolean };
  policies: string[];
  /** Subject organizationIdentifier (2.5.4.97): present on organisation certificates only. */
  organizationIdentifier: string | null;
  title: string | null;
  /** The province's packet-signing certificate. */
  province: boolean;
}

export type CertCode = 'CERT_UNTRUSTED' | 'CERT_EXPIRED' | 'CERT_REVOKED' | 'CERT_KEY_USAGE';

export interface CertificateView {
  subject: string;
  commonName: string | null;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export type CertVerdict =
  | { ok: true; signer: CertificateView; chain: CertificateView[]; profile: CertificateProfile; note?: string }
  | { ok: false; code: CertCode; detail: string; signer: CertificateView; chain: CertificateView[] };

interface Parsed {
  node: X509Certificate;
  fp: string;
  view: CertificateView;
  isCA: boolean;
  /** KeyUsage bits (@peculiar/x509 KeyUsageFlags), null when the extension is absent. */
  keyUsage: number | null;
  notBefore: number;
  notAfter: number;
  serial: string;
  policies: string[];
  organizationIdentifier: string | null;
  title: string | null;
}

interface Revocation {
  date: number;
  reason: number | undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const MAX_DEPTH = 6;
const CACHE_LIMIT = 20_000;
// RFC 5280 5.3.1: removeFromCRL (8) appears in delta CRLs to lift a certificateHold; every other
// reason, certificateHold (6) included, counts from the entry's revocation date.
const REMOVE_FROM_CRL = 8;

export function splitPem(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

const normalSerial = (hex: string) => hex.toLowerCase().replace(/^0+(?=.)/, '');

export class TrustStore {
  readonly #x509: typeof X509;
  readonly #anchors = new Map<string, Parsed>();
  readonly #intermediates = new Map<string, Parsed>();
  /** issuer fingerprint → serial → revocation */
  readonly #revoked = new Map<string, Map<string, Revocation>>();
  readonly #parsed = new Map<string, Parsed>();
  readonly #chains = new Map<string, Parsed[] | null>();
  readonly #province = new Set<string>();
  /** A CRL from a CA of the other store (signers' or TSAs') is passed over, not an error. */
  readonly #otherCrlsPassed: boolean;
  readonly #crlsTaken = new Set<number>();
  readonly warnings: string[] = [];
  #timeStamping: TrustStore | null = null;

  private constructor(x509: typeof X509, otherCrlsPassed: boolean) {
    this.#x509 = x509;
    this.#otherCrlsPassed = otherCrlsPassed;
  }

  static async create(m: TrustMaterial): Promise<TrustStore> {
    const tsa = (m.timeStampAnchors?.length ?? 0) > 0;
    if (tsa && !m.timeStampAnchors!.some((pem) => splitPem(pem).length > 0)) throw new Error('signedRecords.tsa.trustAnchors: the files hold no PEM certificate');
    const store = await TrustStore.#create(m, tsa);
    if (tsa) {
      const tsaStore = await TrustStore.#create({ anchors: m.timeStampAnchors!, intermediates: m.intermediates, crls: m.crls }, true);
      // Each CRL belongs to a CA of one store or the other.
      for (const [i] of m.crls.entries()) {
        if (!store.#crlsTaken.has(i) && !tsaStore.#crlsTaken.has(i)) throw new Error(`CRL #${i + 1} is not signed by a trusted CA (of the signers or of the time-stamp authorities)`);
      }
      store.warnings.push(...tsaStore.warnings);
      store.#timeStamping = tsaStore;
    }
    return store;
  }

  static async #create(m: TrustMaterial, otherCrlsPassed: boolean): Promise<TrustStore> {
    const store = new TrustStore(await loadX509(), otherCrlsPassed);
    for (const pem of m.anchors.flatMap(splitPem)) {
      const p = store.#parse(new X509Certificate(pem).raw);
      store.#anchors.set(p.fp, p);
    }
    if (store.#anchors.size === 0) throw new Error('no trust anchors: configure at least one CA certificate');
    for (const pem of m.intermediates.flatMap(splitPem)) {
      const p = store.#parse(new X509Certificate(pem).raw);
      if (!p.isCA) throw new Error(`intermediate ${p.view.subject} is not a CA certificate`);
      store.#intermediates.set(p.fp, p);
    }
    for (const [i, data] of m.crls.entries()) await store.#addCrl(data, i);
    for (const pem of (m.provinceCertificates ?? []).flatMap(splitPem)) store.#province.add(store.#parse(new X509Certificate(pem).raw).fp);
    return store;
  }

  /** The trusted time-stamp authorities, with anchors of their own; null when none are configured. */
  get timeStamping(): TrustStore | null {
    return this.#timeStamping;
  }

  get anchorCount(): number {
    return this.#anchors.size;
  }

  get crlCount(): number {
    return this.#revoked.size;
  }

  async #addCrl(data: Buffer, index: number): Promise<void> {
    const x509 = this.#x509;
    let crl: X509.X509Crl;
    try {
      const text = data.subarray(0, 64).toString('latin1');
      crl = new x509.X509Crl(text.includes('-----BEGIN') ? data.toString('latin1') : new Uint8Array(data));
    } catch {
      throw new Error(`CRL #${index + 1} cannot be read`);
    }
    for (const ca of [...this.#anchors.values(), ...this.#intermediates.values()]) {
      const issuer = new x509.X509Certificate(new Uint8Array(ca.node.raw));
      if (issuer.subject !== crl.issuer) continue;
      if (!(await crl.verify({ publicKey: issuer }))) continue;
      const entries = this.#revoked.get(ca.fp) ?? new Map<string, Revocation>();
      for (const e of crl.entries) if (e.reason === REMOVE_FROM_CRL) entries.delete(normalSerial(e.serialNumber));
      for (const e of crl.entries) if (e.reason !== REMOVE_FROM_CRL) entries.set(normalSerial(e.serialNumber), { date: e.revocationDate.getTime(), reason: e.reason });
      this.#revoked.set(ca.fp, entries);
      this.#crlsTaken.add(index);
      if (crl.nextUpdate && crl.nextUpdate.getTime() < Date.now()) this.warnings.push(`CRL of ${issuer.subject} is past its nextUpdate (${crl.nextUpdate.toISOString()})`);
      return;
    }
    if (this.#otherCrlsPassed) return;
    throw new Error(`CRL #${index + 1} (issuer ${crl.issuer}) is not signed by a trusted CA`);
  }

  #parse(der: Buffer): Parsed {
    const fp = createHash('sha256').update(der).digest('hex');
    const known = this.#parsed.get(fp);
    if (known) return known;
    const node = new X509Certificate(der);
    const pc = new this.#x509.X509Certificate(new Uint8Array(der));
    const ku = pc.getExtension(this.#x509.KeyUsagesExtension);
    const bc = pc.getExtension(this.#x509.BasicConstraintsExtension);
    const cp = pc.getExtension(this.#x509.CertificatePolicyExtension);
    const view: CertificateView = {
      subject: node.subject.replace(/\n/g, ', '),
      commonName: pc.subjectName.getField('CN')[0] ?? null,
      issuer: node.issuer.replace(/\n/g, ', '),
      serialNumber: normalSerial(node.serialNumber),
      notBefore: pc.notBefore.toISOString(),
      notAfter: pc.notAfter.toISOString(),
    };
    const p: Parsed = {
      node,
      fp,
      view,
      isCA: Boolean(bc?.ca),
      keyUsage: ku ? ku.usages : null,
      notBefore: pc.notBefore.getTime(),
      notAfter: pc.notAfter.getTime(),
      serial: view.serialNumber,
      policies: cp ? [...cp.policies] : [],
      organizationIdentifier: pc.subjectName.getField('2.5.4.97')[0] ?? null,
      title: pc.subjectName.getField('2.5.4.12')[0] ?? null,
    };
    if (this.#parsed.size >= CACHE_LIMIT) this.#parsed.clear();
    this.#parsed.set(fp, p);
    return p;
  }

  /** leaf first; `extras` are the other certificates the signature carries (intermediates). */
  #chain(leaf: Parsed, extras: Parsed[]): Parsed[] | null {
    const key = [leaf.fp, ...extras.map((e) => e.fp)].join(',');
    if (this.#chains.has(key)) return this.#chains.get(key)!;
    const candidates = [...this.#anchors.values(), ...this.#intermediates.values(), ...extras.filter((e) => e.isCA)];
    const chain = [leaf];
    let result: Parsed[] | null = null;
    for (let cur = leaf; chain.length <= MAX_DEPTH; ) {
      if (this.#anchors.has(cur.fp)) {
        result = chain;
        break;
      }
      const issuer = candidates.find((c) => c !== cur && c.isCA && cur.node.checkIssued(c.node) && cur.node.verify(c.node.publicKey));
      if (!issuer || chain.includes(issuer)) break;
      chain.push(issuer);
      cur = issuer;
    }
    if (this.#chains.size >= CACHE_LIMIT) this.#chains.clear();
    this.#chains.set(key, result);
    return result;
  }

  /** Parses a certificate from KeyInfo (DER); throws on garbage. */
  certificate(der: Buffer): { view: CertificateView; node: X509Certificate } {
    const p = this.#parse(der);
    return { view: p.view, node: p.node };
  }

  /**
   * The chain, validity at both the signing time the signer wrote (a time outside the
   * certificate's life is a false claim) and at `checkAt` (the time of receipt, or a trusted
   * time-stamp's), revocation at `checkAt`, and the key usage.
   */
  evaluate(leafDer: Buffer, extrasDer: Buffer[], signingTime: Date, checkAt: Date = new Date()): CertVerdict {
    const leaf = this.#parse(leafDer);
    const extras = extrasDer.map((d) => this.#parse(d));
    const chain = this.#chain(leaf, extras);
    const signer = leaf.view;
    if (!chain) return { ok: false, code: 'CERT_UNTRUSTED', detail: `${signer.subject} does not chain to a trusted CA (issuer ${signer.issuer})`, signer, chain: [signer] };
    const views = chain.map((c) => c.view);
    const at = checkAt.getTime();
    for (const [when, what] of [
      [signingTime.getTime(), `the signing time ${signingTime.toISOString()}`],
      [at, `the time of receipt ${checkAt.toISOString()}`],
    ] as const) {
      for (const c of chain) {
        if (when < c.notBefore || when > c.notAfter) {
          return { ok: false, code: 'CERT_EXPIRED', detail: `${c.view.subject} is valid ${c.view.notBefore} to ${c.view.notAfter}, not at ${what}`, signer, chain: views };
        }
      }
    }
    let note: string | undefined;
    for (let i = 0; i + 1 < chain.length; i++) {
      const r = this.#revoked.get(chain[i + 1].fp)?.get(chain[i].serial);
      if (!r) continue;
      if (r.date <= at) {
        return { ok: false, code: 'CERT_REVOKED', detail: `${chain[i].view.subject} (serial ${chain[i].serial}) was revoked on ${new Date(r.date).toISOString()}${r.reason !== undefined ? ` (reason ${r.reason})` : ''}`, signer, chain: views };
      }
      note = `to be revoked on ${new Date(r.date).toISOString()}`;
    }
    const flags = this.#x509.KeyUsageFlags;
    if (leaf.isCA || leaf.keyUsage === null || (leaf.keyUsage & (flags.digitalSignature | flags.nonRepudiation)) === 0) {
      return { ok: false, code: 'CERT_KEY_USAGE', detail: `${signer.subject} is not a certificate for signing documents`, signer, chain: views };
    }
    const profile: CertificateProfile = {
      keyUsage: { digitalSignature: (leaf.keyUsage & flags.digitalSignature) !== 0, nonRepudiation: (leaf.keyUsage & flags.nonRepudiation) !== 0 },
      policies: leaf.policies,
      organizationIdentifier: leaf.organizationIdentifier,
      title: leaf.title,
      province: this.#province.has(leaf.fp),
    };
    return note ? { ok: true, signer, chain: views, profile, note } : { ok: true, signer, chain: views, profile };
  }

  /**
   * A time-stamp authority's certificate (this store holds the TSAs' anchors): it chains to one,
   * is valid at `genTime`, is not revoked at or before `checkAt` (the time of receipt) on the
   * configured CRLs, and is a TSA's (extended key usage id-kp-timeStamping, not a CA).
   */
  evaluateTimeStamper(leafDer: Buffer, extrasDer: Buffer[], genTime: Date, checkAt: Date): TimeStamperVerdict {
    let leaf: Parsed;
    let extras: Parsed[];
    try {
      leaf = this.#parse(leafDer);
      extras = extrasDer.map((d) => this.#parse(d));
    } catch {
      return { ok: false, detail: 'a certificate the time-stamp carries cannot be read' };
    }
    const authority = leaf.view;
    const chain = this.#chain(leaf, extras);
    if (!chain) return { ok: false, detail: `${authority.subject} does not chain to a trusted time-stamp authority (issuer ${authority.issuer})` };
    for (const c of chain) {
      if (genTime.getTime() < c.notBefore || genTime.getTime() > c.notAfter) {
        return { ok: false, detail: `${c.view.subject} is valid ${c.view.notBefore} to ${c.view.notAfter}, not at the time stamped ${genTime.toISOString()}` };
      }
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      const r = this.#revoked.get(chain[i + 1]!.fp)?.get(chain[i]!.serial);
      if (r && r.date <= checkAt.getTime()) return { ok: false, detail: `${chain[i]!.view.subject} (serial ${chain[i]!.serial}) was revoked on ${new Date(r.date).toISOString()}` };
    }
    if (leaf.isCA || !(leaf.node.keyUsage ?? []).includes(ID_KP_TIME_STAMPING)) {
      return { ok: false, detail: `${authority.subject} is not a time-stamp authority's certificate (no extended key usage timeStamping)` };
    }
    return { ok: true, authority };
  }
}
