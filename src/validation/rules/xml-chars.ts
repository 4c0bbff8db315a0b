import { hasNotXmlChar, NOT_XML_CHAR } from '../../canonical/xml.js';
import type { FieldError } from '../types.js';

/** Whether any string in `value` holds a character XML 1.0 cannot carry (no paths built: the common case). */
function anyNotXmlChar(value: unknown): boolean {
  if (typeof value === 'string') return hasNotXmlChar(value);
  if (Array.isArray(value)) return value.some(anyNotXmlChar);
  if (value && typeof value === 'object') {
    for (const k in value) if (Object.hasOwn(value, k) && anyNotXmlChar((value as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** Every string of the record must be representable in XML 1.0 (no C0 controls but tab, LF, CR). */
export function checkXmlChars(value: unknown, path = '', out: FieldError[] = []): FieldError[] {
  if (path === '' && !anyNotXmlChar(value)) return out;
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
