import type { Readable } from 'node:stream';
import type { FieldError } from '../../validation/types.js';
import { BatchFormatError, readXmlBatch, type BatchFormat, type SplitBatch, type XmlBatchReader } from '../adapter.js';
import { leafText, TreeParser, XmlTreeError, type OpenElement, type TreeParserHandlers, type XmlLimits, type XNode } from '../xml-tree.js';

// SMAS's XML batch (README.md beside this file, specs/vendors/smas/v1/smas-batch.xsd): one
// school's year, <SchoolBatch> with the header elements first and then <Pupils>, one
// <PupilProfile> per student. Read with saxes (xml-tree.ts): a body whole, a file of any size a
// chunk of pupils at a time, holding one pupil's subtree while it is read.

export const SMAS_NAMESPACE = 'urn:viettel:smas:hocba:v1';
export const SMAS_ROOT = 'SchoolBatch';

/** What every pupil of a batch shares: its header, read into canonical terms. */
export interface SmasContext {
  provinceCode: string;
  schoolId: string;
  schoolName?: string;
  /** "2024-2025", from SMAS's AcademicYear 2024. */
  schoolYear: string;
  principal?: string;
}

/**
 * Bounds on what one pupil (or the header element) may hold. A secondary pupil with 16
 * subjects is about 330 elements and 5 KB of text; these are ten times that and more, and bound
 * the memory a hostile file can take while it is streamed.
 */
export const SMAS_LIMITS: XmlLimits = { maxDepth: 16, maxElements: 5000, maxChars: 256 * 1024 };

const HEADER = ['ProvinceCode', 'SchoolCode', 'SchoolName', 'AcademicYear', 'HeadMaster'] as const;
const REQUIRED = ['ProvinceCode', 'SchoolCode', 'AcademicYear'] as const;

const err = (path: string, code: FieldError['code'], en: string, vi: string): FieldError => ({ path, code, detail_en: en, detail_vi: vi });

/** The header's elements, read into the context every pupil shares; throws BatchFormatError. */
export function smasContextOf(header: ReadonlyMap<string, XNode>): SmasContext {
  const errors: FieldError[] = [];
  for (const name of REQUIRED) {
    if (leafText(header.get(name)) === undefined) errors.push(err(`/${name}`, 'SCHEMA_REQUIRED', `${name} is required`, `thiếu ${name}`));
  }
  const year = leafText(header.get('AcademicYear'));
  let schoolYear = '';
  if (year !== undefined) {
    if (/^[0-9]{4}$/.test(year)) schoolYear = `${year}-${Number(year) + 1}`;
    else errors.push(err('/AcademicYear', 'VENDOR_FIELD_INVALID', `AcademicYear is the year the school year starts (2024 for 2024-2025), got "${year}"`, `AcademicYear là năm bắt đầu năm học (2024 cho 2024-2025), nhận được "${year}"`));
  }
  if (errors.length > 0) throw new BatchFormatError('SMAS batch header is invalid', errors);
  const ctx: SmasContext = { provinceCode: leafText(header.get('ProvinceCode'))!, schoolId: leafText(header.get('SchoolCode'))!, schoolYear };
  const name = leafText(header.get('SchoolName'));
  if (name !== undefined) ctx.schoolName = name;
  const principal = leafText(header.get('HeadMaster'));
  if (principal !== undefined) ctx.principal = principal;
  return ctx;
}

/**
 * The reader of one batch: push text (write) and take the pupils read so far, or hand it a
 * callback that gets each pupil as soon as it is read; or let a parser that reads the batch where
 * it lies (a SOAP envelope) use its handlers. The header's elements must come before <Pupils>
 * (the XSD's sequence), so every pupil knows its school.
 */
export class SmasBatchReader implements XmlBatchReader {
  readonly limits = SMAS_LIMITS;
  readonly handlers: TreeParserHandlers;
  /** write()'s own parser, made on first use. */
  #parser: TreeParser | undefined;
  readonly #header = new Map<string, XNode>();
  #context: SmasContext | null = null;
  #pupilsSeen = false;
  #pupilsClosed = false;
  #count = 0;
  pupils: XNode[] = [];
  /** Given: each pupil goes to it as soon as it is read, and `pupils` stays empty. */
  readonly #onPupil: ((pupil: XNode, context: SmasContext) => void) | undefined;

  constructor(onPupil?: (pupil: XNode, context: SmasContext) => void) {
    this.#onPupil = onPupil;
    this.handlers = {
      capture: (path) => this.#capture(path),
      onTree: (node, path) => this.#tree(node, path),
      onClose: (path) => {
        if (path.length === 2 && path[1]!.name === 'Pupils') this.#pupilsClosed = true;
      },
    };
  }

  get context(): SmasContext | null {
    return this.#context;
  }

  get count(): number {
    return this.#count;
  }

  #capture(path: readonly OpenElement[]): boolean {
    const el = path.at(-1)!;
    if (path.length === 1) {
      if (el.name !== SMAS_ROOT || (el.ns !== SMAS_NAMESPACE && el.ns !== '')) {
        throw format('', `the root element must be <${SMAS_ROOT}> in namespace ${SMAS_NAMESPACE}, not <${el.name}>${el.ns ? ` in ${el.ns}` : ''}`, `phần tử gốc phải là <${SMAS_ROOT}> thuộc không gian tên ${SMAS_NAMESPACE}`);
      }
      return false;
    }
    if (path.length === 2) {
      if (el.name === 'Pupils') {
        if (this.#pupilsSeen) throw format('/Pupils', '<Pupils> appears twice', '<Pupils> xuất hiện hai lần');
        this.#pupilsSeen = true;
        this.#context = smasContextOf(this.#header);
        return false;
      }
      if (this.#pupilsSeen && (HEADER as readonly string[]).includes(el.name)) {
        throw format(`/${el.name}`, `<${el.name}> must come before <Pupils> (line ${el.line})`, `<${el.name}> phải đứng trước <Pupils> (dòng ${el.line})`);
      }
      return true;
    }
    // Each child of <Pupils> is one pupil (its name is checked by map, so the error names its index).
    return path.length === 3 && path[1]!.name === 'Pupils';
  }

  #tree(node: XNode, path: readonly OpenElement[]): void {
    if (path.length === 2) {
      if (this.#header.has(node.name)) throw format(`/${node.name}`, `<${node.name}> appears twice`, `<${node.name}> xuất hiện hai lần`);
      this.#header.set(node.name, node);
      return;
    }
    this.#count += 1;
    // A pupil comes after <Pupils> opened, which set the context.
    if (this.#onPupil) this.#onPupil(node, this.#context!);
    else this.pupils.push(node);
  }

  /** Throws XmlTreeError (not well-formed, or over a bound) or BatchFormatError (not SMAS's shape). */
  write(text: string): void {
    (this.#parser ??= new TreeParser(this.limits, this.handlers)).write(text);
  }

  /** The end of the document written: throws when it was not well-formed or had no pupils at all. */
  end(): void {
    (this.#parser ??= new TreeParser(this.limits, this.handlers)).close();
    this.finish();
  }

  /** After </SchoolBatch>: throws when it had no pupils at all. */
  finish(): void {
    if (!this.#pupilsSeen || (this.#count === 0 && this.#pupilsClosed)) {
      throw format('/Pupils', '<Pupils> is required and holds at least one <PupilProfile>', 'cần <Pupils> với ít nhất một <PupilProfile>');
    }
  }
}

function format(path: string, en: string, vi: string): BatchFormatError {
  return new BatchFormatError(`SMAS batch: ${en}`, [err(path, 'VENDOR_FIELD_INVALID', en, vi)]);
}

function asFormatError(e: unknown, pupilsRead: number): unknown {
  if (!(e instanceof XmlTreeError)) return e;
  const at = e.line !== undefined ? ` at line ${e.line}` : '';
  return format('', `${e.message}${at} (after ${pupilsRead} pupils)`, `XML không hợp lệ${e.line !== undefined ? ` tại dòng ${e.line}` : ''}: ${e.message}`);
}

export const smasXmlFormat: BatchFormat = {
  mediaType: 'application/xml',
  name: 'xml',
  binary: false,
  docs: {
    summary:
      'SMAS XML batch: <SchoolBatch xmlns="urn:viettel:smas:hocba:v1"> with ProvinceCode, SchoolCode, AcademicYear (2024 = 2024-2025), then <Pupils> of <PupilProfile> (src/adapters/smas/README.md, specs/vendors/smas/v1/smas-batch.xsd)',
    schema: { type: 'string', description: 'XML; its XSD: specs/vendors/smas/v1/smas-batch.xsd (served at /soap/smas/v1?xsd=smas-batch.xsd)' },
  },
  read(body) {
    const reader = new SmasBatchReader();
    readXmlBatch(reader, body);
    return { items: reader.pupils, context: reader.context };
  },
  xmlBatch: (onItem) => new SmasBatchReader(onItem),
  stream: (input, size) => streamSmasBatch(input, size),
};

async function* streamSmasBatch(input: Readable, size: number): AsyncIterable<SplitBatch> {
  const reader = new SmasBatchReader();
  input.setEncoding('utf8');
  const take = function* (all: boolean): Generator<SplitBatch> {
    while (reader.pupils.length >= size || (all && reader.pupils.length > 0)) {
      yield { items: reader.pupils.splice(0, size), context: reader.context };
    }
  };
  try {
    for await (const text of input as AsyncIterable<string>) {
      reader.write(text);
      yield* take(false);
    }
    reader.end();
  } catch (e) {
    throw asFormatError(e, reader.count);
  }
  yield* take(true);
}
