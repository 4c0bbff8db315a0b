import { readFile } from 'node:fs/promises';
import type { SignedRecordSettings } from '../config/settings.js';
import type { TrustMaterial } from './trust-store.js';

/** Reads the configured trust files; with no anchors configured, the demo CA is the anchor. */
export async function loadTrustMaterial(s: SignedRecordSettings, demoCaPath: string): Promise<TrustMaterial> {
  const read = async (path: string) => {
    try {
      return await readFile(path);
    } catch (e) {
      throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const anchors = s.trustAnchors.length ? s.trustAnchors : [demoCaPath];
  return {
    anchors: (await Promise.all(anchors.map(read))).map((b) => b.toString('utf8')),
    intermediates: (await Promise.all(s.intermediates.map(read))).map((b) => b.toString('utf8')),
    crls: await Promise.all(s.crlFiles.map(read)),
    timeStampAnchors: (await Promise.all(s.tsa.trustAnchors.map(read))).map((b) => b.toString('utf8')),
  };
}
