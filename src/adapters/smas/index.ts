import { fileURLToPath } from 'node:url';
import type { VendorAdapter } from '../adapter.js';
import { SMAS_NAMESPACE, SMAS_ROOT, smasXmlFormat } from './format.js';
import { mapSmasPupil } from './map.js';
import { SMAS_SAMPLE_SCHOOLS, sampleSmasBatchXml, sampleSmasEnvelope, smasSchoolForGrade } from './sample.js';

export { SMAS_NAMESPACE, SmasBatchReader, smasContextOf, type SmasContext } from './format.js';
export { renderSmasBatch, renderPupil } from './render.js';
export { sampleSmasBatchText, sampleSmasBatchXml, sampleSmasEnvelope, sampleSmasRecords, SMAS_SAMPLE_SCHOOLS } from './sample.js';

const SPEC_DIR = new URL('../../../specs/vendors/smas/v1/', import.meta.url);

/** Viettel SMAS: an XML batch of one school's year, over POST /v1/submissions or SOAP 1.1 (README.md beside this file). */
export const smasAdapter: VendorAdapter = {
  vendor: 'smas',
  title: 'Viettel SMAS',
  formats: [
    {
      ...smasXmlFormat,
      // A one-pupil batch for /docs, made when the route that documents it is registered.
      docs: {
        ...smasXmlFormat.docs,
        get example() {
          return sampleSmasBatchXml(1, 1);
        },
      },
    },
  ],
  map: mapSmasPupil,
  sampleSchools: SMAS_SAMPLE_SCHOOLS,
  // The sample is what SMAS's systems send: a SubmitBatch envelope, ready for curl (README.md).
  sample: ({ records, seed, grade }) => ({
    mediaType: 'text/xml; charset=utf-8',
    body: sampleSmasEnvelope(records, seed, { schoolId: smasSchoolForGrade(grade) }),
  }),
  soap: {
    path: '/soap/smas/v1',
    wsdlFile: fileURLToPath(new URL('smas.wsdl', SPEC_DIR)),
    xsdFiles: ['smas-batch.xsd'],
    namespace: SMAS_NAMESPACE,
    batchElement: SMAS_ROOT,
    batchMediaType: 'application/xml',
  },
};
