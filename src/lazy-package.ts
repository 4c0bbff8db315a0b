import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded when it is first used, not when a module that names it is imported.
 * Every gateway process and thread imports the adapters, the routes and the transports, but few
 * read a workbook, draw a PDF or speak SOAP. Measured on a 2-core AMD EPYC, CPU to load each:
 * exceljs 0.37 s, pdfkit 0.17 s, soap 0.18 s, qrcode 0.05 s (a bare `node -e 1`: 0.06 s).
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
