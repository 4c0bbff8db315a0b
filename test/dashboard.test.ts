import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { api, eventually, setFaults, startTestGateway, waitForStates } from './helpers/gateway.js';

// The dashboard at /admin: its session (cookie flags, CSRF on actions, wrong tokens refused) over
// plain HTTP, then what an admin does in a real browser (Debian's chromium driven by
// playwright-core): sign in, watch a school's counts move, replay a dead record after its
// preview, read a record's timeline, switch to English, sign out.

const example = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'vnedu', name), 'utf8'));
const SCHOOL = '01001234';

// One gateway for both parts: starting one (demo PKI, simulator, threads) is most of the time.
const t0 = Date.now();
const gw = await startTestGateway(t);
t.comment(`gateway started in ${Date.now() - t0} ms`);

t.test('session: cookie flags, CSRF on actions, refusals with codes', async (t) => {

  const st = statSync(join(gw.dir, 'session-secret'));
  t.equal(st.mode & 0o777, 0o600, 'the session secret is readable by the gateway\'s user only');

  const wrong = await api(gw, 'POST', '/admin/login', { body: { token: 'not-a-token' } });
  t.equal(wrong.status, 401);
  t.equal(wrong.json.code, 'AUTH_INVALID');
  t.ok(wrong.json.detail_vi, 'the refusal says why in Vietnamese too');
  t.notOk(wrong.headers.get('set-cookie'), 'no cookie for a wrong token');
  const vendor = await api(gw, 'POST', '/admin/login', { body: { token: gw.vendorKey } });
  t.equal(vendor.json.code, 'AUTH_INVALID', 'a vendor key opens no dashboard session');
  const foreign = await api(gw, 'POST', '/admin/login', { body: { token: gw.adminToken }, headers: { origin: 'https://evil.example' } });
  t.equal(foreign.status, 403, 'a sign-in posted from another site is refused');
  t.equal(foreign.json.code, 'CSRF_INVALID');

  const ok = await api(gw, 'POST', '/admin/login', { body: { token: gw.adminToken } });
  t.equal(ok.status, 200);
  const setCookie = ok.headers.get('set-cookie')!;
  t.match(setCookie, /^hocba_session=/);
  t.match(setCookie, /HttpOnly/i);
  t.match(setCookie, /SameSite=Strict/i);
  t.match(setCookie, /Path=\/admin/);
  t.match(setCookie, /Max-Age=28800/, 'eight hours');
  t.notMatch(setCookie, /Secure/i, 'not Secure over plain http (it is over https)');
  t.notMatch(setCookie, new RegExp(gw.adminToken), 'the cookie does not carry the token');
  const cookie = setCookie.split(';')[0];

  const read = await api(gw, 'GET', '/admin/v1/records?state=dead', { headers: { cookie } });
  t.equal(read.status, 200, 'the cookie authenticates the admin API');
  const tampered = await api(gw, 'GET', '/admin/v1/records?state=dead', { headers: { cookie: cookie.replace(/\.[^.]*$/, '.AAAA') } });
  t.equal(tampered.status, 401, 'a cookie whose signature fails is no session');

  const noCsrf = await api(gw, 'POST', '/admin/v1/replay', { headers: { cookie }, body: { filter: { code: 'RECORD_REFUSED' } } });
  t.equal(noCsrf.status, 403, 'an action with the cookie but no CSRF token is refused');
  t.equal(noCsrf.json.code, 'CSRF_INVALID');
  t.ok(noCsrf.json.detail && noCsrf.json.detail_vi);
  const badCsrf = await api(gw, 'POST', '/admin/v1/replay', { headers: { cookie, 'x-csrf-token': 'x'.repeat(43) }, body: { filter: { code: 'RECORD_REFUSED' } } });
  t.equal(badCsrf.json.code, 'CSRF_INVALID', 'nor with a wrong one');

  const page = await api(gw, 'GET', '/admin', { headers: { cookie } });
  t.equal(page.status, 200);
  t.match(page.text, /<html lang="vi">/, 'Vietnamese by default');
  t.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
  const withCsrf = await api(gw, 'POST', '/admin/v1/replay', { headers: { cookie, 'x-csrf-token': csrf }, body: { filter: { code: 'RECORD_REFUSED' } } });
  t.equal(withCsrf.status, 200, 'the page\'s token lets the action through');
  const bearer = await api(gw, 'POST', '/admin/v1/replay', { token: gw.adminToken, body: { filter: { code: 'RECORD_REFUSED' } } });
  t.equal(bearer.status, 200, 'Bearer callers need no CSRF token');

  // The sign-in form (no script needed) and its error page.
  const form = (token: string) => fetch(gw.url + '/admin/login', { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ token }) });
  const formOk = await form(gw.adminToken);
  t.equal(formOk.status, 303);
  t.equal(formOk.headers.get('location'), '/admin');
  const formBad = await form('nope');
  t.equal(formBad.status, 401);
  t.match(await formBad.text(), /AUTH_INVALID/, 'the sign-in page shows the code');
  const formElsewhere = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, raw: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(formElsewhere.status, 415, 'the vendor API still takes no forms');

  const signedOut = await fetch(gw.url + '/admin', { redirect: 'manual', headers: { cookie: 'hocba_session=x' } });
  t.equal(signedOut.status, 303, 'pages send strangers to the sign-in');
  t.equal(signedOut.headers.get('location'), '/admin/login');
  const out = await api(gw, 'POST', '/admin/logout', { headers: { cookie, 'x-csrf-token': csrf } });
  t.equal(out.status, 200);
  t.match(out.headers.get('set-cookie')!, /hocba_session=;.*Expires=Thu, 01 Jan 1970/);

  const logs = gw.logs.join('');
  t.notOk(logs.includes(gw.adminToken), 'the token stays out of the logs');
  t.notOk(logs.includes(cookie.split('=')[1]), 'and so does the session cookie');
});

t.test('in a browser: sign in, counts move, preview and replay a dead record, timeline, English, sign out', async (t) => {
  const batch = example('batch-small.json');
  const refusedKey = `${batch.DanhSachHocSinh[1].MaHocSinh}/${batch.NamHoc}`;
  await setFaults(gw, { rejectRecordKeys: [refusedKey] });
  const first = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: batch });
  t.equal(first.status, 202);
  await waitForStates(gw, first.json.submissionId, (c) => c.acknowledged === 2 && c.dead === 1);

  // launch() gives each run a fresh temporary profile of its own.
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  const page: Page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/404|401/.test(m.text())) pageErrors.push(m.text()); });
  const ready = () => page.waitForSelector('body[data-ready="1"]');

  // Sign in.
  await page.goto(gw.url + '/admin');
  t.match(page.url(), /\/admin\/login$/, 'a stranger lands on the sign-in page');
  t.equal(await page.getAttribute('html', 'lang'), 'vi');
  t.equal(await page.textContent('h1'), 'Đăng nhập quản trị');
  await page.fill('#token', 'wrong');
  await page.click('button[type=submit]');
  t.match(await page.textContent('#login-error'), /AUTH_INVALID/);
  await page.fill('#token', gw.adminToken);
  await page.click('button[type=submit]');
  await page.waitForURL(gw.url + '/admin');
  await ready();

  // Overview: totals by state.
  await page.waitForSelector('#totals');
  const totals = await page.textContent('#totals');
  t.match(totals, /Bộ đã nhận\s*2/, 'two acknowledged');
  t.match(totals, /Lỗi \(dead\)\s*1/, 'one dead');
  t.ok(await page.isVisible('#queue-depth'));
  await page.screenshot({ path: '/tmp/hocba-dashboard-overview.png', fullPage: true });

  // Schools board: the school's received count moves after a submission.
  const received = async () => {
    await page.goto(gw.url + '/admin/schools');
    await ready();
    return Number((await page.textContent(`#progress tr[data-key="${SCHOOL}"] td.received`))!.replace(/\D/g, ''));
  };
  const before = await received();
  t.equal(before, 3);
  await page.screenshot({ path: '/tmp/hocba-dashboard-schools.png', fullPage: true });
  const more = example('batch-small.json');
  for (const s of more.DanhSachHocSinh) s.MaHocSinh = s.MaHocSinh.replace(/00(\d)$/, '10$1');
  const second = await api(gw, 'POST', '/v1/submissions', { token: gw.vendorKey, body: more });
  t.equal(second.json.queued, 3, second.text);
  t.equal(await received(), before + 3, 'three more received for the school after the submission');

  // Dead records: preview the replay, then replay with a reason.
  await page.goto(gw.url + '/admin/dead');
  await ready();
  await page.waitForSelector('#dead-records');
  t.match(await page.textContent('#dead-records'), refusedKey);
  const deadId = (await api(gw, 'GET', '/admin/v1/records?state=dead', { token: gw.adminToken })).json.records[0].recordId;
  await setFaults(gw, null);
  await page.fill('input[name=code]', 'RECORD_REFUSED');
  await page.click('#dead-filters button[type=submit]');
  await page.waitForSelector('#dead-records');
  await page.click('#preview');
  await page.waitForSelector('#preview-count');
  t.equal(await page.textContent('#preview-count'), '1', 'the preview counts the record');
  t.match(await page.textContent('#replay'), refusedKey, 'and shows it');
  t.equal((await api(gw, 'GET', '/admin/v1/records?state=dead', { token: gw.adminToken })).json.records.length, 1, 'a preview replays nothing');
  await page.screenshot({ path: '/tmp/hocba-dashboard-dead.png', fullPage: true });
  await page.click('#replay-go');
  t.match(await page.textContent('#replay-result'), /lý do/i, 'a replay needs a reason');
  await page.fill('#replay-reason', 'lỗi đã được trường sửa');
  await page.click('#replay-go');
  await page.waitForSelector('#replay-done');
  t.match(await page.textContent('#replay-done'), /1/);
  t.notOk(await page.$('#dead-records'), 'the record left the dead list');
  await eventually('the replayed record to be acknowledged', async () => (await api(gw, 'GET', `/admin/v1/records/${deadId}`, { token: gw.adminToken })).json.record.state === 'acknowledged');

  // The record's timeline.
  await page.goto(gw.url + `/admin/records/${deadId}`);
  await ready();
  const timeline = await page.$$eval('#timeline tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
  t.ok(timeline.length >= 5, `each event is shown (${timeline.length})`);
  t.match(timeline.join('\n'), /RECORD_REFUSED/);
  t.match(timeline.join('\n'), /lỗi đã được trường sửa/, 'with the replay\'s reason');
  t.match(await page.textContent('#record-facts'), /Bộ đã nhận/);
  await page.screenshot({ path: '/tmp/hocba-dashboard-record.png', fullPage: true });

  // Withdraw the record book (a CANCEL to the Ministry): a reason first, then the Ministry's receipt.
  t.match(await page.textContent('#withdraw'), /Rút học bạ khỏi CSDL của Bộ/);
  await page.click('#withdraw-go');
  t.match(await page.textContent('#withdraw-result'), /lý do rút/i, 'a withdrawal needs a reason');
  await page.fill('#withdraw-reason', 'học sinh nhập nhầm trường');
  await page.click('#withdraw-go');
  await page.waitForSelector('#withdraw-done');
  t.match(await page.textContent('#withdraw-done'), /Đã đưa yêu cầu rút vào hàng đợi/);
  await eventually('the Ministry to acknowledge the withdrawal', async () => (await api(gw, 'GET', `/admin/v1/records/${deadId}`, { token: gw.adminToken })).json.record.state === 'withdrawn');
  await page.reload();
  await ready();
  t.match(await page.textContent('#record-facts'), /Đã rút/, 'the record reads withdrawn');
  t.notOk(await page.$('#withdraw'), 'and offers no second withdrawal');
  await page.screenshot({ path: '/tmp/hocba-dashboard-withdrawn.png', fullPage: true });

  // Credentials and audit render (their content is the admin API's; its own tests hold it).
  for (const [path, shot] of [['/admin/credentials', 'credentials'], ['/admin/audit', 'audit']]) {
    await page.goto(gw.url + path);
    await ready();
    t.notOk(await page.$('#app .error'), `${path} shows no error`);
    t.ok(await page.$('#app table, #app .empty'), `${path} shows its table`);
    await page.screenshot({ path: `/tmp/hocba-dashboard-${shot}.png`, fullPage: true });
  }
  // The sign-in is in the audit log with the replay.
  const audit = (await api(gw, 'GET', '/admin/v1/audit', { token: gw.adminToken })).json.entries as { action: string; via: string; reason: string | null }[];
  t.ok(audit.some((e) => e.action === 'sign-in' && e.via === 'page'), 'the sign-in is audited');
  t.ok(audit.some((e) => e.action === 'replay' && e.via === 'page' && e.reason === 'lỗi đã được trường sửa'), 'so is the replay, with its reason');
  t.ok(audit.some((e) => e.action === 'withdraw' && e.via === 'page' && e.reason === 'học sinh nhập nhầm trường'), 'and the withdrawal');
  await page.goto(gw.url + `/admin/records/${deadId}`);
  await ready();

  // English.
  await page.click('#lang-switch');
  await ready();
  t.equal(await page.getAttribute('html', 'lang'), 'en');
  t.match(await page.textContent('header.top nav'), /Overview/);
  t.match(await page.textContent('#timeline'), /Acknowledged/);
  t.match(await page.textContent('#record-facts'), /Withdrawn/);
  await page.goto(gw.url + '/admin');
  await ready();
  t.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');

  // Sign out, then be refused.
  await page.click('#sign-out');
  await page.waitForURL(gw.url + '/admin/login');
  await page.goto(gw.url + '/admin/schools');
  t.match(page.url(), /\/admin\/login/, 'signed out: back to the sign-in');
  const refused = await page.request.get(gw.url + '/admin/v1/overview');
  t.equal(refused.status(), 401, 'and the API refuses the browser');
  t.same(pageErrors, [], 'no script errors');
});
