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
  // SMAS (XML batches, SOAP): the same code for a body that is not well-formed XML.
  BODY_MALFORMED: d(400, 'Malformed request body', 'The body is not valid JSON (or well-formed XML, where the endpoint takes XML).', 'Nội dung yêu cầu không phải JSON hợp lệ (hoặc XML hợp lệ, với điểm cuối nhận XML).'),
  BODY_TOO_LARGE: d(413, 'Request body too large', 'The body exceeds the size limit.', 'Nội dung yêu cầu vượt quá giới hạn kích thước.'),
  UNSUPPORTED_MEDIA_TYPE: d(415, 'Unsupported media type', 'Send Content-Type: application/json (or application/xml where the endpoint takes XML).', 'Cần gửi Content-Type: application/json (hoặc application/xml với điểm cuối nhận XML).'),
  REQUEST_INVALID: d(400, 'Invalid request', 'The request does not match the endpoint schema.', 'Yêu cầu không đúng lược đồ của điểm cuối.'),
  BATCH_INVALID: d(422, 'Invalid batch', 'The batch does not follow the vendor format.', 'Lô dữ liệu không đúng định dạng của nhà cung cấp.'),
  BATCH_REJECTED: d(422, 'Every record was rejected', 'No record in the batch passed validation.', 'Không có hồ sơ nào trong lô vượt qua kiểm tra.'),
  IDEMPOTENCY_KEY_REUSED: d(409, 'Idempotency key reused', 'This Idempotency-Key was used with a different body.', 'Idempotency-Key này đã được dùng với nội dung khác.'),
  NOT_FOUND: d(404, 'Not found', 'No such resource.', 'Không tìm thấy tài nguyên.'),
  // The public lookup and the PDF học bạ (issue 15 items 11 and 12)
  LOOKUP_NOT_FOUND: d(404, 'No học bạ with this lookup code', 'No record book with this lookup code has been accepted by this gateway. Check the code printed on the học bạ.', 'Cổng kết nối chưa tiếp nhận học bạ nào có mã tra cứu này. Hãy kiểm tra lại mã in trên học bạ.'),
  PAYLOAD_PURGED: d(410, 'Record content no longer held', 'The gateway no longer holds this record\'s content: it was cleared after the Ministry acknowledged it (retention). The Ministry\'s repository holds it.', 'Cổng kết nối không còn lưu nội dung hồ sơ này: đã xóa theo thời hạn lưu trữ sau khi Bộ tiếp nhận. Kho dữ liệu của Bộ vẫn lưu hồ sơ.'),
  // Corrections and withdrawals as events (issue 15 item 10)
  RECORD_IN_FLIGHT: d(409, 'Record book being sent', 'A version or the withdrawal of this record book is being sent to the Ministry right now; ask again after the time in Retry-After.', 'Một phiên bản hoặc yêu cầu rút của học bạ này đang được gửi lên Bộ; hãy thử lại sau thời gian trong Retry-After.'),
  WITHDRAWAL_PENDING: d(409, 'Withdrawal already waiting', 'A withdrawal of this record book already waits to be sent to the Ministry.', 'Yêu cầu rút học bạ này đã có và đang chờ gửi lên Bộ.'),
  NOTHING_TO_WITHDRAW: d(409, 'Nothing to withdraw', 'No version of this record book reached the Ministry and none waits to be sent: there is nothing to withdraw.', 'Chưa có phiên bản nào của học bạ này được gửi tới Bộ hoặc đang chờ gửi: không có gì để rút.'),
  RATE_LIMITED: d(429, 'Too many requests', 'Slow down and retry later.', 'Gửi quá nhanh, hãy thử lại sau.'),
  // Faults and limits (issue 14): hostile bodies, the database and disk, rate limits
  BODY_TOO_DEEP: d(400, 'Request body nested too deep', 'The JSON body nests objects or arrays deeper than any request this gateway reads (64 levels).', 'Nội dung JSON lồng nhau quá sâu (quá 64 cấp) so với mọi yêu cầu cổng kết nối đọc.'),
  DATABASE_UNAVAILABLE: d(503, 'Database unavailable', 'The gateway\'s database did not answer; nothing was accepted. Retry after the time in Retry-After.', 'Cơ sở dữ liệu của cổng kết nối không phản hồi; chưa có dữ liệu nào được nhận. Hãy thử lại sau thời gian trong Retry-After.'),
  STORAGE_FULL: d(507, 'Storage full', 'The gateway\'s disk is full; nothing was accepted. Retry after the time in Retry-After.', 'Ổ đĩa của cổng kết nối đã đầy; chưa có dữ liệu nào được nhận. Hãy thử lại sau thời gian trong Retry-After.'),
  AUTH_RATE_LIMITED: d(429, 'Too many failed authentications', 'Too many requests from this address failed authentication; retry after the time in Retry-After.', 'Quá nhiều yêu cầu từ địa chỉ này xác thực không thành công; hãy thử lại sau thời gian trong Retry-After.'),

  // Credentials, admin roles, audit (issue 13)
  AUTH_REVOKED: d(401, 'Credential revoked', 'This key was revoked by the province; ask the Sở GD&ĐT for a new one.', 'Khóa này đã bị Sở GD&ĐT thu hồi; hãy đề nghị cấp khóa mới.'),
  AUTH_EXPIRED: d(401, 'Credential expired', 'This key has expired (or the grace period of its rotation has ended); use the new key.', 'Khóa này đã hết hạn (hoặc đã hết thời gian chuyển tiếp khi đổi khóa); hãy dùng khóa mới.'),
  ROLE_FORBIDDEN: d(403, 'Role may not do this', 'Your admin role may not do this: viewer reads, operator also replays and cancels, admin also manages credentials and reloads keys.', 'Vai trò quản trị của bạn không được làm việc này: viewer chỉ xem, operator được phát lại và hủy, admin được quản lý khóa và nạp lại khóa ký.'),
  CREDENTIAL_INVALID: d(400, 'Credential request invalid', 'The credential cannot be made as asked.', 'Không thể tạo khóa theo yêu cầu.'),
  INTERNAL: d(500, 'Internal error', 'The gateway failed; nothing was accepted.', 'Cổng kết nối gặp lỗi; chưa có dữ liệu nào được nhận.'),

  // Dashboard session (plugins/session.ts)
  CSRF_INVALID: d(403, 'CSRF token missing or wrong', 'An action authenticated by the dashboard session must carry the page\'s token in x-csrf-token; reload the page and try again.', 'Thao tác dùng phiên đăng nhập của trang quản trị phải kèm mã chống giả mạo (x-csrf-token) của trang; hãy tải lại trang rồi thử lại.'),

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
  SCHOOL_NOT_AUTHORISED: d(403, 'School not authorised for this key', 'This key may not submit records for this school; the province grants each key its schools.', 'Khóa này không được gửi hồ sơ của trường này; Sở GD&ĐT cấp cho mỗi khóa danh sách trường của nó.'),
  RECORD_HELD: d(409, 'Record waiting for signatures', 'A signed record with this key waits at the gateway for its missing signatures; complete it with a signed record rather than an unsigned one.', 'Học bạ này đang chờ đủ chữ ký tại cổng; hãy gửi bản đã ký đầy đủ thay vì bản chưa ký.'),
  DUPLICATE_IN_BATCH: d(422, 'Student twice in batch', 'The same record key appears more than once in this batch.', 'Cùng một hồ sơ xuất hiện nhiều lần trong lô.'),

  // Record level, business rules of profile v1 (docs/rules.md, src/validation/rules/)
  BATCH_REJECTED_STRICT: d(422, 'Batch rejected (strict handling)', 'At least one record failed validation and Prefer: handling=strict was asked, so no record was accepted.', 'Có hồ sơ không vượt qua kiểm tra và yêu cầu Prefer: handling=strict nên không hồ sơ nào được nhận.'),
  DUPLICATE_PERSONAL_ID_IN_BATCH: d(422, 'Personal ID twice in batch', 'Another record of this batch has the same personal ID number for the same school year under another learner ID.', 'Một hồ sơ khác trong lô có cùng mã định danh cá nhân, cùng năm học nhưng khác mã học sinh.'),
  VERSION_NOT_HIGHER: d(422, 'Version not higher', 'This gateway already accepted this record with the same or a higher version; send corrections with a higher version.', 'Cổng kết nối đã nhận hồ sơ này với phiên bản bằng hoặc cao hơn; bản sửa phải có phiên bản cao hơn.'),
  SCHOOL_YEAR_ORDER: d(422, 'School year out of order', 'The school year must be two consecutive years, earlier first (2024-2025).', 'Năm học phải gồm hai năm liên tiếp, năm trước viết trước (2024-2025).'),
  GRADE_BEFORE_PROGRAMME: d(422, 'Grade not yet under Circular 27/22', 'In that school year this grade was not yet assessed under Circular 27/2020 or 22/2021; this profile covers the 2018 programme only.', 'Trong năm học đó khối lớp này chưa đánh giá theo Thông tư 27/2020 hoặc 22/2021; hồ sơ này chỉ áp dụng cho chương trình 2018.'),
  RESULTS_LEVEL_MISMATCH: d(422, 'Results do not fit the grade', 'Grades 1-5 carry primary results and grades 6-12 secondary results, exactly one of them.', 'Khối 1-5 ghi kết quả tiểu học, khối 6-12 ghi kết quả trung học, và chỉ một trong hai.'),
  PERSONAL_ID_MISSING: d(422, 'Personal ID missing', 'A Vietnamese student is identified by the personal ID number; send it, or personalIdPending: true while it is not issued yet.', 'Học sinh quốc tịch Việt Nam được xác định bằng mã định danh cá nhân; hãy gửi mã, hoặc personalIdPending: true khi chưa được cấp.'),
  PERSONAL_ID_PENDING_WITH_ID: d(422, 'Personal ID both given and pending', 'The record gives a personal ID and says it is pending; leave personalIdPending out once the ID is issued.', 'Hồ sơ vừa có mã định danh vừa ghi đang chờ cấp; bỏ personalIdPending khi đã có mã.'),
  PERSONAL_ID_PENDING: d(422, 'Held until the personal ID is issued', 'The record is valid and held at the gateway until a later version carries the student\'s personal ID; it is not sent before.', 'Hồ sơ hợp lệ và được giữ tại cổng cho tới khi một phiên bản sau có mã định danh cá nhân của học sinh; chưa được gửi đi trước đó.'),
  PERSONAL_ID_NOT_EXPECTED: d(422, 'Personal ID for a foreign student', 'A student of another nationality has no Vietnamese personal ID: identify them by identityDocument (passport or travel document).', 'Học sinh quốc tịch nước ngoài không có mã định danh cá nhân Việt Nam: hãy dùng identityDocument (hộ chiếu hoặc giấy tờ đi lại quốc tế).'),
  IDENTITY_DOCUMENT_MISSING: d(422, 'Passport or travel document missing', 'A student of another nationality is identified by a passport or travel document (identityDocument).', 'Học sinh quốc tịch nước ngoài được xác định bằng hộ chiếu hoặc giấy tờ đi lại quốc tế (identityDocument).'),
  IDENTITY_DOCUMENT_FOR_CITIZEN: d(422, 'Passport for a Vietnamese student', 'A Vietnamese student is identified by the personal ID, not by a passport or travel document.', 'Học sinh quốc tịch Việt Nam được xác định bằng mã định danh cá nhân, không bằng hộ chiếu hay giấy tờ đi lại.'),
  PERSONAL_ID_COUNTRY_UNKNOWN: d(422, 'Birth registration country unknown', 'The country of a birth registered abroad has no code in this gateway\'s list (config/provinces.json, birthRegistrationCountries).', 'Quốc gia đăng ký khai sinh ở nước ngoài chưa có mã trong danh mục của cổng (config/provinces.json, birthRegistrationCountries).'),
  PERSONAL_ID_COUNTRY_MISMATCH: d(422, 'Personal ID and birth country disagree', 'Digits 1-3 of the personal ID of a birth registered abroad are the code of that country.', 'Ba chữ số đầu của mã định danh của người đăng ký khai sinh ở nước ngoài là mã quốc gia đó.'),
  RETEST_NOT_EXPECTED: d(422, 'Retest not expected', 'A retest (kiểm tra lại) is for a student whose year learning result is Chưa đạt, in a subject with a year average under 5.0 or a comment result Chưa đạt.', 'Kiểm tra lại dành cho học sinh có kết quả học tập cả năm Chưa đạt, ở môn có điểm trung bình cả năm dưới 5,0 hoặc đánh giá Chưa đạt.'),
  LEARNING_AFTER_RETEST_INCONSISTENT: d(422, 'Result after retests inconsistent', 'With the retests in place of the year values, the subjects give another learning result after the summer than the one stated.', 'Thay kết quả cả năm bằng kết quả kiểm tra lại, các môn học cho kết quả học tập sau hè khác với kết quả đã ghi.'),
  SUMMER_TRAINING_LEVEL: d(422, 'Summer training result not Đạt or Chưa đạt', 'Conduct after summer training (rèn luyện trong hè) is assessed again as Đạt or Chưa đạt.', 'Kết quả rèn luyện sau rèn luyện trong kì nghỉ hè được đánh giá lại là Đạt hoặc Chưa đạt.'),
  // Tin học và Công nghệ in two parts (issue 15 item 7; src/validation/rules/subject-parts.ts)
  SUBJECT_PARTS_NOT_EXPECTED: d(422, 'Subject assessed in parts', 'Only Tin học và Công nghệ (grades 3-5) is assessed in two parts (phần Tin học, phần Công nghệ).', 'Chỉ môn Tin học và Công nghệ (khối 3-5) được đánh giá theo hai phần (phần Tin học, phần Công nghệ).'),
  SUBJECT_PARTS_LEVEL_INCONSISTENT: d(422, 'Subject level and its parts disagree', 'The level of Tin học và Công nghệ is the lower of its two parts\' levels.', 'Mức đạt được môn Tin học và Công nghệ là mức thấp hơn trong hai phần.'),
  SUBJECT_PARTS_SCORE_INCONSISTENT: d(422, 'Subject score and its parts disagree', 'A periodic test score of Tin học và Công nghệ is the mean of its two parts\' scores, rounded half up to a whole number.', 'Điểm kiểm tra định kì môn Tin học và Công nghệ là trung bình cộng điểm hai phần, làm tròn 0,5 lên thành số nguyên.'),
  // The record form of profile v2 (issue 15 item 9; src/validation/rules/record-form.ts)
  FORM_ETHNICITY_CODE_MISMATCH: d(422, 'Ethnicity code and name disagree', 'form.ethnicityCode is the QĐ 4998 code of the student\'s ethnicity (01 Kinh … 54 Rơ-măm), or 55 for a student of another nationality.', 'form.ethnicityCode là mã dân tộc theo QĐ 4998 của học sinh (01 Kinh … 54 Rơ-măm), hoặc 55 với học sinh quốc tịch nước ngoài.'),
  FORM_DATE_OUT_OF_YEAR: d(422, 'Date outside the school year', 'The enrolment date is not after the record\'s school year, and a transfer falls within its entry\'s school year (1 August to 31 July).', 'Ngày nhập học không sau năm học của học bạ; ngày chuyển trường nằm trong năm học của dòng đó (1/8 đến 31/7).'),
  FORM_HISTORY_ORDER: d(422, 'School history out of order', 'The school history lists school years and grades earliest first.', 'Quá trình học tập ghi các năm học và khối theo thứ tự, năm trước lên trước.'),
  FORM_HISTORY_CURRENT: d(422, 'School history does not end with this record', 'The school history ends with this record\'s own school year, grade, class and school.', 'Quá trình học tập kết thúc bằng đúng năm học, khối, lớp và trường của học bạ này.'),
  FORM_COMMENT_NOT_ASSESSED: d(422, 'Comment on a subject not assessed', 'Each subject comment is on a subject the record assesses, once.', 'Mỗi nhận xét môn học là của một môn học bạ đánh giá, mỗi môn một lần.'),
  FORM_PHYSICAL_NOT_PRIMARY: d(422, 'Height and weight outside primary', 'Height and weight are kept on the primary record form only (grades 1-5).', 'Chiều cao, cân nặng chỉ ghi trong học bạ tiểu học (khối 1-5).'),
  FORM_MEASURE_PRECISION: d(422, 'Height or weight too precise', 'Height (cm) and weight (kg) have at most one decimal.', 'Chiều cao (cm) và cân nặng (kg) có tối đa một chữ số thập phân.'),
  FORM_TITLE_LEVEL: d(422, 'Title of another level', 'Học sinh Giỏi is a title of grades 6-12, Học sinh Tiêu biểu of grades 1-5 (Học sinh Xuất sắc of both).', 'Học sinh Giỏi là danh hiệu khối 6-12, Học sinh Tiêu biểu là danh hiệu khối 1-5 (Học sinh Xuất sắc có ở cả hai).'),
  FORM_TITLE_NOT_EARNED: d(422, 'Title not earned by the results', 'A title follows the results: at grades 1-5 Xuất sắc needs HTXS and Tiêu biểu HTT (TT27 art. 15); at grades 6-12 Giỏi needs learning and conduct Tốt, and Xuất sắc also six subjects assessed by score averaging 9.0 or more (TT22 art. 15).', 'Danh hiệu theo kết quả: khối 1-5, Xuất sắc cần HTXS, Tiêu biểu cần HTT (TT27 điều 15); khối 6-12, Giỏi cần học tập và rèn luyện mức Tốt, Xuất sắc cần thêm ít nhất sáu môn đánh giá bằng điểm số có ĐTB cả năm từ 9,0 (TT22 điều 15).'),
  END_OF_LEVEL_NOT_IN_GRADE: d(422, 'Outcome of another grade', 'Completion of primary is stated at grade 5, the confirmation of completing lower secondary at grade 9, graduation review eligibility at grade 12.', 'Hoàn thành chương trình tiểu học ghi ở lớp 5, xác nhận hoàn thành chương trình THCS ở lớp 9, đủ điều kiện dự xét tốt nghiệp THPT ở lớp 12.'),
  LEVEL_COMPLETION_INCONSISTENT: d(422, 'End-of-level outcome inconsistent', 'The outcome that closes the level follows from the year: it is given only to a student who completed the grade\'s programme, and the confirmation of completing lower secondary is dated after the school year.', 'Kết quả cuối cấp phải khớp với kết quả năm học: chỉ có khi học sinh hoàn thành chương trình lớp, và xác nhận hoàn thành chương trình THCS có ngày sau khi kết thúc năm học.'),
  TOPIC_CLUSTERS_NOT_EXPECTED: d(422, 'Chuyên đề not in this subject', 'Chuyên đề clusters are taken at grades 10-12 in Ngữ văn, Toán, Lịch sử, Địa lí, Giáo dục kinh tế và pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc and Mĩ thuật.', 'Cụm chuyên đề học tập chỉ có ở lớp 10-12, trong các môn Ngữ văn, Toán, Lịch sử, Địa lí, Giáo dục kinh tế và pháp luật, Vật lí, Hóa học, Sinh học, Công nghệ, Tin học, Âm nhạc, Mĩ thuật.'),
  TOPIC_CLUSTER_COUNT: d(422, 'Too many chuyên đề clusters', 'A student takes three chuyên đề clusters a year.', 'Mỗi năm học sinh học ba cụm chuyên đề học tập.'),
  ORIENTATION_NOT_EXPECTED: d(422, 'Orientation not expected', 'Only Công nghệ at grades 10-12 is taught in an orientation (công nghiệp or nông nghiệp).', 'Chỉ môn Công nghệ lớp 10-12 có định hướng (công nghiệp hoặc nông nghiệp).'),
  PRIMARY_SUPPLEMENTARY_MISSING: d(422, 'Supplementary assessment missing', 'A student who did not complete the grade\'s programme is assessed again after the summer (đánh giá bổ sung); the principal signs the record after that assessment, which it carries.', 'Học sinh chưa hoàn thành chương trình lớp học được đánh giá bổ sung sau hè; hiệu trưởng ký học bạ sau lần đánh giá này và học bạ phải ghi kết quả đó.'),
  PRIMARY_SUPPLEMENTARY_NOT_EXPECTED: d(422, 'Supplementary assessment not expected', 'A supplementary assessment is for a student who did not complete the grade\'s programme in the year.', 'Đánh giá bổ sung chỉ dành cho học sinh chưa hoàn thành chương trình lớp học trong năm.'),
  EXEMPT_SUBJECT_ASSESSED: d(422, 'Exempted subject assessed', 'A subject the student is exempted from is also among the assessed subjects.', 'Môn học sinh được miễn lại có trong danh sách môn được đánh giá.'),
  EXEMPTION_REASON_INVALID: d(422, 'Exemption not allowed', 'A health exemption is from Giáo dục thể chất; an exemption for a disability needs the student\'s disability.', 'Miễn vì lý do sức khỏe chỉ áp dụng cho môn Giáo dục thể chất; miễn vì khuyết tật cần thông tin khuyết tật của học sinh.'),
  PERSONAL_ID_PROVINCE_UNKNOWN: d(422, 'Personal ID province unknown', 'Digits 1-3 of the personal ID are not a known province of birth registration.', 'Ba chữ số đầu của mã định danh không phải mã tỉnh đăng ký khai sinh đã biết.'),
  SCHOOL_PROVINCE_UNKNOWN: d(422, 'Province code unknown', 'The school\'s province code is not a known province code.', 'Mã tỉnh của trường không có trong danh mục.'),
  SCHOOL_PROVINCE_RETIRED: d(422, 'Province code retired', 'The school\'s province code is one from before 1 July 2025; send the code of the province it belongs to now.', 'Mã tỉnh của trường là mã trước ngày 01/7/2025; hãy gửi mã tỉnh hiện nay.'),
  SCHOOL_PROVINCE_NOT_OURS: d(422, 'School of another province', 'The school belongs to another province than this gateway\'s; send the record to that province\'s gateway.', 'Trường thuộc tỉnh khác với tỉnh của cổng kết nối này; hãy gửi hồ sơ tới cổng của tỉnh đó.'),
  SCHOOL_UNKNOWN: d(422, 'School unknown', 'The school ID is not on this province\'s list of schools.', 'Mã trường không có trong danh sách trường của tỉnh.'),
  SCHOOL_GRADE_NOT_OFFERED: d(422, 'Grade not taught at the school', 'The school does not teach this grade according to the province\'s list of schools.', 'Theo danh sách trường của tỉnh, trường không dạy khối lớp này.'),
  SUBJECT_NOT_IN_GRADE: d(422, 'Subject not taught in this grade', 'This subject is not part of this grade\'s programme.', 'Môn học này không có trong chương trình của khối lớp.'),
  SUBJECT_MISSING: d(422, 'Compulsory subject missing', 'A compulsory subject of this grade is missing.', 'Thiếu môn học bắt buộc của khối lớp.'),
  SUBJECT_REPEATED: d(422, 'Subject repeated', 'The subject is listed more than once.', 'Môn học được ghi nhiều lần.'),
  ELECTIVE_COUNT: d(422, 'Wrong number of electives', 'Grades 10-12 take exactly four elective subjects.', 'Khối 10-12 học đúng bốn môn lựa chọn.'),
  PRIMARY_TEST_SCORE_MISSING: d(422, 'End-of-year test score missing', 'A tested subject needs its end-of-year periodic test score.', 'Môn học có kiểm tra định kì phải có điểm bài kiểm tra cuối năm.'),
  PRIMARY_TEST_SCORE_NOT_EXPECTED: d(422, 'Test score not expected', 'This subject has no such periodic test in this grade.', 'Môn học này không có bài kiểm tra định kì đó ở khối lớp này.'),
  PRIMARY_SCORE_NOT_WHOLE: d(422, 'Score not a whole number', 'Primary periodic test scores are whole numbers (Circular 27/2020).', 'Điểm kiểm tra định kì cấp tiểu học là số nguyên (Thông tư 27/2020).'),
  PRIMARY_SCORE_BELOW_MINIMUM: d(422, 'Score below the minimum', 'The score is below the lowest score this province accepts.', 'Điểm thấp hơn mức thấp nhất tỉnh chấp nhận.'),
  PRIMARY_RATING_REPEATED: d(422, 'Quality or competency repeated', 'Each quality and each competency is rated exactly once.', 'Mỗi phẩm chất, năng lực chỉ được đánh giá một lần.'),
  PRIMARY_COMPETENCY_NOT_IN_GRADE: d(422, 'Competency not rated in this grade', 'Grades 1-2 do not rate the Công nghệ and Tin học competencies: the grade has no Tin học và Công nghệ subject (Circular 27/2020).', 'Khối lớp 1, 2 không đánh giá năng lực công nghệ và tin học: khối lớp này không có môn Tin học và Công nghệ (Thông tư 27/2020).'),
  PRIMARY_RATING_MISSING: d(422, 'Quality or competency not rated', 'Every quality and every competency the grade assesses is rated (Circular 27/2020 art. 6).', 'Mỗi phẩm chất, năng lực mà khối lớp đánh giá đều phải có mức đánh giá (Điều 6 Thông tư 27/2020).'),
  PRIMARY_YEAR_END_RESULT_INCONSISTENT: d(422, 'Year-end result inconsistent', 'The year-end result does not follow from the subject levels, ratings and end-of-year scores (Circular 27/2020 art. 9).', 'Kết quả cuối năm không khớp với mức đạt của các môn, phẩm chất, năng lực và điểm kiểm tra cuối năm (Điều 9 Thông tư 27/2020).'),
  PRIMARY_COMPLETION_INCONSISTENT: d(422, 'Completion inconsistent', 'A student whose year-end result is HT or better has completed the class programme.', 'Học sinh có kết quả cuối năm từ Hoàn thành trở lên là đã hoàn thành chương trình lớp học.'),
  PRIMARY_PROMOTION_INCONSISTENT: d(422, 'Promotion inconsistent', 'A student who completed the class programme is promoted.', 'Học sinh đã hoàn thành chương trình lớp học thì được lên lớp.'),
  ASSESSMENT_KIND_MISMATCH: d(422, 'Wrong kind of assessment', 'This subject is assessed by comment only or by comment and score (Circular 22/2021 art. 5), not as sent.', 'Môn học này được đánh giá bằng nhận xét hoặc bằng nhận xét kết hợp điểm số (Điều 5 Thông tư 22/2021), khác với dữ liệu gửi.'),
  REGULAR_ASSESSMENT_COUNT: d(422, 'Wrong number of regular assessments', 'The number of regular assessments in a term does not fit the subject\'s periods a year (2 up to 35, 3 up to 70, 4 above).', 'Số lần đánh giá thường xuyên trong học kì không khớp số tiết/năm của môn (đến 35 tiết: 2, đến 70 tiết: 3, trên 70 tiết: 4).'),
  SECONDARY_SCORE_PRECISION: d(422, 'Too many decimals', 'Secondary scores and averages have at most one decimal (Circular 22/2021).', 'Điểm và điểm trung bình cấp trung học có tối đa một chữ số thập phân (Thông tư 22/2021).'),
  TERM_AVERAGE_MISMATCH: d(422, 'Term average does not match', 'The term average differs from (sum of regular + 2 x mid-term + 3 x end-of-term) / (number of regular + 5).', 'Điểm trung bình môn học kì khác với (tổng ĐĐGtx + 2 x ĐĐGgk + 3 x ĐĐGck) / (số ĐĐGtx + 5).'),
  YEAR_AVERAGE_MISMATCH: d(422, 'Year average does not match', 'The year average differs from (term I average + 2 x term II average) / 3.', 'Điểm trung bình môn cả năm khác với (ĐTBmhkI + 2 x ĐTBmhkII) / 3.'),
  COMMENT_TERM_RESULT_INCONSISTENT: d(422, 'Term result inconsistent', 'A comment subject\'s term is Đạt only with every assessment held and Đạt.', 'Môn đánh giá bằng nhận xét chỉ đạt mức Đạt trong học kì khi đủ số lần đánh giá và tất cả đều Đạt.'),
  COMMENT_YEAR_RESULT_INCONSISTENT: d(422, 'Year result inconsistent', 'A comment subject\'s year result is its term II result.', 'Kết quả cả năm của môn đánh giá bằng nhận xét là kết quả học kì II.'),
  LEARNING_RESULT_INCONSISTENT: d(422, 'Learning result inconsistent', 'The learning result does not follow from the subject averages and comment results (Circular 22/2021 art. 9).', 'Kết quả học tập không khớp với điểm trung bình các môn và kết quả các môn đánh giá bằng nhận xét (Điều 9 Thông tư 22/2021).'),
  LEARNING_RESULT_NOT_RAISED: d(422, 'Learning result not raised (art. 9.3)', 'One subject alone pulls this learning result down two levels or more: Circular 22 art. 9.3 raises it one level, and the raised result is the one to state (and to decide promotion by).', 'Chỉ một môn học làm kết quả học tập giảm từ hai mức trở lên: theo khoản 3 Điều 9 Thông tư 22, kết quả được nâng lên một mức và phải ghi kết quả đã nâng (và xét lên lớp theo kết quả đó).'),
  CONDUCT_YEAR_INCONSISTENT: d(422, 'Year conduct inconsistent', 'The year\'s conduct result does not follow from the two terms (Circular 22/2021 art. 8).', 'Kết quả rèn luyện cả năm không khớp với kết quả hai học kì (Điều 8 Thông tư 22/2021).'),
  SUMMER_REVIEW_NOT_EXPECTED: d(422, 'Summer review not expected', 'A result after the summer is given only when the year\'s result is Chưa đạt.', 'Kết quả sau hè chỉ có khi kết quả cả năm là Chưa đạt.'),
  SECONDARY_PROMOTION_INCONSISTENT: d(422, 'Promotion inconsistent', 'Promotion requires learning and conduct results of at least Đạt and absences within the limit (Circular 22/2021 art. 12).', 'Được lên lớp khi kết quả học tập và rèn luyện từ Đạt trở lên và số buổi nghỉ không vượt giới hạn (Điều 12 Thông tư 22/2021).'),
  SIGNATURE_REPEATED: d(422, 'Signature repeated', 'Each role signs a record once.', 'Mỗi chức danh chỉ ký hồ sơ một lần.'),
  SIGNATURE_MISSING: d(422, 'Signature missing', 'The record lacks a signature this province requires (homeroom teacher, principal, school seal).', 'Hồ sơ thiếu chữ ký tỉnh yêu cầu (giáo viên chủ nhiệm, hiệu trưởng, con dấu của trường).'),
  // Signed records (POST /v1/signed-records): one code per way a signature can fail
  SIGNED_RECORD_MALFORMED: d(422, 'Signed record malformed', 'The signed record does not follow the profile (specs/ministry-profile/v1/signed-record.md).', 'Học bạ ký số không đúng cấu trúc quy định.'),
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

  // Signers bound to their roles, and time (issue 14, items 2 and 3)
  SIGNER_ROLE_MISMATCH: d(422, 'Certificate not for this signer role', 'The certificate is not the kind this role signs with: teacher and principal sign with personal certificates, the seal with the school\'s organisation certificate, each with the policies the province configures.', 'Chứng thư số không đúng loại cho vai trò ký: giáo viên chủ nhiệm và hiệu trưởng ký bằng chứng thư cá nhân, con dấu bằng chứng thư tổ chức của nhà trường, với chính sách chứng thư Sở quy định.'),
  SEAL_NOT_OWN_SCHOOL: d(422, 'Seal of another organisation', 'The seal\'s certificate does not identify the record\'s own school (organizationIdentifier MOETVN-<school ID>).', 'Chứng thư con dấu không phải của trường ghi trong học bạ (organizationIdentifier MOETVN-<mã trường>).'),
  PROVINCE_KEY_ON_RECORD: d(422, 'Province key on a record', 'The province\'s packet-signing certificate never signs a học bạ record.', 'Chứng thư ký gói tin của Sở không được dùng để ký học bạ.'),
  DEPUTY_NOT_ALLOWED: d(422, 'Deputy may not sign for the principal', 'A deputy principal\'s certificate signed in the principal\'s place (KT. Hiệu trưởng), which this province does not allow.', 'Chứng thư của phó hiệu trưởng ký thay hiệu trưởng (KT. Hiệu trưởng), Sở không cho phép.'),
  TIMESTAMP_UNSUPPORTED: d(422, 'Time-stamp not accepted here', 'The signature carries an RFC 3161 time-stamp token, but this gateway trusts no time-stamp authority (signedRecords.tsa.trustAnchors); send the signature without it (certificates are then checked at the time of receipt).', 'Chữ ký kèm dấu thời gian RFC 3161 nhưng cổng không tin cậy đơn vị cấp dấu thời gian nào (signedRecords.tsa.trustAnchors); hãy gửi chữ ký không kèm dấu thời gian (chứng thư khi đó được kiểm tra tại thời điểm nhận).'),
  TIMESTAMP_INVALID: d(422, 'Time-stamp invalid', 'The signature\'s RFC 3161 time-stamp does not hold: not where XAdES puts it, unreadable, made for another signature value, altered since the authority signed it, or dated in the future.', 'Dấu thời gian RFC 3161 của chữ ký không hợp lệ: sai vị trí theo XAdES, không đọc được, cấp cho giá trị chữ ký khác, bị sửa sau khi đơn vị cấp dấu thời gian ký, hoặc ghi thời điểm trong tương lai.'),
  TIMESTAMP_UNTRUSTED: d(422, 'Time-stamp authority not trusted', 'The time-stamp was signed by a certificate that is not a trusted time-stamp authority\'s (signedRecords.tsa.trustAnchors), was not valid at the time it stamped, or is revoked.', 'Dấu thời gian được ký bởi chứng thư không thuộc đơn vị cấp dấu thời gian được tin cậy (signedRecords.tsa.trustAnchors), không còn hiệu lực tại thời điểm cấp dấu, hoặc đã bị thu hồi.'),
  // C1 workbooks (src/adapters/c1/): the workbook as a whole cannot be read
  WORKBOOK_UNREADABLE: d(422, 'Workbook unreadable', 'The body is not a readable xlsx workbook (Excel 2007 or later).', 'Nội dung không phải tệp Excel xlsx đọc được (Excel 2007 trở lên).'),
  WORKBOOK_HEADER_MISSING: d(422, 'Workbook sheet without its header', 'A sheet lacks the C1 header block (Mã trường, Năm học, Khối) or the row of column headings (STT, Mã học sinh, Họ và tên).', 'Một trang tính thiếu phần đầu của mẫu C1 (Mã trường, Năm học, Khối) hoặc dòng tiêu đề cột (STT, Mã học sinh, Họ và tên).'),
  WORKBOOK_LIMIT_EXCEEDED: d(422, 'Workbook beyond limits', 'The workbook exceeds what the gateway reads (zip entries, inflated size, rows, columns or cell length).', 'Tệp Excel vượt giới hạn cổng kết nối đọc được (số mục nén, dung lượng giải nén, số dòng, số cột hoặc độ dài ô).'),
  // Signed documents bounded before parsing (issue 14: hostile documents; settings signedRecords.maxDocumentBytes and the rest)
  DOCUMENT_TOO_LARGE: d(413, 'Signed document too large', 'A signed document exceeds signedRecords.maxDocumentBytes; a signed học bạ is about 15 kB.', 'Văn bản ký số vượt quá kích thước cho phép (signedRecords.maxDocumentBytes); một học bạ ký số chỉ khoảng 15 kB.'),
  DOCUMENT_LIMIT_EXCEEDED: d(422, 'Signed document too complex', 'A signed document has more elements, deeper nesting or more attributes than the gateway reads (signedRecords.maxElements, maxDepth, maxAttributes); a signed học bạ has a few hundred elements.', 'Văn bản ký số có quá nhiều phần tử, lồng quá sâu hoặc quá nhiều thuộc tính (signedRecords.maxElements, maxDepth, maxAttributes); một học bạ ký số chỉ có vài trăm phần tử.'),

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
