import { parentPort, workerData } from 'node:worker_threads';
import { checkSignedRecord } from './check-record.js';
import { validationContextFrom, type ValidationContextSource } from '../config/validation-context.js';
import type { XmlLimits } from '../signing/xml-prescan.js';
import type { SignaturePolicy } from './policy.js';
import { TrustStore, type TrustMaterial } from './trust-store.js';

// A verification thread: builds its own trust store (and certificate cache) once, then checks
// the documents it is sent. Messages: { id, docs, now } in, { id, outcomes } or { id, error } out.

const { trust, policy, validation, limits } = workerData as { trust: TrustMaterial; policy: SignaturePolicy; validation: ValidationContextSource; limits?: XmlLimits };
const ctx = validationContextFrom(validation);
const store = await TrustStore.create({ ...trust, crls: trust.crls.map((c) => Buffer.from(c)) });
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: { id: number; docs: string[]; now: number }) => {
  try {
    const now = new Date(m.now);
    const outcomes = m.docs.map((xml) => checkSignedRecord(xml, store, policy, ctx, now, limits));
    // The chains stay here: callers of the pool store who signed, not the CA path, and copying
    // them between threads would cost more than the RSA.
    for (const o of outcomes) for (const s of o.signatures) delete s.chain;
    parentPort!.postMessage({ id: m.id, outcomes });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
