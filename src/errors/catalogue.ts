// One catalogue of every error code the gateway answers with. A code is stable: vendors
// program against it. Each carries its HTTP status (for request-level errors), a Problem
// Details `type` URN and messages in English and Vietnamese.

export interface ErrorDefinition {
  status: number;
  title: string;
  en: string;
  vi: string;
}

const d = (status: number, title: string, en: string, vi: string): ErrorDefinition => ({ status, title, en, vi });

export const ERRORS = Object.freeze({
  // Request level
  AUTH_MISSING: d(401, 'Authentication required', 'Send Authorization: Bearer <key>.', 'Cần gửi Authorization: Bearer <khóa>.'),
  AUTH_INVALID: d(401, 'Invalid credentials', 'The key is not known to this gateway.', 'Khóa không hợp lệ đối với cổng kết nối này.'),
  FORBIDDEN: d(403, 'Forbidden', 'This key may not call this endpoint.', 'Khóa này không được phép gọi điểm cuối này.'),
  BODY_MALFORMED: d(400, 'Malformed request body', 'The body is not valid JSON.', 'Nội dung yêu cầu không phải JSON hợp lệ.'),
  BODY_TOO_LARGE: d(413, 'Request body too large', 'The body exceeds the size limit.', 'Nội dung yêu cầu vượt quá giới hạn kích thước.'),
  UNSUPPORTED_MEDIA_TYPE: d(415, 'Unsupported media type', 'Send Content-Type: application/json (or application/xml where the endpoint takes XML).', 'Cần gửi Content-Type: application/json (hoặc application/xml với điểm cuối nhận XML).'),
  REQUEST_INVALID: d(400, 'Invalid request', 'The request does not match the endpoint schema.', 'Yêu cầu không đúng lược đồ của điểm cuối.'),
  BATCH_INVALID: d(422, 'Invalid batch', 'The batch does not follow the vendor format.', 'Lô dữ liệu không đúng định dạng của nhà cung cấp.'),
  BATCH_REJECTED: d(422, 'Every record was rejected', 'No record in the batch passed validation.', 'Không có hồ sơ nào trong lô vượt qua kiểm tra.'),
  IDEMPOTENCY_KEY_REUSED: d(409, 'Idempotency key reused', 'This Idempotency-Key was used with a different body.', 'Idempotency-Key này đã được dùng với nội dung khác.'),
  NOT_FOUND: d(404, 'Not found', 'No such resource.', 'Không tìm thấy tài nguyên.'),
  RATE_LIMITED: d(429, 'Too many requests', 'Slow down and retry later.', 'Gửi quá nhanh, hãy thử lại sau.'),
  INTERNAL: d(500, 'Internal error', 'The gateway failed; nothing was accepted.', 'Cổng kết nối gặp lỗi; chưa có dữ liệu nào được nhận.'),

  // Record level (validationErrors)
  VENDOR_FIELD_INVALID: d(422, 'Vendor field invalid', 'A field of the vendor format cannot be mapped.', 'Không chuyển đổi được một trường theo định dạng của nhà cung cấp.'),
  SCHEMA_REQUIRED: d(422, 'Required field missing', 'A required field is missing.', 'Thiếu trường bắt buộc.'),
  SCHEMA_TYPE: d(422, 'Wrong type', 'The field has the wrong type.', 'Trường có kiểu dữ liệu sai.'),
  SCHEMA_ENUM: d(422, 'Value not allowed', 'The value is not one of the allowed codes.', 'Giá trị không thuộc danh mục cho phép.'),
  SCHEMA_PATTERN: d(422, 'Wrong format', 'The value does not have the required format.', 'Giá trị không đúng định dạng.'),
  SCHEMA_RANGE: d(422, 'Out of range', 'The value is outside the allowed range.', 'Giá trị nằm ngoài khoảng cho phép.'),
  SCHEMA_LENGTH: d(422, 'Wrong length', 'The value is too long or too short.', 'Độ dài giá trị không hợp lệ.'),
  SCHEMA_UNKNOWN_FIELD: d(422, 'Unknown field', 'The field is not part of the record.', 'Trường không thuộc hồ sơ.'),
  SCHEMA_OTHER: d(422, 'Schema violation', 'The record does not follow the canonical schema.', 'Hồ sơ không đúng lược đồ chuẩn.'),
  PERSONAL_ID_FORMAT: d(422, 'Personal ID malformed', 'The personal ID number must be 12 digits.', 'Mã định danh cá nhân phải gồm 12 chữ số.'),
  PERSONAL_ID_SEX_MISMATCH: d(422, 'Personal ID and sex disagree', 'The sex digit of the personal ID does not match the student\'s sex.', 'Chữ số giới tính trong mã định danh không khớp giới tính của học sinh.'),
  PERSONAL_ID_CENTURY_MISMATCH: d(422, 'Personal ID and century disagree', 'The century digit of the personal ID does not match the birth year.', 'Chữ số thế kỷ trong mã định danh không khớp năm sinh.'),
  PERSONAL_ID_BIRTH_YEAR_MISMATCH: d(422, 'Personal ID and birth year disagree', 'Digits 5-6 of the personal ID do not match the birth year.', 'Chữ số 5-6 của mã định danh không khớp năm sinh.'),
  TEXT_INVALID_CHARACTER: d(422, 'Character not allowed', 'The text holds a control character that XML cannot carry.', 'Văn bản chứa ký tự điều khiển mà XML không cho phép.'),
  DUPLICATE_IN_BATCH: d(422, 'Student twice in batch', 'The same record key appears more than once in this batch.', 'Cùng một hồ sơ xuất hiện nhiều lần trong lô.'),

  // Signed records (POST /v1/signed-records): one code per way a signature can fail
  SIGNED_RECORD_MALFORMED: d(422, 'Signed record malformed', 'The signed record does not follow the profile (specs/ministry-profile/v0/signed-record.md).', 'Học bạ ký số không đúng cấu trúc quy định.'),
  SIGNATURE_ROLE_UNKNOWN: d(422, 'Unknown signer role', 'The signature Id names no known signer (sig-gvcn, sig-hieutruong, sig-seal).', 'Id của chữ ký không thuộc người ký nào được quy định (sig-gvcn, sig-hieutruong, sig-seal).'),
  SIGNATURE_ALGORITHM_UNSUPPORTED: d(422, 'Signature algorithm not accepted', 'Signatures must be RSA-SHA256 over exclusive c14n with SHA-256 digests.', 'Chữ ký phải dùng RSA-SHA256, chuẩn hoá exc-c14n và băm SHA-256.'),
  SIGNATURE_DIGEST_MISMATCH: d(422, 'Signed content changed', 'The signed content was changed after signing.', 'Nội dung đã ký bị thay đổi sau khi ký.'),
  SIGNATURE_VALUE_INVALID: d(422, 'Signature does not verify', 'The signature value does not verify with the certificate it carries (a swapped certificate or a forged value).', 'Giá trị chữ ký không khớp với chứng thư số đi kèm (chứng thư bị tráo hoặc chữ ký giả).'),
  SIGNATURE_WRAPPING: d(422, 'Signed element moved or duplicated', 'The signed record was moved, duplicated or wrapped; only the record where the profile puts it counts.', 'Phần tử đã ký bị di chuyển, nhân bản hoặc bọc lại.'),
  SIGNATURE_PARTIAL: d(422, 'Signature covers part of the record', 'The signature covers only part of the record.', 'Chữ ký chỉ bao phủ một phần học bạ.'),
  SIGNING_TIME_INVALID: d(422, 'Signing time missing or invalid', 'The signing time is missing, not covered by the signature, unreadable or in the future.', 'Thời điểm ký bị thiếu, không được ký, không đọc được hoặc ở tương lai.'),
  CERT_UNTRUSTED: d(422, 'Certificate from an unknown CA', 'The signer\'s certificate does not chain to a trusted CA.', 'Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.'),
  CERT_EXPIRED: d(422, 'Certificate not valid at signing time', 'The signer\'s certificate (or its CA) was not valid at the signing time.', 'Chứng thư số (hoặc CA cấp) không còn hiệu lực tại thời điểm ký.'),
  CERT_REVOKED: d(422, 'Certificate revoked', 'The signer\'s certificate was revoked before the signing time, or for key compromise.', 'Chứng thư số của người ký đã bị thu hồi.'),
  CERT_KEY_USAGE: d(422, 'Certificate not for signing', 'The signer\'s certificate is not meant for signing documents (key usage).', 'Chứng thư số không dùng để ký văn bản (mục đích sử dụng khoá).'),
  SIGNER_NAME_MISMATCH: d(422, 'Signer is not the person named in the record', 'The certificate does not name the homeroom teacher or principal of the record.', 'Chứng thư số không mang tên giáo viên chủ nhiệm hoặc hiệu trưởng ghi trong học bạ.'),
  SIGNATURES_INCOMPLETE: d(422, 'Signatures missing', 'The record lacks signatures the province requires before sending.', 'Học bạ còn thiếu chữ ký bắt buộc trước khi gửi.'),

  // Admin
  KEYS_RELOAD_FAILED: d(409, 'Keys not reloaded', 'The new key, certificate or trust files could not be loaded; the previous ones stay in use.', 'Không nạp được khoá, chứng thư hoặc tệp tin cậy mới; cổng tiếp tục dùng bộ cũ.'),

  // Delivery level (a dead record's reason)
  MINISTRY_REJECTED: d(502, 'Rejected by the Ministry', 'The Ministry rejected the record.', 'Bộ GD&ĐT từ chối hồ sơ.'),
  MINISTRY_UNAVAILABLE: d(503, 'Ministry unavailable', 'The Ministry could not be reached; retries were used up.', 'Không kết nối được Bộ GD&ĐT; đã hết số lần thử lại.'),
});

export type ErrorCode = keyof typeof ERRORS;

export const PROBLEM_TYPE_BASE = 'urn:hocba-gateway:problem:';

export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}
