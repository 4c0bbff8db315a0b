import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import type * as Pkcs11js from 'pkcs11js';
import { writeEnvelopedSignature } from '../enveloped-writer.js';
import type { PacketSigner } from '../signer.js';

// Signs with the province key on a PKCS#11 token (an HSM or the USB token a CA issues), through
// pkcs11js (PeculiarVentures, the binding graphene-pk11 is built on). The key never leaves the
// token: the token computes RSA PKCS#1 v1.5 over SHA-256 (CKM_SHA256_RSA_PKCS) of the canonical
// SignedInfo. A PKCS#11 session runs one operation at a time, so signatures are queued; the
// token works off the event loop (C_SignAsync). The PIN lives in a private field only.

export interface Pkcs11SignerOptions {
  modulePath: string;
  tokenLabel: string;
  keyLabel: string;
  pin: string;
  /** The certificate file; when absent, the certificate object on the token with the key's label. */
  certPath?: string | null;
}

type Pkcs11Module = typeof Pkcs11js;

interface TokenState {
  session: Pkcs11js.Handle;
  key: Pkcs11js.Handle;
  certificate: X509Certificate;
}

async function loadBinding(): Promise<Pkcs11Module> {
  const mod = (await import('pkcs11js')) as unknown as { default?: Pkcs11Module } & Pkcs11Module;
  return mod.default ?? mod;
}

function pkcs11Cause(e: unknown): string {
  const m = /CKR_[A-Z_]+/.exec((e as Error).message ?? '');
  return m ? m[0] : 'error';
}

export class Pkcs11Signer implements PacketSigner {
  readonly name = 'pkcs11';
  readonly #o: Pkcs11SignerOptions;
  readonly #p: Pkcs11js.PKCS11;
  readonly #b: Pkcs11Module;
  #state: TokenState;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(o: Pkcs11SignerOptions, binding: Pkcs11Module, p: Pkcs11js.PKCS11, state: TokenState) {
    this.#o = o;
    this.#b = binding;
    this.#p = p;
    this.#state = state;
  }

  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    const o = { ...options };
    const b = await loadBinding();
    const p = acquireModule(b, o.modulePath);
    try {
      return new Pkcs11Signer(o, b, p, await openState(b, p, o));
    } catch (e) {
      releaseModule(o.modulePath);
      throw e;
    }
  }

  get tokenLabel(): string {
    return this.#o.tokenLabel;
  }

  sign(xml: string): Promise<string> {
    return this.#serial(() => {
      const s = this.#state;
      return writeEnvelopedSignature({
        canonicalXml: xml,
        certificateDer: s.certificate.raw,
        signingTime: new Date(),
        sign: async (data) => {
          this.#p.C_SignInit(s.session, { mechanism: this.#b.CKM_SHA256_RSA_PKCS }, s.key);
          return this.#p.C_SignAsync(s.session, data, Buffer.alloc(1024));
        },
      });
    });
  }

  certificatePem(): string {
    return this.#state.certificate.toString();
  }

  async reload(): Promise<void> {
    // A new session and key lookup; the old session is closed only after the signatures queued
    // before the swap have finished with it.
    const next = await openState(this.#b, this.#p, this.#o);
    await this.#serial(async () => {
      const old = this.#state;
      this.#state = next;
      this.#p.C_CloseSession(old.session);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    try {
      this.#p.C_CloseSession(this.#state.session);
    } finally {
      releaseModule(this.#o.modulePath);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the PKCS#11 signer is closed'));
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  toJSON(): { name: string; modulePath: string; tokenLabel: string; keyLabel: string } {
    return { name: this.name, modulePath: this.#o.modulePath, tokenLabel: this.#o.tokenLabel, keyLabel: this.#o.keyLabel };
  }

  [inspect.custom](): string {
    return `Pkcs11Signer { token: ${JSON.stringify(this.#o.tokenLabel)}, key: ${JSON.stringify(this.#o.keyLabel)} }`;
  }
}

// A PKCS#11 module is initialised once per process: a second C_Initialize fails and one
// C_Finalize ends every session. Signers on one module (a reload, two tests) share it.
const modules = new Map<string, { p: Pkcs11js.PKCS11; users: number }>();

function acquireModule(b: Pkcs11Module, path: string): Pkcs11js.PKCS11 {
  const known = modules.get(path);
  if (known) {
    known.users += 1;
    return known.p;
  }
  const p = new b.PKCS11();
  try {
    p.load(path);
    p.C_Initialize();
  } catch (e) {
    throw new Error(`cannot load the PKCS#11 module ${path} (${pkcs11Cause(e)})`);
  }
  modules.set(path, { p, users: 1 });
  return p;
}

function releaseModule(path: string): void {
  const known = modules.get(path);
  if (!known || --known.users > 0) return;
  modules.delete(path);
  known.p.C_Finalize();
  known.p.close();
}

function findSlot(b: Pkcs11Module, p: Pkcs11js.PKCS11, label: string): Pkcs11js.Handle {
  for (const slot of p.C_GetSlotList(true)) {
    if (p.C_GetTokenInfo(slot).label.trim() === label) return slot;
  }
  throw new Error(`no PKCS#11 token labelled ${JSON.stringify(label)}`);
}

function findOne(p: Pkcs11js.PKCS11, session: Pkcs11js.Handle, template: Pkcs11js.Template): Pkcs11js.Handle[] {
  p.C_FindObjectsInit(session, template);
  try {
    return p.C_FindObjects(session, 2);
  } finally {
    p.C_FindObjectsFinal(session);
  }
}

async function openState(b: Pkcs11Module, p: Pkcs11js.PKCS11, o: Pkcs11SignerOptions): Promise<TokenState> {
  const slot = findSlot(b, p, o.tokenLabel);
  const session = p.C_OpenSession(slot, b.CKF_SERIAL_SESSION);
  try {
    try {
      p.C_Login(session, b.CKU_USER, o.pin);
    } catch (e) {
      // Login is per token, not per session: a reload finds the token already logged in.
      if (pkcs11Cause(e) !== 'CKR_USER_ALREADY_LOGGED_IN') throw new Error(`cannot log in to the PKCS#11 token ${JSON.stringify(o.tokenLabel)} (${pkcs11Cause(e)})`);
    }
    const keys = findOne(p, session, [
      { type: b.CKA_CLASS, value: b.CKO_PRIVATE_KEY },
      { type: b.CKA_LABEL, value: o.keyLabel },
    ]);
    if (keys.length !== 1) throw new Error(`expected one private key labelled ${JSON.stringify(o.keyLabel)} on the token, found ${keys.length}`);
    const certificate = o.certPath ? await readCertificateFile(o.certPath) : readCertificateObject(b, p, session, o.keyLabel);
    // The certificate must belong to the key: sign a probe on the token and verify it.
    const probe = Buffer.from('hocba-gateway key check');
    p.C_SignInit(session, { mechanism: b.CKM_SHA256_RSA_PKCS }, keys[0]);
    const sig = p.C_Sign(session, probe, Buffer.alloc(1024));
    const { verify } = await import('node:crypto');
    if (!verify('sha256', probe, certificate.publicKey, sig)) {
      throw new Error(`the token key ${JSON.stringify(o.keyLabel)} does not match the certificate${o.certPath ? ' ' + o.certPath : ''}`);
    }
    return { session, key: keys[0], certificate };
  } catch (e) {
    p.C_CloseSession(session);
    throw e;
  }
}

async function readCertificateFile(path: string): Promise<X509Certificate> {
  try {
    return new X509Certificate(await readFile(path));
  } catch (e) {
    throw new Error(`cannot read the certificate ${path} (${(e as NodeJS.ErrnoException).code ?? 'invalid'})`);
  }
}

function readCertificateObject(b: Pkcs11Module, p: Pkcs11js.PKCS11, session: Pkcs11js.Handle, label: string): X509Certificate {
  const certs = findOne(p, session, [
    { type: b.CKA_CLASS, value: b.CKO_CERTIFICATE },
    { type: b.CKA_LABEL, value: label },
  ]);
  if (certs.length !== 1) throw new Error(`no certificate labelled ${JSON.stringify(label)} on the token; set the certificate path`);
  const [value] = p.C_GetAttributeValue(session, certs[0], [{ type: b.CKA_VALUE }]);
  return new X509Certificate(value.value as Buffer);
}
