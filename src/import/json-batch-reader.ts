// Reads a vendor batch `{ ...header fields, "<items>": [ {...}, {...}, ... ] }` as a stream of
// text chunks, and hands out the header and each item's JSON text one at a time, so that a
// 2 GB year-end export never sits in memory. It only finds where each value begins and ends
// (strings, escapes, nesting); JSON.parse then reads and checks each piece. A general streaming
// tokenizer (stream-json) was measured at a few tens of MB/s here, slower than everything else
// the import does together; this scanner plus the native parser runs at hundreds.
//
// The header fields must come before the items array: they say which school and year the items
// belong to, and holding a million items back until the header arrived would defeat streaming.

export class BatchStreamError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
    this.name = 'BatchStreamError';
  }
}

type Phase = 'start' | 'key' | 'colon' | 'value' | 'after-value' | 'items-start' | 'item' | 'after-item' | 'end';

export interface BatchSink {
  /** The header fields read so far, once the items array begins. */
  header(fields: Record<string, unknown>): void;
  /** One item's JSON text. */
  item(json: string): void;
}

const WS = new Set([' ', '\t', '\n', '\r']);

export class JsonBatchReader {
  #buf = '';
  /** Characters consumed before #buf[0], for error offsets. */
  #base = 0;
  #pos = 0;
  #phase: Phase = 'start';
  #key = '';
  #header: Record<string, unknown> = {};
  #sawItems = false;
  // The value being scanned: where it starts in #buf, and the scan state so far.
  #valueStart = -1;
  #depth = 0;
  #inString = false;
  #escape = false;

  constructor(
    private readonly itemsField: string,
    private readonly sink: BatchSink,
  ) {}

  push(chunk: string): void {
    // Keep the part of the value being scanned; everything before it is done with.
    const keep = this.#valueStart >= 0 ? this.#valueStart : this.#pos;
    this.#buf = this.#buf.slice(keep) + chunk;
    this.#base += keep;
    this.#pos -= keep;
    if (this.#valueStart >= 0) this.#valueStart = 0;
    this.#scan();
  }

  /** Call at the end of input; throws if the batch was cut short. */
  end(): void {
    this.#skipWs();
    if (this.#phase !== 'end') throw this.#error('the batch ends before its closing brace');
    if (this.#pos < this.#buf.length) throw this.#error('text after the end of the batch');
    if (!this.#sawItems) throw this.#error(`the batch has no "${this.itemsField}" array`);
  }

  #error(message: string): BatchStreamError {
    return new BatchStreamError(message, this.#base + this.#pos);
  }

  #skipWs(): void {
    while (this.#pos < this.#buf.length && WS.has(this.#buf[this.#pos]!)) this.#pos++;
  }

  /** Reads a plain JSON string token at #pos; undefined if the buffer ends first. */
  #readKey(): string | undefined {
    const buf = this.#buf;
    if (buf[this.#pos] !== '"') throw this.#error('expected a field name');
    for (let i = this.#pos + 1; i < buf.length; i++) {
      const c = buf[i];
      if (c === '\\') i++;
      else if (c === '"') {
        const key = JSON.parse(buf.slice(this.#pos, i + 1)) as string;
        this.#pos = i + 1;
        return key;
      }
    }
    return undefined;
  }

  /** Scans one JSON value from #valueStart; true when complete (its end is #pos). */
  #scanValue(): boolean {
    const buf = this.#buf;
    let i = this.#pos;
    // A scalar outside strings ends at a delimiter; containers end when depth returns to 0.
    const first = buf[this.#valueStart];
    if (first !== '{' && first !== '[' && first !== '"') {
      while (i < buf.length && !/[,}\]\s]/.test(buf[i]!)) i++;
      this.#pos = i;
      return i < buf.length;
    }
    for (; i < buf.length; i++) {
      const c = buf[i];
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === '\\') this.#escape = true;
        else if (c === '"') {
          this.#inString = false;
          if (this.#depth === 0) {
            this.#pos = i + 1;
            return true;
          }
        }
      } else if (c === '"') this.#inString = true;
      else if (c === '{' || c === '[') this.#depth++;
      else if (c === '}' || c === ']') {
        this.#depth--;
        if (this.#depth === 0) {
          this.#pos = i + 1;
          return true;
        }
      }
    }
    this.#pos = i;
    return false;
  }

  #beginValue(): void {
    this.#valueStart = this.#pos;
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    const c = this.#buf[this.#pos];
    if (c === '"') {
      this.#inString = true;
      this.#pos++;
    }
  }

  #takeValue(): string {
    const text = this.#buf.slice(this.#valueStart, this.#pos);
    this.#valueStart = -1;
    return text;
  }

  #scan(): void {
    for (;;) {
      // Whitespace is skipped between tokens only: inside a value it is part of the value.
      if (this.#valueStart < 0) {
        this.#skipWs();
        if (this.#pos >= this.#buf.length) return;
      }
      switch (this.#phase) {
        case 'start':
          if (this.#buf[this.#pos] !== '{') throw this.#error('a batch is a JSON object');
          this.#pos++;
          this.#phase = 'key';
          break;
        case 'key': {
          if (this.#buf[this.#pos] === '}') {
            this.#pos++;
            this.#phase = 'end';
            break;
          }
          const key = this.#readKey();
          if (key === undefined) return;
          this.#key = key;
          this.#phase = 'colon';
          break;
        }
        case 'colon':
          if (this.#buf[this.#pos] !== ':') throw this.#error(`expected ':' after "${this.#key}"`);
          this.#pos++;
          this.#phase = this.#key === this.itemsField ? 'items-start' : 'value';
          break;
        case 'value':
          if (this.#valueStart < 0) this.#beginValue();
          if (!this.#scanValue()) return;
          this.#header[this.#key] = this.#parse(this.#takeValue());
          this.#phase = 'after-value';
          break;
        case 'after-value': {
          const c = this.#buf[this.#pos];
          this.#pos++;
          if (c === ',') this.#phase = 'key';
          else if (c === '}') this.#phase = 'end';
          else throw this.#error(`expected ',' or '}' after "${this.#key}"`);
          break;
        }
        case 'items-start':
          if (this.#sawItems) throw this.#error(`"${this.itemsField}" appears twice`);
          if (this.#buf[this.#pos] !== '[') throw this.#error(`"${this.itemsField}" must be an array`);
          this.#pos++;
          this.#sawItems = true;
          this.sink.header({ ...this.#header });
          this.#skipWs();
          if (this.#pos >= this.#buf.length) {
            this.#phase = 'item';
            return;
          }
          if (this.#buf[this.#pos] === ']') {
            this.#pos++;
            this.#phase = 'after-value';
          } else this.#phase = 'item';
          break;
        case 'item':
          if (this.#valueStart < 0) {
            if (this.#buf[this.#pos] === ']') {
              // An empty array whose '[' ended a chunk.
              this.#pos++;
              this.#phase = 'after-value';
              break;
            }
            this.#beginValue();
          }
          if (!this.#scanValue()) return;
          this.sink.item(this.#takeValue());
          this.#phase = 'after-item';
          break;
        case 'after-item': {
          const c = this.#buf[this.#pos];
          this.#pos++;
          if (c === ',') this.#phase = 'item';
          else if (c === ']') this.#phase = 'after-value';
          else throw this.#error(`expected ',' or ']' between items of "${this.itemsField}"`);
          break;
        }
        case 'end':
          throw this.#error('text after the end of the batch');
      }
    }
  }

  #parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw this.#error(`not JSON: ${(e as Error).message}`);
    }
  }
}
