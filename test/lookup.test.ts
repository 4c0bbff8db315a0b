import t from 'tap';
import { distinctBatch } from '../src/bench/data.js';
import { api, eventually, startTestGateway } from './helpers/gateway.js';

// The public lookup (issue 15 item 12): no key, nothing personal without the student's date of
// birth, the student's name with it, a page for a person and JSON for a program, rate-limited.

const isoOf = (ddmmyyyy: string) => ddmmyyyy.split('/').reverse().join('-');

t.test('lookup by code: what exists, without personal data unless the date of birth matches', async (t) => {
  const gw = await startTestGateway(t, { rateLimit: { enabled: true, perKeyPerMinute: 1000, perAddressPerMinute: 1000, failedAuthPerMinute: 100, lookupPerMinute: 1000 } });
  const batch = distinctBatch(3, 500, 4242);
  batch.DanhSachHocSinh = batch.DanhSachHocSinh.slice(0, 3);
  const res = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(res.status, 202);
  const s = batch.DanhSachHocSinh[1]!;
  const personal = [s.HoTen, s.MaDinhDanh, s.NgaySinh, isoOf(s.NgaySinh)];

  const plain = await api(gw, 'GET', `/lookup/${s.MaTraCuu}`);
  t.equal(plain.status, 200);
  t.match(plain.json, { lookupCode: s.MaTraCuu, school: { schoolId: batch.MaTruong }, schoolYear: batch.NamHoc, grade: s.Khoi, version: s.PhienBan, birthDate: 'not-given', student: null });
  t.match(plain.json.state, /^(queued|sending|acknowledged)$/);
  t.equal(plain.json.signatures.status, 'unsigned', 'sent by a SIS without the school\'s signatures');
  for (const p of personal) t.notOk(plain.text.includes(p), `no personal data without the date of birth (${p === s.HoTen ? 'name' : 'id or date'})`);

  const lower = await api(gw, 'GET', `/lookup/${s.MaTraCuu.toLowerCase()}`);
  t.equal(lower.json?.lookupCode, s.MaTraCuu, 'codes are read without regard to case');

  const wrong = await api(gw, 'GET', `/lookup/${s.MaTraCuu}?birthDate=1999-01-01`);
  t.equal(wrong.json.birthDate, 'not-matched');
  t.equal(wrong.json.student, null);
  t.notOk(wrong.text.includes(s.HoTen), 'a wrong date of birth shows no name');

  const right = await api(gw, 'GET', `/lookup/${s.MaTraCuu}?birthDate=${isoOf(s.NgaySinh)}`);
  t.equal(right.json.birthDate, 'matched');
  t.equal(right.json.student.fullName, s.HoTen, 'the name, with every diacritic, once the date of birth matches');

  await eventually('delivery', async () => (await api(gw, 'GET', `/lookup/${s.MaTraCuu}`)).json?.state === 'acknowledged');
  const acked = await api(gw, 'GET', `/lookup/${s.MaTraCuu}`);
  t.equal(acked.json.state_vi, 'Bộ đã nhận', 'the state in Vietnamese');

  const missing = await api(gw, 'GET', '/lookup/ZZZZZZZZZZ');
  t.equal(missing.status, 404);
  t.equal(missing.json.code, 'LOOKUP_NOT_FOUND');
  t.match(missing.json.detail_vi, /mã tra cứu/);
  const bad = await api(gw, 'GET', '/lookup/not%20a%20code');
  t.equal(bad.status, 400);
  const badDate = await api(gw, 'GET', `/lookup/${s.MaTraCuu}?birthDate=16/06/2018`);
  t.equal(badDate.status, 400, 'a date of birth in another form is a 400, not a silent mismatch');

  const html = await api(gw, 'GET', `/lookup/${s.MaTraCuu}`, { headers: { accept: 'text/html' } });
  t.equal(html.status, 200);
  t.match(html.headers.get('content-type'), /text\/html/);
  t.match(html.text, /Đã tìm thấy học bạ/);
  t.match(html.text, /Bộ đã nhận/);
  for (const p of personal) t.notOk(html.text.includes(p), 'the page shows nothing personal either');
  const htmlRight = await api(gw, 'GET', `/lookup/${s.MaTraCuu}?birthDate=${isoOf(s.NgaySinh)}`, { headers: { accept: 'text/html' } });
  t.ok(htmlRight.text.includes(s.HoTen), 'the page shows the name once the date of birth matches');
  const form = await fetch(`${gw.url}/lookup?code=${s.MaTraCuu}&birthDate=${isoOf(s.NgaySinh)}`, { redirect: 'manual', headers: { accept: 'text/html' } });
  t.equal(form.status, 303, 'the form redirects to the code\'s own address');
  t.equal(form.headers.get('location'), `/lookup/${s.MaTraCuu}?birthDate=${isoOf(s.NgaySinh)}`);
  const notFoundPage = await api(gw, 'GET', '/lookup/ZZZZZZZZZZ', { headers: { accept: 'text/html' } });
  t.equal(notFoundPage.status, 404);
  t.match(notFoundPage.text, /LOOKUP_NOT_FOUND/);
});

t.test('lookups are rate-limited per address, apart from the other routes', async (t) => {
  const gw = await startTestGateway(t, { rateLimit: { enabled: true, perKeyPerMinute: 1000, perAddressPerMinute: 1000, failedAuthPerMinute: 100, lookupPerMinute: 3 } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await api(gw, 'GET', '/lookup/ABCDEF1234')).status);
  t.same(statuses, [404, 404, 404, 429, 429]);
  const limited = await api(gw, 'GET', '/lookup/ABCDEF1234');
  t.equal(limited.json?.code, 'RATE_LIMITED');
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'with Retry-After');
  t.equal((await api(gw, 'GET', '/healthz')).status, 200, 'other routes keep their own budget');
});

t.test('a person looks a học bạ up in a real browser: the form, then the answer, the name only with the date of birth', async (t) => {
  const { chromium } = await import('playwright-core');
  const gw = await startTestGateway(t);
  const batch = distinctBatch(4, 500, 5151);
  batch.DanhSachHocSinh = batch.DanhSachHocSinh.slice(0, 1);
  t.equal((await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch })).status, 202);
  const s = batch.DanhSachHocSinh[0]!;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.teardown(() => browser.close());
  const page = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${gw.url}/lookup`);
  t.equal(await page.getAttribute('html', 'lang'), 'vi');
  t.match(await page.textContent('h1'), /Tra cứu học bạ số/);
  await page.fill('#code', s.MaTraCuu.toLowerCase());
  await page.click('button[type=submit]');
  await page.waitForSelector('#found');
  t.match(page.url(), new RegExp(`/lookup/${s.MaTraCuu}$`), 'the code\'s own address, upper case');
  t.match(await page.textContent('#school'), batch.MaTruong);
  t.notOk((await page.content()).includes(s.HoTen), 'no name without the date of birth');
  await page.fill('#code', s.MaTraCuu);
  await page.fill('#birthDate', isoOf(s.NgaySinh));
  await page.click('button[type=submit]');
  await page.waitForSelector('#student-name');
  t.equal(await page.textContent('#student-name'), s.HoTen, 'the name, with its diacritics, once the date of birth matches');
  await page.goto(`${gw.url}/lookup/ZZZZZZZZZZ`);
  t.match(await page.textContent('#not-found'), /LOOKUP_NOT_FOUND/);
  t.same(errors, [], 'no script errors (the page has no script)');
});
