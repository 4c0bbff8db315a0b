// Every label of the dashboard, Vietnamese first and English beside, in one place: the server
// renders page shells with it and hands the page's language to assets/app.js as JSON.

export type Lang = 'vi' | 'en';

const t = (vi: string, en: string) => ({ vi, en });

export const DICT = {
  appTitle: t('Cổng kết nối học bạ số — Quản trị', 'Học bạ gateway — Administration'),
  navOverview: t('Tổng quan', 'Overview'),
  navSchools: t('Tiến độ các trường', 'Schools'),
  navDead: t('Hồ sơ lỗi', 'Dead records'),
  navCredentials: t('Khóa truy cập', 'Credentials'),
  navAudit: t('Nhật ký thao tác', 'Audit'),
  signOut: t('Đăng xuất', 'Sign out'),
  switchLang: t('English', 'Tiếng Việt'),
  signedInAs: t('Đăng nhập với', 'Signed in as'),
  loading: t('Đang tải…', 'Loading…'),
  none: t('Không có dữ liệu.', 'Nothing to show.'),
  notAvailable: t('Chức năng này chưa có trên cổng.', 'This is not available on this gateway yet.'),
  error: t('Lỗi', 'Error'),
  more: t('Xem thêm', 'More'),
  refresh: t('Tải lại', 'Refresh'),

  loginTitle: t('Đăng nhập quản trị', 'Administrator sign-in'),
  loginToken: t('Mã quản trị (admin token)', 'Admin token'),
  loginSubmit: t('Đăng nhập', 'Sign in'),
  loginHint: t('Mã quản trị do Sở GD&ĐT cấp. Phiên đăng nhập kéo dài 8 giờ.', 'The admin token issued by the department. A sign-in lasts 8 hours.'),

  overviewTitle: t('Tổng quan', 'Overview'),
  totalsByState: t('Số hồ sơ theo trạng thái', 'Records by state'),
  state: t('Trạng thái', 'State'),
  count: t('Số lượng', 'Count'),
  queueDepth: t('Hàng đợi', 'Queue depth'),
  oldestQueued: t('Hồ sơ chờ lâu nhất', 'Oldest queued'),
  circuit: t('Kết nối tới Bộ', 'Circuit to the Ministry'),
  consecutiveFailures: t('Lỗi liên tiếp', 'Consecutive failures'),
  nextProbeAt: t('Thử lại lúc', 'Next probe at'),
  certExpiry: t('Chứng thư ký số hết hạn sau', 'Signing certificate expires in'),
  days: t('ngày', 'days'),
  seconds: t('giây', 's'),
  circuitClosed: t('Bình thường', 'Closed (normal)'),
  circuitOpen: t('Tạm ngắt', 'Open'),
  'circuitHalf-open': t('Đang thử lại', 'Half-open'),

  schoolsTitle: t('Tiến độ các trường', 'Schools readiness'),
  schoolsHint: t('Trường chậm nhất ở trên cùng.', 'Furthest behind first.'),
  groupBy: t('Nhóm theo', 'Group by'),
  groupSchool: t('Trường', 'School'),
  groupVendor: t('Nhà cung cấp', 'Vendor'),
  groupGrade: t('Khối', 'Grade'),
  received: t('Đã nhận', 'Received'),
  valid: t('Hợp lệ', 'Valid'),
  signaturesComplete: t('Đủ chữ ký', 'Signatures complete'),
  heldForPersonalId: t('Chờ mã định danh', 'Awaiting personal ID'),
  acknowledged: t('Bộ đã nhận', 'Acknowledged'),
  dead: t('Lỗi', 'Dead'),
  shareAcknowledged: t('Tỉ lệ Bộ đã nhận', 'Share acknowledged'),

  deadTitle: t('Hồ sơ lỗi (dead)', 'Dead records'),
  filterSchool: t('Mã trường', 'School ID'),
  filterVendor: t('Nhà cung cấp', 'Vendor'),
  filterCode: t('Mã lỗi', 'Error code'),
  filterFrom: t('Từ ngày', 'From'),
  filterTo: t('Đến ngày', 'To'),
  search: t('Lọc', 'Filter'),
  preview: t('Xem trước', 'Preview'),
  replay: t('Gửi lại', 'Replay'),
  reason: t('Lý do gửi lại', 'Reason for the replay'),
  reasonRequired: t('Hãy ghi lý do gửi lại.', 'Give a reason for the replay.'),
  previewResult: t('Số hồ sơ sẽ được gửi lại', 'Records the replay would re-queue'),
  withdrawTitle: t('Rút học bạ khỏi CSDL của Bộ', 'Withdraw the record book from the Ministry'),
  withdrawHint: t('Gửi yêu cầu rút (CANCEL) phiên bản Bộ đang lưu; các phiên bản chưa gửi sẽ bị hủy. Lần gửi lại sau đó cần số phiên bản cao hơn.', 'Sends a withdrawal (CANCEL) of the version the Ministry holds; versions not yet sent are cancelled. A later submission needs a higher version.'),
  withdrawReason: t('Lý do rút', 'Reason for the withdrawal'),
  withdrawReasonRequired: t('Hãy ghi lý do rút học bạ.', 'Give a reason for the withdrawal.'),
  withdraw: t('Rút học bạ', 'Withdraw'),
  withdrawDone: t('Đã đưa yêu cầu rút vào hàng đợi gửi Bộ', 'The withdrawal is queued for the Ministry'),
  kind_record: t('Phiên bản học bạ', 'Record book version'),
  kind_withdrawal: t('Yêu cầu rút (CANCEL)', 'Withdrawal (CANCEL)'),
  replayDone: t('Đã đưa vào hàng đợi gửi lại', 'Re-queued for delivery'),
  previewFirst: t('Những hồ sơ đầu tiên', 'The first of them'),
  recordKey: t('Mã hồ sơ', 'Record key'),
  school: t('Trường', 'School'),
  vendor: t('Nhà cung cấp', 'Vendor'),
  grade: t('Khối', 'Grade'),
  className: t('Lớp', 'Class'),
  attempts: t('Số lần gửi', 'Attempts'),
  lastCode: t('Mã lỗi', 'Code'),
  lastReason: t('Nguyên nhân', 'Reason'),
  updatedAt: t('Cập nhật', 'Updated'),
  timeline: t('Diễn biến', 'Timeline'),
  details: t('Chi tiết', 'Details'),
  auditReason: t('Lý do', 'Reason'),

  recordTitle: t('Hồ sơ', 'Record'),
  at: t('Thời điểm', 'At'),
  from: t('Từ', 'From'),
  to: t('Sang', 'To'),
  code: t('Mã', 'Code'),
  submission: t('Lô gửi', 'Submission'),
  ministryRecordId: t('Mã hồ sơ tại Bộ', 'Ministry record ID'),

  credentialsTitle: t('Khóa truy cập', 'Credentials'),
  kind: t('Loại', 'Kind'),
  name: t('Tên', 'Name'),
  role: t('Vai trò', 'Role'),
  schools: t('Các trường', 'Schools'),
  createdAt: t('Tạo lúc', 'Created'),
  expiresAt: t('Hết hạn', 'Expires'),
  revokedAt: t('Thu hồi lúc', 'Revoked'),
  revoke: t('Thu hồi', 'Revoke'),
  confirmRevoke: t('Thu hồi khóa này? Nhà cung cấp sẽ không gửi được nữa.', 'Revoke this key? The vendor will no longer be able to submit.'),
  createCredential: t('Tạo khóa cho nhà cung cấp', 'New vendor key'),
  schoolsList: t('Mã trường (cách nhau bởi dấu phẩy)', 'School IDs (comma-separated)'),
  create: t('Tạo khóa', 'Create'),
  newKeyOnce: t('Khóa mới (chỉ hiện một lần, hãy lưu lại):', 'The new key (shown once, keep it now):'),
  anySchool: t('mọi trường', 'any school'),

  auditTitle: t('Nhật ký thao tác', 'Audit'),
  actor: t('Người thực hiện', 'Actor'),
  action: t('Thao tác', 'Action'),
  target: t('Đối tượng', 'Target'),
  via: t('Qua', 'Via'),

  // Record states
  st_received: t('Tiếp nhận', 'Received'),
  st_queued: t('Chờ gửi', 'Queued'),
  st_sending: t('Đang gửi', 'Sending'),
  st_retry: t('Chờ thử lại', 'Retry'),
  st_acknowledged: t('Bộ đã nhận', 'Acknowledged'),
  st_dead: t('Lỗi (dead)', 'Dead'),
  st_rejected: t('Bị từ chối', 'Rejected'),
  // Held for signatures (signed records) or for the student's personal ID: the record's last code says which.
  st_held: t('Đang giữ (chờ chữ ký hoặc mã định danh)', 'Held (signatures or personal ID)'),
  st_superseded: t('Đã thay thế', 'Superseded'),
  st_cancelled: t('Đã hủy', 'Cancelled'),
  st_withdrawn: t('Đã rút (Bộ đã nhận yêu cầu rút)', 'Withdrawn (the Ministry acknowledged the withdrawal)'),
} as const;

export type DictKey = keyof typeof DICT;

/** A record state's label in both languages (st_<state>); the state itself for one the dictionary lacks. */
export function stateLabel(state: string): { vi: string; en: string } {
  return (DICT as Record<string, { vi: string; en: string } | undefined>)[`st_${state}`] ?? { vi: state, en: state };
}

export function langOf(value: unknown): Lang {
  return value === 'en' ? 'en' : 'vi';
}

/** The dictionary in one language, for the page's script. */
export function dictionary(lang: Lang): Record<string, string> {
  return Object.fromEntries(Object.entries(DICT).map(([k, v]) => [k, v[lang]]));
}

export function tr(lang: Lang, key: DictKey): string {
  return DICT[key][lang];
}
