// The HTML the console route answers: the page shell (the script renders the page the path names),
// the page that tells a signed-in user which app role is missing, and the one that says the
// deployment has no sign-in in front of it. See docs/console.md.
import type { SignedInUser } from '../../shared/console/principal';
import { consoleAsset } from './assets';

export const CONSOLE_PATH = '/api/console';
export const CONSOLE_ASSET_PATH = '/api/console-assets';

/** Strict: scripts and styles from this origin only; Fluent's constructed style sheets need no exception. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface ShellContext {
  user: SignedInUser;
  tenantId: string;
  cloud: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function assetUrl(name: 'app.js' | 'app.css'): string {
  const asset = consoleAsset(name);
  return `${CONSOLE_ASSET_PATH}/${name}${asset ? `?v=${asset.hash}` : ''}`;
}

/** The shell every console page starts from; the bootstrap JSON tells the script who is signed in. */
export function shellPage(context: ShellContext): string {
  const bootstrap = JSON.stringify({
    user: { name: context.user.name, displayName: context.user.displayName ?? context.user.name },
    tenantId: context.tenantId,
    cloud: context.cloud,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cross-cloud partnerships</title>
<link rel="stylesheet" href="${assetUrl('app.css')}">
<script type="module" src="${assetUrl('app.js')}"></script>
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">Cross-cloud partnerships</span><span class="who" id="who">${escapeHtml(context.user.displayName ?? context.user.name)}</span><a class="signout" href="/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(CONSOLE_PATH)}">Sign out</a></header>
<div class="frame"><nav aria-label="Console"><ul>
<li><a href="${CONSOLE_PATH}">Partnerships</a></li><li><a href="${CONSOLE_PATH}/new">New partnership</a></li><li><a href="${CONSOLE_PATH}/audit">Audit</a></li><li><a href="/api/openapi.json">API description</a></li>
</ul></nav>
<main id="main" tabindex="-1"><p class="loading">Loading…</p></main></div>
<script type="application/json" id="bootstrap">${bootstrap}</script>
</body></html>`;
}

function messagePage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${assetUrl('app.css')}"></head><body><header class="top"><span class="brand">Cross-cloud partnerships</span></header>
<main id="main" class="message"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** 403: signed in, without the app role. */
export function roleMissingPage(user: SignedInUser, role: string): string {
  return messagePage(
    'You need the Partnerships.Admin role'.replace('Partnerships.Admin', role),
    `<p id="role-missing">You are signed in as <strong>${escapeHtml(user.name)}</strong>, but this console needs the app role <strong><code>${escapeHtml(role)}</code></strong>, which is not assigned to you.</p>
<p>Ask an administrator to assign it in the Entra admin center: Enterprise applications &gt; this app &gt; Users and groups &gt; Add assignment &gt; role <code>${escapeHtml(role)}</code>. Then sign out and sign in again.</p>
<p><a href="/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(CONSOLE_PATH)}">Sign out</a></p>`,
  );
}

/** 403: no App Service Authentication in front of this deployment (the principal is not trusted). */
export function signInUnavailablePage(): string {
  return messagePage(
    'Sign-in is not configured',
    `<p>The console needs App Service Authentication (Entra ID) in front of this deployment, and the app setting <code>TRUST_APP_SERVICE_PRINCIPAL=true</code>. The admin API still works with a function key.</p>`,
  );
}
