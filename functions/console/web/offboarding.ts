// The partnership page's offboarding section: the form that ends the partnership on both sides
// (keep or delete the invited guests, a reason for the partner), then its outcome — what was kept
// in the tenant and why, and, when the partner could not be told, the signed offboard message to
// hand over out of band. See docs/offboarding.md.
import { api } from './api';
import { append, button, clear, h, messageBar, rerenderKeepingOutcomes } from './dom';
import type { Details, Step } from './types';
import { download, problemBar } from './views';

/** Statuses an offboarding cannot start from (it is running, done, or the partnership never began). */
const NOT_OFFBOARDABLE = new Set(['Offboarding', 'Removed', 'Rejected', 'Expired', 'RolledBack']);

interface KeptItem {
  description: string;
  why: string;
}

/** The step that moved the partnership to Removed (its data lists what was removed and kept). */
function removedStep(details: Details): Step | undefined {
  return [...details.steps].reverse().find((step) => step.status === 'Removed');
}

function offboardForm(details: Details, refresh: () => void, outcome: HTMLElement): HTMLElement {
  const deleteGuests = h('input', { type: 'checkbox', id: 'offboard-delete-guests', name: 'deleteGuests', 'aria-describedby': 'offboard-delete-guests-hint' });
  const reason = h('textarea', { id: 'offboard-reason', name: 'reason', rows: 2, 'aria-describedby': 'offboard-reason-hint' });
  const form = h(
    'form',
    { id: 'offboard-form', novalidate: true, 'aria-labelledby': 'offboard-heading' },
    h('p', { class: 'hint' }, 'Ends the partnership on both sides: each deployment removes what this partnership added and restores what it changed; what another partnership still needs, or an administrator changed since, stays. The partner is told with a signed message.'),
    h(
      'div',
      { class: 'field checkbox' },
      deleteGuests,
      h('label', { for: 'offboard-delete-guests' }, 'Also delete the guest accounts this partnership invited'),
      h('div', { class: 'hint', id: 'offboard-delete-guests-hint' }, 'Needs the Graph permission User.ReadWrite.All; by default the guests are kept.'),
    ),
    h('div', { class: 'field' }, h('label', { for: 'offboard-reason' }, 'Reason'), h('div', { class: 'hint', id: 'offboard-reason-hint' }, 'Sent to the partner (optional).'), reason),
    h('div', { class: 'actions' }, button('Offboard', { type: 'submit', id: 'offboard' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear(outcome);
      try {
        const answer = await api<{ status: string }>('DELETE', `/partnerships/${encodeURIComponent(details.id)}`, {
          deleteGuests: deleteGuests.checked,
          ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
        });
        append(outcome, messageBar('success', `Offboarding started (${answer.status}); the timeline shows its steps until both sides are Removed.`));
        refresh();
      } catch (error) {
        append(outcome, problemBar(error));
      }
    })();
  });
  return form;
}

/** What stayed in the tenant and whether the partner was told; the offboard message to carry over when not. */
function outcomePart(details: Details): HTMLElement {
  const step = removedStep(details);
  const kept = (step?.data?.kept as KeptItem[] | undefined) ?? [];
  const notNotified = step?.data?.partnerNotified === false || details.steps.some((candidate) => candidate.type === 'warning' && /^Partner not notified/.test(candidate.message));
  const part = h('div', { id: 'offboard-result' });
  if (details.status === 'Offboarding') append(part, messageBar('info', 'Offboarding: this side removes what the partnership added; the timeline shows each step.'));
  if (step) {
    append(
      part,
      messageBar('success', `Removed: ${(step.data?.removed as unknown[] | undefined)?.length ?? 0} change(s) undone in this tenant.`),
      h('h3', {}, 'What stays in this tenant'),
      kept.length === 0
        ? h('p', { id: 'kept-none' }, 'Nothing: every change of this partnership was removed.')
        : h(
            'table',
            { class: 'grid', id: 'kept' },
            h('caption', { class: 'visually-hidden' }, 'Kept in this tenant, and why'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Why it stays'))),
            h('tbody', {}, ...kept.map((item) => h('tr', {}, h('td', {}, item.description), h('td', {}, item.why)))),
          ),
    );
  }
  if (details.offboardMessageUrl && notNotified) {
    const outcome = h('div', { id: 'offboard-message-outcome', 'aria-live': 'polite' });
    const get = button('Download the signed offboard message', { id: 'offboard-message' });
    get.addEventListener('click', () =>
      void (async () => {
        clear(outcome);
        try {
          const jws = await api<string>('GET', `/partnerships/${encodeURIComponent(details.id)}/offboard-message`);
          download(`offboard-${details.id}.jws`, jws, 'application/jose', 'offboard-message-download');
        } catch (error) {
          append(outcome, problemBar(error));
        }
      })(),
    );
    append(
      part,
      messageBar(
        'warning',
        h('strong', {}, 'The partner was not notified. '),
        "Give the signed offboard message to the partner's administrator, who posts it to their own deployment (POST /api/handshake/messages, content type application/jose); their side then offboards too.",
      ),
      h('div', { class: 'actions' }, get),
      outcome,
    );
  }
  return part;
}

/** Renders the offboarding section into `box`. */
export function renderOffboarding(box: HTMLElement, details: Details, refresh: () => void): void {
  // The outcome sits outside the form: the form goes once offboarding started, its answer stays.
  const outcome = h('div', { id: 'offboard-outcome', 'aria-live': 'polite' });
  rerenderKeepingOutcomes(box, () =>
    append(
      box,
      h('h2', { id: 'offboard-heading' }, 'Offboard'),
      NOT_OFFBOARDABLE.has(details.status) ? null : offboardForm(details, refresh, outcome),
      outcome,
      ['Offboarding', 'Removed'].includes(details.status) || details.offboardMessageUrl ? outcomePart(details) : null,
      ['Rejected', 'Expired', 'RolledBack'].includes(details.status) ? h('p', { class: 'hint' }, `Nothing to offboard: the partnership ended ${details.status}, and what this side had prepared was undone.`) : null,
    ),
  );
}

/** What the offboarding section shows, to re-render only when it changed. */
export function offboardingKey(details: Details): string {
  return JSON.stringify([details.status, details.offboardMessageUrl, removedStep(details)?.at, details.steps.filter((step) => step.type === 'warning').length]);
}
