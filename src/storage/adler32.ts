/** Adler-32 (RFC 1950 §8.2): the checksum zlib names a preset dictionary by. */
export function adler32(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (let i = 0; i < b.length; ) {
    // 5552 bytes is the most that can be summed before s could exceed 2^32 (zlib's NMAX).
    const end = Math.min(i + 5552, b.length);
    for (; i < end; i++) {
      a += b[i]!;
      s += a;
    }
    a %= 65521;
    s %= 65521;
  }
  return ((s << 16) | a) >>> 0;
}
