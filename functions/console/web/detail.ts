// The partnership page: status and facts, the last error with its fix, trust in the partner, the
// live timeline of both sides' steps, drift with "reconcile now", the before and after of every
// change this partnership wrote (or removed), and offboarding.
import { api, query } from './api';
import { append, badge, button, clear, h, json, messageBar, time } from './dom';
import { fixFor } from './fixes';
import { renderOffboarding, offboardingKey } from './offboarding';
import { renderTrust, trustKey } from './trust';
import type { Details, StoredEvent } from './types';
import { problemBar } from './views';

const FINAL = new Set(['Active', 'Rejected', 'Expired', 'Failed', 'RolledBack', 'Removed']);
/** The pairing code is for the partner's administrator until the partner has answered. */
const CODE_STATUSES = new Set(['Draft', 'ConfiguringLocal', 'AwaitingPartner']);
export const POLL_INTERVAL_MS = 1_500;

export async function detailPage(main: HTMLElement, id: string, heading: (main: HTMLElement, text: string, ...extra: (Node | string)[]) => void, onLeave: (stop: () => void) => void): Promise<void> {
  heading(main, 'Partnership', h('fluent-spinner', { size: 'small', 'aria-label': 'Loading' }));
  const header = h('section', { id: 'summary', 'aria-label': 'Summary' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline', 'aria-label': 'Timeline' });
  const errorBox = h('section', { id: 'last-error', 'aria-live': 'polite', 'aria-label': 'Last error' });
  const trustBox = h('section', { id: 'trust', 'aria-labelledby': 'trust-heading' });
  const driftBox = h('section', { id: 'drift', 'aria-labelledby': 'drift-heading' });
  const changes = h('section', { id: 'changes', 'aria-labelledby': 'changes-heading' }, h('h2', { id: 'changes-heading' }, 'What this partnership changed: before and after'));
  const offboardBox = h('section', { id: 'offboarding', 'aria-labelledby': 'offboard-heading' });
  let shownSteps = -1;
  let shownStatus = '';
  let shownTrust = '';
  let shownOffboarding = '';
  let stopped = false;
  let timer: number | undefined;
  onLeave(() => {
    stopped = true;
    window.clearTimeout(timer);
  });
  heading(
    main,
    'Partnership',
    header,
    errorBox,
    h('section', { 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), h('p', { class: 'hint' }, 'Both sides’ steps as this deployment recorded them; updates live.'), timeline),
    trustBox,
    driftBox,
    changes,
    offboardBox,
  );
  const soon = (): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), 0);
  };

  const renderDrift = (details: Details): void => {
    clear(driftBox);
    const report = button('Check for drift (report)', { id: 'reconcile-report' });
    const enforce = button('Repair drift now (enforce)', { id: 'reconcile-enforce', appearance: 'primary' });
    const outcome = h('div', { id: 'reconcile-outcome', 'aria-live': 'polite' });
    const run = async (mode: 'report' | 'enforce'): Promise<void> => {
      clear(outcome);
      append(outcome, h('fluent-spinner', { size: 'small', 'aria-label': 'Reconciling' }));
      try {
        const answer = await api<{ driftStatus: string; drift: { description?: string; kind?: string }[]; repaired?: boolean }>('POST', `/partnerships/${encodeURIComponent(id)}/reconcile?mode=${mode}`);
        clear(outcome);
        append(
          outcome,
          answer.drift.length === 0
            ? messageBar('success', 'No drift: the tenant holds every setting of this partnership.')
            : messageBar(
                mode === 'enforce' ? 'success' : 'warning',
                h('strong', {}, mode === 'enforce' ? `Repaired ${answer.drift.length} difference(s):` : `${answer.drift.length} difference(s) found:`),
                h('ul', {}, ...answer.drift.map((item) => h('li', {}, item.description ?? item.kind ?? JSON.stringify(item)))),
              ),
        );
        soon();
        void renderChanges();
      } catch (error) {
        clear(outcome);
        append(outcome, problemBar(error));
      }
    };
    report.addEventListener('click', () => void run('report'));
    enforce.addEventListener('click', () => void run('enforce'));
    append(
      driftBox,
      h('h2', { id: 'drift-heading' }, 'Drift'),
      h('p', {}, 'Current drift: ', h('span', { id: 'drift-status' }, badge(details.driftStatus))),
      details.status === 'Active' ? h('div', { class: 'actions' }, report, enforce) : h('p', { class: 'hint' }, 'Reconcile runs while the partnership is Active.'),
      outcome,
    );
  };

  const renderChanges = async (): Promise<void> => {
    try {
      const page = await api<{ events: StoredEvent[] }>('GET', `/events${query({ partnership: id, type: 'operation.applied', $top: 200 })}`);
      changes.querySelector('table, p')?.remove();
      append(
        changes,
        page.events.length === 0
          ? h('p', { class: 'hint' }, 'Nothing written yet.')
          : h(
              'table',
              { class: 'grid', id: 'before-after' },
              h('caption', { class: 'visually-hidden' }, 'Changes written (and removed) by this partnership'),
              h('thead', {}, h('tr', {}, ...['When', 'Who', 'Change', 'Before', 'After'].map((text) => h('th', { scope: 'col' }, text)))),
              h(
                'tbody',
                {},
                ...page.events.map((event) =>
                  h('tr', { 'data-actor': event.actor }, h('td', {}, time(event.at)), h('td', { class: 'actor' }, event.actor), h('td', {}, event.message), h('td', {}, json(event.before)), h('td', {}, json(event.after))),
                ),
              ),
            ),
      );
    } catch (error) {
      append(changes, problemBar(error));
    }
  };

  const refresh = async (): Promise<void> => {
    if (stopped) return;
    let details: Details;
    try {
      details = await api<Details>('GET', `/partnerships/${encodeURIComponent(id)}`);
    } catch (error) {
      clear(header);
      append(header, problemBar(error));
      timer = window.setTimeout(() => void refresh(), POLL_INTERVAL_MS * 2);
      return;
    }
    if (stopped) return;
    clear(header);
    const showCode = details.pairingCode && CODE_STATUSES.has(details.status);
    append(
      header,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Partner'),
        h('dd', {}, details.desired.displayName ?? details.partnerTenantId),
        h('dt', {}, 'Partner tenant'),
        h('dd', {}, details.partnerTenantId),
        h('dt', {}, 'Environment'),
        h('dd', {}, details.partnerCloud),
        h('dt', {}, 'Partner deployment'),
        h('dd', {}, details.partnerDeploymentUrl),
        h('dt', {}, 'Side'),
        h('dd', {}, details.role === 'initiator' ? 'This tenant asked' : 'The partner asked'),
        h('dt', {}, 'Status'),
        h('dd', { id: 'status' }, badge(details.status)),
        showCode ? h('dt', {}, 'Pairing code') : null,
        showCode ? h('dd', { class: 'pairing-code small', id: 'detail-pairing-code' }, details.pairingCode) : null,
      ),
    );
    clear(errorBox);
    if (details.lastError) {
      const fix = fixFor(details.lastError.code);
      append(errorBox, messageBar('error', h('strong', {}, 'Last error: '), details.lastError.message, ' ', h('code', {}, details.lastError.code), fix ? h('p', {}, h('strong', {}, 'How to fix: '), fix) : null));
    }
    if (details.steps.length !== shownSteps) {
      clear(timeline);
      for (const step of details.steps) {
        append(timeline, h('li', { 'data-type': step.type }, time(step.at), ' ', h('span', { class: 'step-type' }, step.type), ' ', step.status ? badge(step.status) : null, h('div', {}, step.message)));
      }
      shownSteps = details.steps.length;
      void renderChanges();
    }
    if (trustKey(details) !== shownTrust) {
      shownTrust = trustKey(details);
      renderTrust(trustBox, details, soon);
    }
    if (offboardingKey(details) !== shownOffboarding) {
      shownOffboarding = offboardingKey(details);
      renderOffboarding(offboardBox, details, soon);
    }
    if (details.status !== shownStatus) {
      shownStatus = details.status;
      renderDrift(details);
    } else {
      const drift = document.getElementById('drift-status');
      if (drift && drift.textContent !== (details.driftStatus ?? '—')) {
        clear(drift);
        append(drift, badge(details.driftStatus));
      }
    }
    timer = window.setTimeout(() => void refresh(), FINAL.has(details.status) ? POLL_INTERVAL_MS * 3 : POLL_INTERVAL_MS);
  };
  await refresh();
}
