// The dashboard's one script: reads the admin JSON API on the same origin (the session cookie
// authenticates it), sends the page's CSRF token on every action, and builds tables with
// textContent only, so nothing the API returns is ever parsed as HTML.
'use strict';

(function () {
  const T = JSON.parse(document.getElementById('i18n').textContent);
  const P = JSON.parse(document.getElementById('params').textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const app = document.getElementById('app');
  const locale = P.lang === 'vi' ? 'vi-VN' : 'en-GB';
  const t = (k) => (k in T ? T[k] : k);

  // ---- small DOM helpers -------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const fmtNum = (n) => (typeof n === 'number' ? n.toLocaleString(locale) : '—');
  const TIME = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  const fmtTime = (s) => (s ? new Date(s).toLocaleString(locale, TIME) : '—');
  const fmtShare = (x) => (typeof x === 'number' ? (x * 100).toLocaleString(locale, { maximumFractionDigits: 1 }) + '\u00a0%' : '—');
  function fmtAge(sec) {
    if (sec === null || sec === undefined) return '—';
    if (sec < 120) return Math.round(sec) + ' ' + t('seconds');
    if (sec < 7200) return Math.round(sec / 60) + ' min';
    if (sec < 172800) return (sec / 3600).toLocaleString(locale, { maximumFractionDigits: 1 }) + ' h';
    return Math.round(sec / 86400) + ' ' + t('days');
  }
  /** An audit target (ids, a filter…) as short text: key=value pairs, empty values left out. */
  function fmtTarget(v) {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.map(fmtTarget).join(', ');
    if (typeof v !== 'object') return String(v);
    return Object.entries(v).filter(([, x]) => x !== null && x !== undefined && x !== '')
      .map(([k, x]) => (typeof x === 'object' ? fmtTarget(x) : k + '=' + x)).join(', ');
  }
  const stateLabel = (s) => ('st_' + s in T ? T['st_' + s] : s);
  const badge = (s) => el('span', { class: 'badge st-' + s, text: stateLabel(s) });
  const recordLink = (r) => el('a', { class: 'nowrap', href: '/admin/records/' + encodeURIComponent(r.recordId), text: r.recordKey || r.recordId });

  /** A table from column specs: [label, (row) => cell content, className?]. */
  function table(columns, rows, attrs) {
    if (!rows.length) return el('p', { class: 'muted empty', text: t('none') });
    return el('div', { class: 'table-wrap' },
      el('table', attrs || {},
        el('thead', {}, el('tr', {}, columns.map(([label, , cls]) => el('th', { class: cls }, label)))),
        el('tbody', {}, rows.map((r) => el('tr', {}, columns.map(([, f, cls]) => el('td', { class: cls }, f(r))))))));
  }

  function showError(where, problem) {
    const msg = problem && problem.code
      ? [el('code', {}, problem.code), ' ', P.lang === 'vi' ? problem.detail_vi || problem.detail : problem.detail]
      : [String((problem && problem.message) || problem)];
    const box = el('p', { class: 'error', role: 'alert' }, ...msg);
    where.replaceChildren(box);
    return box;
  }

  // ---- the API ---------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || 'HTTP ' + status);
      this.status = status;
      this.problem = problem;
    }
  }
  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = CSRF;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    let json = null;
    try { json = await res.json(); } catch (e) { /* empty body */ }
    if (res.status === 401) { location.href = '/admin/login'; throw new ApiError(401, json); }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }
  function failed(where, e) {
    if (e instanceof ApiError && e.status === 404 && e.problem && /No route/.test(e.problem.detail || '')) {
      where.replaceChildren(el('p', { class: 'muted', text: t('notAvailable') }));
    } else showError(where, e instanceof ApiError ? e.problem || e : e);
  }
  const qs = (o) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (v !== '' && v !== null && v !== undefined) u.set(k, v);
    const s = u.toString();
    return s ? '?' + s : '';
  };

  // ---- pages -------------------------------------------------------------------------------
  async function overview() {
    const o = await api('GET', '/admin/v1/overview');
    const totals = Object.entries(o.totals || {}).filter(([, n]) => n > 0);
    const c = o.circuit;
    const cards = el('div', { class: 'cards' },
      card(t('queueDepth'), fmtNum(o.queueDepth), 'queue-depth'),
      card(t('oldestQueued'), fmtAge(o.oldestQueuedAgeSeconds), 'oldest-queued'),
      card(t('circuit'), c ? t('circuit' + c.state[0].toUpperCase() + c.state.slice(1)) : '—', 'circuit',
        c && c.consecutiveFailures ? t('consecutiveFailures') + ': ' + c.consecutiveFailures : null,
        c && c.nextProbeAt ? t('nextProbeAt') + ': ' + fmtTime(c.nextProbeAt) : null),
      card(t('certExpiry'), o.signer && typeof o.signer.certificateExpiryDays === 'number' ? fmtNum(o.signer.certificateExpiryDays) + ' ' + t('days') : '—', 'cert-expiry'));
    app.replaceChildren(cards,
      el('h2', { text: t('totalsByState') }),
      table([[t('state'), (r) => badge(r[0])], [t('count'), (r) => fmtNum(r[1]), 'num']], totals, { id: 'totals' }));
  }
  function card(label, value, id, ...notes) {
    return el('div', { class: 'card stat', id }, el('div', { class: 'label', text: label }), el('div', { class: 'value', text: value }),
      notes.filter(Boolean).map((n) => el('div', { class: 'note', text: n })));
  }

  async function schools() {
    const params = new URLSearchParams(location.search);
    const groupBy = ['school', 'vendor', 'grade'].includes(params.get('groupBy')) ? params.get('groupBy') : 'school';
    const select = el('select', { id: 'group-by', on: { change: (e) => { params.set('groupBy', e.target.value); location.search = params.toString(); } } },
      ['school', 'vendor', 'grade'].map((g) => el('option', { value: g, selected: g === groupBy }, t('group' + g[0].toUpperCase() + g.slice(1)))));
    const data = await api('GET', '/admin/v1/progress' + qs({ groupBy }));
    const keyLabel = t('group' + groupBy[0].toUpperCase() + groupBy.slice(1));
    app.replaceChildren(
      el('div', { class: 'toolbar' }, el('label', { for: 'group-by', text: t('groupBy') }), select, el('span', { class: 'muted', text: t('schoolsHint') })),
      table([
        [keyLabel, (g) => el('span', {}, el('strong', { text: g.key }), g.name ? el('span', { class: 'muted sub', text: g.name }) : null)],
        [t('received'), (g) => fmtNum(g.received), 'num received'],
        [t('valid'), (g) => fmtNum(g.valid), 'num valid'],
        [t('signaturesComplete'), (g) => fmtNum(g.signaturesComplete), 'num signatures'],
        [t('heldForPersonalId'), (g) => fmtNum(g.heldForPersonalId || 0), 'num held-id'],
        [t('acknowledged'), (g) => fmtNum(g.acknowledged), 'num acknowledged'],
        [t('dead'), (g) => el('span', { class: g.dead ? 'bad' : '' }, fmtNum(g.dead)), 'num dead'],
        [t('shareAcknowledged'), (g) => progressBar(g.shareAcknowledged), 'share'],
        [t('oldestQueued'), (g) => fmtAge(g.oldestQueuedAgeSeconds), 'num'],
      ], data.groups || [], { id: 'progress' }));
    // Rows carry their key so that tests and people can find one.
    app.querySelectorAll('#progress tbody tr').forEach((tr, i) => tr.setAttribute('data-key', data.groups[i].key));
  }
  function progressBar(x) {
    const share = typeof x === 'number' ? Math.max(0, Math.min(1, x)) : 0;
    const fill = el('span', { class: 'fill' });
    fill.style.width = (share * 100).toFixed(1) + '%'; // CSSOM: the CSP forbids style attributes
    return el('span', { class: 'bar', title: fmtShare(x) }, el('span', { class: 'track' }, fill), el('span', { class: 'pct', text: fmtShare(x) }));
  }

  async function dead() {
    const params = new URLSearchParams(location.search);
    const field = (name, label, type) => el('label', {}, el('span', { text: label }), el('input', { name, type: type || 'text', value: params.get(name) || '', size: type === 'date' ? null : 12 }));
    const form = el('form', { class: 'filters', id: 'dead-filters' },
      field('school', t('filterSchool')), field('vendor', t('filterVendor')), field('code', t('filterCode')),
      field('from', t('filterFrom'), 'date'), field('to', t('filterTo'), 'date'),
      el('button', { type: 'submit', text: t('search') }));
    const list = el('div', { id: 'dead-list' }, el('p', { class: 'muted', text: t('loading') }));
    const replayBox = el('section', { class: 'card replay', id: 'replay' });
    app.replaceChildren(form, replayBox, list);

    const current = () => {
      const f = {};
      for (const [k, v] of new FormData(form)) if (v) f[k] = String(v);
      // Dates are whole days in the admin's local time; the API takes instants.
      if (f.from) f.from = new Date(f.from + 'T00:00:00').toISOString();
      if (f.to) f.to = new Date(f.to + 'T23:59:59.999').toISOString();
      return f;
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const u = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) u.set(k, String(v));
      history.replaceState(null, '', '?' + u.toString());
      load();
    });

    async function load() {
      list.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
      renderReplay(null);
      try {
        const rows = [];
        let cursor = null;
        const page = async () => {
          const data = await api('GET', '/admin/v1/records' + qs({ state: 'dead', limit: 200, ...current(), cursor }));
          rows.push(...(data.records || []));
          cursor = data.nextCursor || null;
          const more = el('button', { type: 'button', id: 'dead-more', text: t('more') });
          more.addEventListener('click', () => page().catch((e) => failed(list, e)));
          list.replaceChildren(deadTable(rows, 'dead-records'), ...(cursor ? [more] : []));
        };
        await page();
      } catch (e) { failed(list, e); }
    }

    // Replay: a preview (dryRun) first; the replay button appears only after it, with a reason.
    function renderReplay(preview) {
      const previewBtn = el('button', { type: 'button', id: 'preview', text: t('preview') });
      previewBtn.addEventListener('click', async () => {
        try {
          const res = await api('POST', '/admin/v1/replay', { filter: { state: 'dead', ...current() }, dryRun: true });
          renderReplay(res);
        } catch (e) { failed(out, e); }
      });
      const out = el('div', { id: 'replay-result' });
      replayBox.replaceChildren(el('div', { class: 'toolbar' }, previewBtn, el('span', { class: 'muted', text: t('previewResult') })), out);
      if (!preview) return;
      const reason = el('input', { id: 'replay-reason', name: 'reason', maxlength: 500, placeholder: t('reason'), size: 40 });
      const replayBtn = el('button', { type: 'button', id: 'replay-go', class: 'danger', disabled: preview.matched === 0, text: t('replay') + ' (' + fmtNum(preview.matched) + ')' });
      replayBtn.addEventListener('click', async () => {
        if (!reason.value.trim()) { showError(msg, { message: t('reasonRequired') }); reason.focus(); return; }
        replayBtn.disabled = true;
        try {
          const res = await api('POST', '/admin/v1/replay', { filter: { state: 'dead', ...current() }, dryRun: false, reason: reason.value.trim() });
          await load();
          const done = el('p', { class: 'ok', id: 'replay-done' }, t('replayDone') + ': ', el('strong', { text: fmtNum(res.replayed) }));
          replayBox.querySelector('#replay-result').replaceChildren(done);
        } catch (e) { replayBtn.disabled = false; failed(msg, e); }
      });
      const msg = el('div');
      out.replaceChildren(
        el('p', {}, t('previewResult') + ': ', el('strong', { id: 'preview-count', text: fmtNum(preview.matched) })),
        ...(preview.first && preview.first.length ? [el('h3', { text: t('previewFirst') }), deadTable(preview.first, 'preview-records')] : []),
        el('div', { class: 'toolbar' }, el('label', { for: 'replay-reason', text: t('reason') }), reason, replayBtn), msg);
    }
    await load();
  }
  function deadTable(records, id) {
    return table([
      [t('recordKey'), recordLink],
      [t('school'), (r) => r.schoolId || '—'],
      [t('vendor'), (r) => r.vendor || '—'],
      [t('grade'), (r) => (r.grade === undefined || r.grade === null ? '—' : r.grade), 'num'],
      [t('attempts'), (r) => fmtNum(r.attempts), 'num'],
      [t('lastCode'), (r) => el('code', { text: r.lastCode || '' })],
      [t('lastReason'), (r) => r.lastReason || ''],
      [t('updatedAt'), (r) => fmtTime(r.updatedAt)],
    ], records, { id });
  }

  async function record() {
    const data = await api('GET', '/admin/v1/records/' + encodeURIComponent(P.id));
    const r = data.record;
    document.getElementById('title').textContent = t('recordTitle') + ' ' + (r.recordKey || r.recordId);
    const dl = el('dl', { class: 'facts', id: 'record-facts' });
    const fact = (label, value) => { if (value !== undefined && value !== null && value !== '') dl.append(el('dt', { text: label }), el('dd', {}, value)); };
    fact(t('state'), badge(r.state));
    if (r.kind) fact(t('kind'), t('kind_' + r.kind));
    fact(t('recordKey'), r.recordKey);
    fact(t('school'), r.schoolId);
    fact(t('vendor'), r.vendor);
    fact(t('grade'), r.grade === undefined || r.grade === null ? null : String(r.grade));
    fact(t('className'), r.className);
    fact(t('submission'), r.submissionId);
    fact(t('attempts'), fmtNum(r.attempts));
    fact(t('code'), r.lastCode ? el('code', { text: r.lastCode }) : null);
    fact(t('details'), r.lastReason);
    fact(t('ministryRecordId'), r.ministryRecordId);
    fact(t('updatedAt'), fmtTime(r.updatedAt));
    app.replaceChildren(dl, el('h2', { text: t('timeline') }),
      table([
        [t('at'), (e) => fmtTime(e.at)],
        [t('from'), (e) => (e.from ? badge(e.from) : '—')],
        [t('to'), (e) => badge(e.to)],
        [t('code'), (e) => el('code', { text: e.code || '' })],
        [t('details'), (e) => e.reason || ''],
      ], data.timeline || [], { id: 'timeline' }));
    // A record book the Ministry holds can be withdrawn (operators; the server decides).
    const me = await api('GET', '/admin/v1/me').catch(() => null);
    if (r.kind !== 'withdrawal' && r.state === 'acknowledged' && (!me || me.role !== 'viewer')) app.append(withdrawBox(r));
  }

  function withdrawBox(r) {
    const box = el('section', { class: 'card', id: 'withdraw' });
    const msg = el('div', { id: 'withdraw-result' });
    const reason = el('input', { id: 'withdraw-reason', name: 'reason', maxlength: 500, placeholder: t('withdrawReason'), size: 40 });
    const go = el('button', { type: 'button', id: 'withdraw-go', class: 'danger', text: t('withdraw') });
    go.addEventListener('click', async () => {
      if (reason.value.trim().length < 3) { showError(msg, { message: t('withdrawReasonRequired') }); reason.focus(); return; }
      go.disabled = true;
      try {
        const res = await api('POST', '/admin/v1/records/' + encodeURIComponent(r.recordId) + '/withdrawal', { reason: reason.value.trim() });
        msg.replaceChildren(el('p', { class: 'ok', id: 'withdraw-done' }, t('withdrawDone') + ': ',
          res.withdrawalId ? el('a', { href: '/admin/records/' + encodeURIComponent(res.withdrawalId), text: res.withdrawalId }) : el('strong', { text: fmtNum(res.cancelled) })));
      } catch (e) { go.disabled = false; failed(msg, e); }
    });
    box.append(el('h2', { text: t('withdrawTitle') }), el('p', { class: 'muted', text: t('withdrawHint') }),
      el('div', { class: 'toolbar' }, el('label', { for: 'withdraw-reason', text: t('withdrawReason') }), reason, go), msg);
    return box;
  }

  async function credentials() {
    const me = await api('GET', '/admin/v1/me').catch(() => null);
    const data = await api('GET', '/admin/v1/credentials');
    // The server decides; the page only hides what the role may not do.
    const canManage = !me || me.role === 'admin';
    const rows = data.credentials || [];
    const out = el('div', { id: 'credential-result' });
    const tbl = table([
      [t('name'), (c) => c.name || '—'],
      [t('kind'), (c) => c.kind],
      [t('vendor'), (c) => c.vendor || '—'],
      [t('role'), (c) => c.role || '—'],
      [t('schools'), (c) => (c.schools ? c.schools.join(', ') : t('anySchool'))],
      [t('createdAt'), (c) => fmtTime(c.createdAt)],
      [t('expiresAt'), (c) => fmtTime(c.expiresAt)],
      [t('revokedAt'), (c) => (c.revokedAt ? fmtTime(c.revokedAt) : '')],
      ['', (c) => (canManage && !c.revokedAt && c.kind === 'vendor'
        ? el('button', { type: 'button', class: 'danger small', 'data-id': c.id, text: t('revoke'), on: { click: () => revoke(c) } })
        : '')],
    ], rows, { id: 'credentials' });
    async function revoke(c) {
      if (!confirm(t('confirmRevoke'))) return;
      try { await api('POST', '/admin/v1/credentials/' + encodeURIComponent(c.id) + '/revoke', {}); await credentials(); } catch (e) { failed(out, e); }
    }
    const parts = [tbl, out];
    if (canManage) {
      const form = el('form', { class: 'filters', id: 'credential-form' },
        el('label', {}, el('span', { text: t('vendor') }), el('input', { name: 'vendor', required: true, size: 10 })),
        el('label', {}, el('span', { text: t('schoolsList') }), el('input', { name: 'schools', size: 30, pattern: '[0-9, ]*' })),
        el('label', {}, el('span', { text: t('name') }), el('input', { name: 'name', size: 16 })),
        el('label', {}, el('span', { text: t('expiresAt') }), el('input', { name: 'expiresAt', type: 'date' })),
        el('button', { type: 'submit', text: t('create') }));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const f = Object.fromEntries(new FormData(form));
        const body = { vendor: String(f.vendor).trim(), schools: String(f.schools || '').split(/[ ,]+/).filter(Boolean) };
        if (f.name) body.name = String(f.name);
        if (f.expiresAt) body.expiresAt = new Date(f.expiresAt + 'T23:59:59').toISOString();
        try {
          const res = await api('POST', '/admin/v1/credentials', body);
          await credentials();
          document.getElementById('credential-result').replaceChildren(el('p', { class: 'ok' }, t('newKeyOnce') + ' ', el('code', { class: 'key', id: 'new-key', text: res.key })));
        } catch (err) { failed(out, err); }
      });
      parts.unshift(el('h2', { text: t('createCredential') }), form);
    }
    app.replaceChildren(...parts);
  }

  async function audit() {
    const entries = [];
    let cursor = null;
    const holder = el('div');
    const moreBtn = el('button', { type: 'button', id: 'audit-more', text: t('more') });
    moreBtn.addEventListener('click', () => page().catch((e) => failed(holder, e)));
    async function page() {
      const data = await api('GET', '/admin/v1/audit' + qs({ limit: 100, cursor }));
      entries.push(...(data.entries || []));
      cursor = data.nextCursor || null;
      holder.replaceChildren(table([
        [t('at'), (e) => fmtTime(e.at)],
        [t('actor'), (e) => e.actorName || '—'],
        [t('role'), (e) => e.role || '—'],
        [t('action'), (e) => el('code', { text: e.action })],
        [t('target'), (e) => fmtTarget(e.target)],
        [t('count'), (e) => (e.count === null || e.count === undefined ? '' : fmtNum(e.count)), 'num'],
        [t('auditReason'), (e) => e.reason || ''],
        [t('via'), (e) => [e.via, e.source].filter(Boolean).join(' · ')],
      ], entries, { id: 'audit' }), ...(cursor ? [moreBtn] : []));
    }
    app.replaceChildren(holder);
    await page();
  }

  // ---- chrome: who is signed in, sign-out ---------------------------------------------------
  document.getElementById('sign-out').addEventListener('click', async () => {
    try { await api('POST', '/admin/logout'); } catch (e) { /* signed out either way */ }
    location.href = '/admin/login';
  });
  api('GET', '/admin/v1/me').then((me) => {
    if (me) document.getElementById('who').textContent = t('signedInAs') + ': ' + (me.name || me.id || '') + (me.role ? ' (' + me.role + ')' : '');
  }).catch(() => {});

  const pages = { overview, schools, dead, record, credentials, audit };
  (pages[P.page] || overview)().catch((e) => failed(app, e)).finally(() => document.body.setAttribute('data-ready', '1'));
})();
