// The 54 ethnic groups of Vietnam by their codes (the General Statistics Office's list, Decision
// 121-TCTK/PPCĐ, which QĐ 4998/QĐ-BGDĐT's ethnicity field takes), to the names the canonical
// record carries in student.ethnicity (05 and 08 by their common names, as the adapters write
// them). Code 55 is the project's for a student of another nationality (docs/qd4998.md).

export const ETHNICITY_BY_CODE: Readonly<Record<string, string>> = Object.freeze({
  '01': 'Kinh', '02': 'Tày', '03': 'Thái', '04': 'Hoa', '05': 'Khmer', '06': 'Mường', '07': 'Nùng', '08': 'Mông', '09': 'Dao',
  '10': 'Gia-rai', '11': 'Ngái', '12': 'Ê-đê', '13': 'Ba-na', '14': 'Xơ-đăng', '15': 'Sán Chay', '16': 'Cơ-ho', '17': 'Chăm',
  '18': 'Sán Dìu', '19': 'Hrê', '20': 'Mnông', '21': 'Ra-glai', '22': 'Xtiêng', '23': 'Bru-Vân Kiều', '24': 'Thổ', '25': 'Giáy',
  '26': 'Cơ-tu', '27': 'Giẻ-Triêng', '28': 'Mạ', '29': 'Khơ-mú', '30': 'Co', '31': 'Tà-ôi', '32': 'Chơ-ro', '33': 'Kháng',
  '34': 'Xinh-mun', '35': 'Hà Nhì', '36': 'Chu-ru', '37': 'Lào', '38': 'La Chí', '39': 'La Ha', '40': 'Phù Lá', '41': 'La Hủ',
  '42': 'Lự', '43': 'Lô Lô', '44': 'Chứt', '45': 'Mảng', '46': 'Pà Thẻn', '47': 'Cơ Lao', '48': 'Cống', '49': 'Bố Y', '50': 'Si La',
  '51': 'Pu Péo', '52': 'Brâu', '53': 'Ơ Đu', '54': 'Rơ-măm',
});

/** The code of a student of another nationality. */
export const FOREIGN_ETHNICITY_CODE = '55';

/** Other spellings of a name in common use, to its name in the list. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({ khome: 'khmer', hmong: 'mong' });

/** A name as compared: no diacritics, hyphens, spaces or case (Gia-rai = Gia Rai = Giarai). */
export function ethnicityKey(name: string): string {
  const k = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').replace(/[^A-Za-z]/g, '').toLowerCase();
  return ALIASES[k] ?? k;
}

const CODE_BY_KEY: ReadonlyMap<string, string> = new Map(Object.entries(ETHNICITY_BY_CODE).map(([code, name]) => [ethnicityKey(name), code]));

/** The code of an ethnicity name, or undefined for a name outside the list. */
export function ethnicityCodeOf(name: string): string | undefined {
  return CODE_BY_KEY.get(ethnicityKey(name));
}
