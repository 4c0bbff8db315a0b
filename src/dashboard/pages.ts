import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../config/settings.js';
import { ERRORS } from '../errors/catalogue.js';
import type { ProblemError } from '../errors/problem.js';
import { sessionCredential } from '../plugins/session.js';
import { dictionary, langOf, tr, type DictKey, type Lang } from './i18n.js';

// The dashboard at /admin: the server renders a small HTML shell per page (labels in the page's
// language, the session's CSRF token), and assets/app.js fills it from the admin JSON API on the
// same origin with the session cookie. No CDN, no build step: two static files read at start.
// Pages carry no personal data: the API they read has no names, birth dates or ID numbers.

const ASSETS_DIR = join(PACKAGE_ROOT, 'src', 'dashboard', 'assets');
const LANG_COOKIE = 'hocba_lang';

// Scripts and styles only from the gateway itself; nothing may frame the dashboard.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

export interface Page {
  path: string;
  id: string;
  title: DictKey;
  nav?: DictKey;
}

export const PAGES: Page[] = [
  { path: '/admin', id: 'overview', title: 'overviewTitle', nav: 'navOverview' },
  { path: '/admin/schools', id: 'schools', title: 'schoolsTitle', nav: 'navSchools' },
  { path: '/admin/dead', id: 'dead', title: 'deadTitle', nav: 'navDead' },
  { path: '/admin/credentials', id: 'credentials', title: 'credentialsTitle', nav: 'navCredentials' },
  { path: '/admin/audit', id: 'audit', title: 'auditTitle', nav: 'navAudit' },
  { path: '/admin/records/:id', id: 'record', title: 'recordTitle' },
];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The page's language: ?lang= (remembered in a cookie), else the cookie, else Vietnamese. */
function pageLang(request: FastifyRequest, reply: FastifyReply): Lang {
  const q = (request.query as { lang?: string } | undefined)?.lang;
  if (q === 'vi' || q === 'en') {
    reply.setCookie(LANG_COOKIE, q, { path: '/admin', sameSite: 'strict', httpOnly: true, secure: request.protocol === 'https', maxAge: 365 * 86400 });
    return q;
  }
  return langOf(request.cookies?.[LANG_COOKIE]);
}

function langSwitch(request: FastifyRequest, lang: Lang): string {
  const other = lang === 'vi' ? 'en' : 'vi';
  const path = request.url.split('?')[0];
  return `<a class="lang" id="lang-switch" href="${escapeHtml(path)}?lang=${other}" hreflang="${other}">${escapeHtml(tr(lang, 'switchLang'))}</a>`;
}

function layout(lang: Lang, title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)} · ${escapeHtml(tr(lang, 'appTitle'))}</title>
<link rel="stylesheet" href="/admin/assets/style.css">
${head}</head>
${body}
</html>
`;
}

/** An HTML page, never cached, under a content security policy (the dashboard's unless given). */
export function sendHtml(reply: FastifyReply, html: string, status = 200, csp = CSP): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(html);
}

export function renderLogin(request: FastifyRequest, reply: FastifyReply, error?: ProblemError): FastifyReply {
  const lang = pageLang(request, reply);
  let message = '';
  if (error) {
    const def = ERRORS[error.code];
    const text = lang === 'vi' ? (error.extra.detail_vi ?? def.vi) : (error.extra.detail ?? def.en);
    message = `<p class="error" id="login-error" role="alert"><code>${escapeHtml(error.code)}</code> ${escapeHtml(text)}</p>`;
  }
  const body = `<body class="login">
<main class="card narrow">
<header class="login-head"><h1>${escapeHtml(tr(lang, 'loginTitle'))}</h1>${langSwitch(request, lang)}</header>
<p class="muted">${escapeHtml(tr(lang, 'appTitle'))}</p>
${message}
<form method="post" action="/admin/login" id="login-form">
<label for="token">${escapeHtml(tr(lang, 'loginToken'))}</label>
<input type="password" id="token" name="token" autocomplete="off" required maxlength="512">
<button type="submit">${escapeHtml(tr(lang, 'loginSubmit'))}</button>
</form>
<p class="muted small">${escapeHtml(tr(lang, 'loginHint'))}</p>
</main>
</body>`;
  return sendHtml(reply, layout(lang, tr(lang, 'loginTitle'), body), error ? ERRORS[error.code].status : 200);
}

function renderPage(request: FastifyRequest, reply: FastifyReply, page: Page, csrf: string): FastifyReply {
  const lang = pageLang(request, reply);
  const nav = PAGES.filter((p) => p.nav)
    .map((p) => `<a href="${p.path}"${p.id === page.id ? ' class="active" aria-current="page"' : ''}>${escapeHtml(tr(lang, p.nav!))}</a>`)
    .join('');
  const params = { page: page.id, lang, id: (request.params as { id?: string }).id ?? null };
  // JSON in a non-executed script element: the strict CSP allows it, and "<" is escaped so no
  // value can close the element.
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  const head = `<meta name="csrf-token" content="${escapeHtml(csrf)}">
<script type="application/json" id="i18n">${json(dictionary(lang))}</script>
<script type="application/json" id="params">${json(params)}</script>
<script src="/admin/assets/app.js" defer></script>
`;
  const body = `<body data-page="${page.id}">
<header class="top">
<span class="brand">${escapeHtml(tr(lang, 'appTitle'))}</span>
<nav>${nav}</nav>
<span class="who" id="who"></span>
${langSwitch(request, lang)}
<button type="button" id="sign-out" class="link">${escapeHtml(tr(lang, 'signOut'))}</button>
</header>
<main>
<h1 id="title">${escapeHtml(tr(lang, page.title))}</h1>
<div id="app"><p class="muted">${escapeHtml(tr(lang, 'loading'))}</p></div>
</main>
</body>`;
  return sendHtml(reply, layout(lang, tr(lang, page.title), body, head));
}

export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const assets: Record<string, { type: string; body: string }> = {
    'app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(ASSETS_DIR, 'app.js'), 'utf8') },
    'style.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(ASSETS_DIR, 'style.css'), 'utf8') },
  };
  const hide = { hide: true };

  app.get('/admin/assets/:file', { schema: hide }, async (request, reply) => {
    const a = assets[(request.params as { file: string }).file];
    if (!a) return reply.problem('NOT_FOUND');
    return reply.header('content-type', a.type).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(a.body);
  });

  app.get('/admin/login', { schema: hide }, async (request, reply) => {
    if (await sessionCredential(app, request)) return reply.code(303).header('location', '/admin').send();
    return renderLogin(request, reply);
  });

  for (const page of PAGES) {
    app.get(page.path, { schema: hide }, async (request, reply) => {
      const cred = await sessionCredential(app, request);
      if (!cred) {
        const q = (request.query as { lang?: string }).lang;
        return reply.code(303).header('location', '/admin/login' + (q === 'en' || q === 'vi' ? `?lang=${q}` : '')).send();
      }
      return renderPage(request, reply, page, app.csrfTokenFor(request)!);
    });
  }
  // /admin/ (trailing slash) is the overview too.
  app.get('/admin/', { schema: hide }, async (_request, reply) => reply.code(308).header('location', '/admin').send());
}
