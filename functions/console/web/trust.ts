// The partnership page's trust section: this deployment's key thumbprint (what its administrator
// reads to the partner's), the partner's key and the evidence it is trusted on, pairing-code tries,
// the partner's domains with the action to vouch for one, and — while the partner's key is not
// trusted yet — the form to pin its thumbprint read back from the partner's administrator.
// See docs/security.md.
import { api } from './api';
import { append, badge, button, clear, h, messageBar, rerenderKeepingOutcomes, time } from './dom';
import type { Details, KeyTrust } from './types';
import { problemBar } from './views';

/** Until the partner's answer is accepted, the initiator's administrator may still pin its key. */
const KEY_PINNING_STATUSES = new Set(['Draft', 'ConfiguringLocal', 'AwaitingPartner']);
/** Partner domains can be vouched for while the partnership may still be configured or reconciled. */
const DOMAIN_ACCEPTING_STATUSES = new Set(['Draft', 'ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active']);

const EVIDENCE: Record<string, string> = {
  jwks: "fetched from the partner's deployment URL your administrator entered",
  admin: "pinned by your administrator, read back from the partner's administrator",
  'key-proof': "proved by the partner's confirmation with your pairing code",
  'pairing-code': 'opened by the pairing code your administrator entered',
  'pre-trust': 'named by a pre-trust rule of this deployment',
};

function code(text: string, id?: string): HTMLElement {
  return h('code', { class: 'thumbprint', ...(id ? { id } : {}) }, text);
}

function keyFacts(details: Details, keys: KeyTrust): HTMLElement {
  const rows: [string, Node | string][] = [];
  if (keys.own) rows.push(["This deployment's key", code(keys.own, 'own-key')]);
  if (keys.partner) {
    rows.push(["Partner's key", h('span', {}, code(keys.partner.thumbprint, 'partner-key'), ' ', badge('Trusted'))]);
    rows.push(['Trusted because', h('span', { id: 'partner-key-source' }, `${EVIDENCE[keys.partner.source] ?? keys.partner.source} (${keys.partner.source}), `, time(keys.partner.pinnedAt))]);
  } else if (keys.partnerPresented) {
    rows.push(["Partner's key (presented)", h('span', {}, code(keys.partnerPresented, 'partner-key'), ' ', badge('Not verified'))]);
    rows.push(['Trusted because', 'not yet: the pairing code opens the invitation and proves this key is the inviting deployment’s']);
  } else if (keys.partnerExpected) {
    rows.push(["Partner's key (pinned)", h('span', {}, code(keys.partnerExpected, 'partner-key'), ' ', badge('Awaiting answer'))]);
    rows.push(['Trusted because', "your administrator pinned it; the partner's answer is accepted under this key only"]);
  } else if (keys.partnerPublished?.length) {
    rows.push(["Partner's published keys", h('span', {}, ...keys.partnerPublished.map((thumbprint) => code(thumbprint)))]);
  } else if (details.role === 'initiator') {
    rows.push(["Partner's key", 'not trusted yet: it is fetched from the partner’s deployment URL, or pin its thumbprint below']);
  }
  if (details.pairingAttempts) {
    const left = details.pairingAttempts.max - details.pairingAttempts.used;
    rows.push(['Pairing-code tries', h('span', { id: 'pairing-attempts' }, `${details.pairingAttempts.used} of ${details.pairingAttempts.max} used (${left} left)`)]);
  }
  return h('dl', { class: 'facts', id: 'keys' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
}

/** The form that pins the partner's key thumbprint (initiator, before the partner's key is trusted). */
function pinForm(details: Details, refresh: () => void): HTMLElement {
  const input = h('input', { id: 'partner-key-thumbprint', name: 'thumbprint', autocomplete: 'off', spellcheck: 'false', class: 'code-input', 'aria-describedby': 'partner-key-thumbprint-hint' });
  const outcome = h('div', { id: 'partner-key-outcome', 'aria-live': 'polite' });
  const form = h(
    'form',
    { id: 'partner-key-form', novalidate: true, 'aria-labelledby': 'partner-key-heading' },
    h('h3', { id: 'partner-key-heading' }, "Pin the partner's key"),
    h(
      'div',
      { class: 'field' },
      h('label', { for: input.id }, 'Key thumbprint'),
      h('div', { class: 'hint', id: 'partner-key-thumbprint-hint' }, "When the partner's deployment could not be reached: ask its administrator for the thumbprint of its key (on its partnership page) over a channel you trust. Only an answer signed with that key is then accepted."),
      input,
    ),
    h('div', { class: 'actions' }, button('Pin thumbprint', { type: 'submit', id: 'partner-key-pin' })),
    outcome,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear(outcome);
      try {
        await api('POST', `/partnerships/${encodeURIComponent(details.id)}/partner-key`, { thumbprint: input.value.trim() });
        append(outcome, messageBar('success', 'Pinned: the partner’s answer is accepted under this key only.'));
        refresh();
      } catch (error) {
        append(outcome, problemBar(error));
      }
    })();
  });
  return form;
}

/** The partner's domains: which are used (verified) and the action to vouch for the others. */
function domainsPart(details: Details, refresh: () => void): HTMLElement {
  const domains = details.partnerDomains ?? [];
  const outcome = h('div', { id: 'partner-domains-outcome', 'aria-live': 'polite' });
  const accept = async (names: string[]): Promise<void> => {
    clear(outcome);
    try {
      const answer = await api<{ partnerDomains?: { domain: string; status: string }[] }>('POST', `/partnerships/${encodeURIComponent(details.id)}/partner-domains`, { accept: names });
      const used = (answer.partnerDomains ?? []).filter((domain) => names.includes(domain.domain) && domain.status === 'verified').map((domain) => domain.domain);
      append(
        outcome,
        messageBar(
          'success',
          `Accepted ${names.join(', ')}.`,
          used.length > 0 ? ` Used from now on: ${used.join(', ')}${details.status === 'Active' ? ' (the next reconcile run writes them; "Repair drift now" does it at once).' : '.'}` : ' Each is used once the partner declares it.',
        ),
      );
      refresh();
    } catch (error) {
      append(outcome, problemBar(error));
    }
  };
  const accepting = DOMAIN_ACCEPTING_STATUSES.has(details.status);
  const table =
    domains.length === 0
      ? h('p', { class: 'hint' }, 'The partner has declared no domain yet.')
      : h(
          'table',
          { class: 'grid', id: 'partner-domains' },
          h('caption', { class: 'visually-hidden' }, "The partner's domains"),
          h('thead', {}, h('tr', {}, ...['Domain', 'Status', 'Vouched for by', 'Declared by the partner', ''].map((text) => h('th', { scope: 'col' }, text || h('span', { class: 'visually-hidden' }, 'Action'))))),
          h(
            'tbody',
            {},
            ...domains.map((domain) => {
              const action =
                domain.status === 'unverified' && accepting
                  ? button('Accept', { id: `accept-domain-${domain.domain.replace(/[^a-z0-9-]/gi, '_')}`, 'aria-label': `Accept ${domain.domain}` })
                  : null;
              action?.addEventListener('click', () => void accept([domain.domain]));
              return h(
                'tr',
                { 'data-domain': domain.domain },
                h('td', {}, domain.domain),
                h('td', {}, h('fluent-badge', { appearance: 'tint', color: domain.status === 'verified' ? 'success' : 'warning', 'data-status': domain.status }, domain.status)),
                h('td', {}, domain.source === 'graph' ? 'Microsoft Graph (same cloud)' : domain.source === 'admin' ? 'an administrator' : '—'),
                h('td', {}, domain.declared ? 'yes' : 'not yet'),
                h('td', {}, action),
              );
            }),
          ),
        );
  return h(
    'div',
    { id: 'partner-domains-part' },
    h('h3', {}, "The partner's domains"),
    h('p', { class: 'hint' }, 'Teams federation uses a domain only when the partner declared it and it is verified: by Microsoft Graph in the same cloud, or by an administrator here (across clouds Graph cannot tell whose a domain is).'),
    table,
    outcome,
  );
}

/** Renders the trust section of a partnership into `box` (called on every refresh that changed it). */
export function renderTrust(box: HTMLElement, details: Details, refresh: () => void): void {
  const keys = details.keys ?? {};
  rerenderKeepingOutcomes(box, () =>
    append(
      box,
      h('h2', { id: 'trust-heading' }, 'Trust'),
      keyFacts(details, keys),
      details.role === 'initiator' && !keys.partner && KEY_PINNING_STATUSES.has(details.status) ? pinForm(details, refresh) : null,
      domainsPart(details, refresh),
    ),
  );
}

/** What the trust section shows, to re-render only when it changed. */
export function trustKey(details: Details): string {
  return JSON.stringify([details.status, details.keys, details.pairingAttempts, details.partnerDomains]);
}
