// The console's entry point: registers the Fluent UI web components it uses, then renders the page
// the path names (/api/console, /new, /invitations/{id}, /partnerships/{id}, /audit).
import { webLightTheme } from '@fluentui/tokens';
import '@fluentui/web-components/anchor-button.js';
import '@fluentui/web-components/badge.js';
import '@fluentui/web-components/button.js';
import '@fluentui/web-components/message-bar.js';
import '@fluentui/web-components/spinner.js';
import { setTheme } from '@fluentui/web-components/theme/set-theme.js';
import { CONSOLE_BASE } from './api';
import { auditPage, detailPage, invitationPage, leavePage, listPage, newPage, type Bootstrap } from './pages';

setTheme(webLightTheme);

const boot = JSON.parse(document.getElementById('bootstrap')?.textContent ?? '{}') as Bootstrap;

async function route(): Promise<void> {
  leavePage();
  const main = document.getElementById('main') as HTMLElement;
  const path = location.pathname.replace(/\/+$/, '');
  const rest = path.startsWith(CONSOLE_BASE) ? path.slice(CONSOLE_BASE.length) : '';
  const [, page, id] = rest.split('/').map((part) => decodeURIComponent(part));
  for (const link of document.querySelectorAll('nav a')) {
    const current = (link as HTMLAnchorElement).pathname === (page ? `${CONSOLE_BASE}/${page}` : CONSOLE_BASE);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!page) return listPage(main);
  if (page === 'new') return newPage(main, boot);
  if (page === 'audit') return auditPage(main);
  if (page === 'invitations' && id) return invitationPage(main, id);
  if (page === 'partnerships' && id) return detailPage(main, id);
  main.textContent = 'No such page.';
}

window.addEventListener('popstate', () => void route());
void route().finally(() => document.body.setAttribute('data-ready', 'true'));
