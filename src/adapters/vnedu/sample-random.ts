// Seeded randomness and Vietnamese names for synthetic vnEdu batches (sample.ts).

/** mulberry32: small, fast, and good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
export const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pad = (n: number, w: number): string => String(n).padStart(w, '0');
/** A score from lo to hi with one decimal, mostly whole or half points as teachers give them. */
export function score(rng: Rng, lo: number, hi: number): number {
  const r = rng();
  const x = lo + rng() * (hi - lo);
  const step = r < 0.6 ? 1 : r < 0.9 ? 0.5 : 0.1;
  return Math.min(10, Math.max(0, Math.round(Math.round(x / step) * step * 10) / 10));
}

// Family names weighted roughly by frequency in Vietnam.
const FAMILY: readonly [string, number][] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9], ['Phạm', 7], ['Hoàng', 4], ['Huỳnh', 3], ['Phan', 4], ['Vũ', 3],
  ['Võ', 2], ['Đặng', 2], ['Bùi', 2], ['Đỗ', 2], ['Hồ', 1], ['Ngô', 1], ['Dương', 1], ['Lý', 1],
];
const MIDDLE = { M: ['Văn', 'Minh', 'Đức', 'Quốc', 'Gia', 'Hoàng', 'Anh', 'Thành', 'Bảo', 'Nhật'], F: ['Thị', 'Ngọc', 'Thu', 'Minh', 'Bảo', 'Khánh', 'Phương', 'Thanh', 'Hải', 'Mai'] };
const GIVEN = {
  M: ['An', 'Bảo', 'Cường', 'Dũng', 'Duy', 'Đạt', 'Hải', 'Hiếu', 'Hùng', 'Huy', 'Khang', 'Khoa', 'Khôi', 'Kiên', 'Long', 'Minh', 'Nam', 'Phong', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Vinh'],
  F: ['Anh', 'Chi', 'Diệp', 'Hà', 'Hân', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'My', 'Ngân', 'Ngọc', 'Nhi', 'Phương', 'Quyên', 'Thảo', 'Trang', 'Vy', 'Yến'],
};

export function fullName(rng: Rng, sex: 'M' | 'F'): string {
  let r = rng() * FAMILY.reduce((s, [, w]) => s + w, 0);
  const family = FAMILY.find(([, w]) => (r -= w) < 0)?.[0] ?? 'Nguyễn';
  return `${family} ${pick(rng, MIDDLE[sex])} ${pick(rng, GIVEN[sex])}`;
}

export const ETHNIC_MINORITIES = ['Tày', 'Thái', 'Mường', 'Khmer', 'Hoa', 'Nùng', 'Mông', 'Dao'];

export type Tier = 'excellent' | 'good' | 'fair' | 'weak';

export function tierOf(rng: Rng): Tier {
  const r = rng();
  return r < 0.2 ? 'excellent' : r < 0.5 ? 'good' : r < 0.95 ? 'fair' : 'weak';
}
