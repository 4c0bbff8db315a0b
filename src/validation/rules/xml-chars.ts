import { NOT_XML_CHAR } from '../../canonical/xml.js';
import type { FieldError } from '../types.js';

/** Every string of the record must be representable in XML 1.0 (no C0 controls but tab, LF, CR). */
export function checkXmlChars(value: unknown, path = '', out: FieldError[] = []): FieldError[] {
  if (typeof value === 'string') {
    const m = NOT_XML_CHAR.exec(value);
    if (m) {
      const cp = `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      out.push({ path, code: 'TEXT_INVALID_CHARACTER', detail_en: cp, detail_vi: cp });
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkXmlChars(v, `${path}/${i}`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkXmlChars(v, `${path}/${k}`, out);
  }
  return out;
}
