// Endorsement in the plenary (docs/recommendations.md, "Endorsements and adoption"): the live tally, the adoption
// rule in words, every voice and the list of reservations (visible to everyone), and the form with which a
// delegation's speaker records its voice: for, for with reservations (text required), against or abstain. The pure
// functions at the top are tested in tests/js/board.test.mjs; createEndorsePanel is the DOM part.

import { h, replace, patch } from './dom.js';
import { describeError } from './errors.js';

export const STANCES = Object.freeze(['support', 'reservation', 'objection', 'abstain']);

/** The counts of a tally (absent counts are 0), with the voices in favour, the voices cast for or against, and the share. */
export function tallyCounts(tally) {
  const support = tally?.support ?? 0;
  const reservation = tally?.reservation ?? 0;
  const objection = tally?.objection ?? 0;
  const abstain = tally?.abstain ?? 0;
  const favour = support + reservation;
  const decided = favour + objection;
  return { support, reservation, objection, abstain, favour, decided, share: decided === 0 ? 0 : favour / decided };
}

/** "2 for · 1 for with reservations · 0 against · 1 abstaining", in the reader's language; "No voice yet." for none. */
export function tallyText(tally, t) {
  const c = tallyCounts(tally);
  return c.decided + c.abstain === 0 ? t('endorse.noVoiceYet') : t('endorse.tally', c);
}

/** A share as a percentage in the reader's language ("67%", "67 %"). */
export function percent(share, language) {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** The adoption rule in words: how it decides, and who has a voice. */
export function ruleText(rule, i18n) {
  const { t } = i18n;
  const kind = rule?.kind === 'majority' ? t('endorse.rule.majority', { threshold: percent(rule.threshold ?? 0.5, i18n.language) }) : t('endorse.rule.consensus');
  return `${kind} ${t(rule?.perDelegation === false ? 'endorse.rule.perPerson' : 'endorse.rule.perDelegation')}`;
}

/**
 * Whether the tally lets a facilitator adopt now, and if not, why, in words: `{ adoptable, text }`. The server's
 * `adoptable` decides; the words explain it with the rule.
 */
export function adoptionOutlook(tally, i18n) {
  const { t } = i18n;
  const c = tallyCounts(tally);
  const rule = tally?.rule;
  if (tally?.adoptable) return { adoptable: true, text: t('endorse.outlook.adoptable') };
  if (c.favour === 0) return { adoptable: false, text: t('endorse.outlook.noneFor') };
  if (rule?.kind === 'majority') {
    return {
      adoptable: false,
      text: t('endorse.outlook.short', { share: percent(c.share, i18n.language), threshold: percent(rule.threshold ?? 0.5, i18n.language) }),
    };
  }
  return { adoptable: false, text: t('endorse.outlook.blocked', { count: c.objection }) };
}

/** Who a voice is: the delegation's name (per delegation), else the person who cast it. */
export function voterName(endorsement, delegations) {
  const voter = endorsement?.voter ?? '';
  if (voter.startsWith('p:')) return endorsement.byName ?? voter.slice(2);
  return delegations?.find((d) => d.id === voter)?.name ?? voter;
}

/** The voices that count under `rule` (the other kind are kept by the server but not counted), by voter name. */
export function countedVoices(endorsements, rule, delegations, language) {
  const perPerson = rule?.perDelegation === false;
  const collator = new Intl.Collator(language, { sensitivity: 'base' });
  return (endorsements ?? [])
    .filter((e) => String(e.voter ?? '').startsWith('p:') === perPerson)
    .map((e) => ({ ...e, name: voterName(e, delegations) }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * Every reservation recorded, `[{ name, text, byName }]`: what the outcome document lists, whichever kind of voice
 * (per delegation or per person) the rule counts now, so that a reservation once made is never hidden.
 */
export function reservationsOf(endorsements, delegations, language) {
  const collator = new Intl.Collator(language, { sensitivity: 'base' });
  return (endorsements ?? [])
    .filter((e) => e.stance === 'reservation' && e.reservation)
    .map((e) => ({ name: voterName(e, delegations), text: e.reservation, byName: e.byName }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * Whether `me` ({ role, delegation }) may record a voice now, and if not the i18n key saying why: endorsements are
 * taken while a recommendation is proposed or in review, per delegation from its members, never from observers;
 * when the session's phase rules are known (`phaseRule`, see effectivePhaseRule), only where they open it (facilitators
 * always may).
 */
export function voteState({ status, me, rule, phaseRule }) {
  if (me?.role === 'observer') return { canVote: false, reason: 'endorse.why.observer' };
  if (status === 'draft') return { canVote: false, reason: 'endorse.why.draft' };
  if (status !== 'proposed' && status !== 'inReview') return { canVote: false, reason: 'endorse.why.closed' };
  if (rule?.perDelegation !== false && !me?.delegation) {
    return { canVote: false, reason: me?.role === 'facilitator' ? 'endorse.why.facilitator' : 'endorse.why.noDelegation' };
  }
  if (phaseRule && phaseRule.endorse === false && me?.role !== 'facilitator') return { canVote: false, reason: 'endorse.why.phase' };
  return { canVote: true, reason: null };
}

/**
 * The phase rule in force for plenary things (recommendations follow the workshop's live session): the workshop's
 * `activePhase` (`{ stage, phase, rule }`) when the server says it, else read from the agenda's `phaseRules` and the
 * live session's phase; null when the server publishes no phase rules (then only statuses decide). No live session:
 * nothing is endorsed (before the first session, as in `share`; after the last, everything is read).
 */
export function effectivePhaseRule(workshop, sessions) {
  const active = workshop?.activePhase;
  if (active?.rule) return { phase: active.phase ?? null, endorse: active.rule.endorse === true };
  const agenda = workshop?.agenda ?? [];
  if (!agenda.some((a) => a?.phaseRules)) return null;
  const live = workshop.liveSessionId;
  if (!live) return { phase: null, endorse: false };
  const phase = sessions?.[live]?.phase ?? null;
  const rules = agenda.find((a) => a.id === live)?.phaseRules ?? {};
  const row = (phase && rules[phase]) ?? rules.review ?? {};
  return { phase, endorse: row.endorse === true };
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** A stacked bar of the tally (decorative: the text says the same). */
function tallyBar(tally) {
  const c = tallyCounts(tally);
  const total = c.support + c.reservation + c.objection + c.abstain;
  const part = (n, cls) => (n > 0 ? h('span', { class: cls, style: { flexGrow: String(n) } }) : null);
  return h(
    'div',
    { class: 'tally-bar', 'aria-hidden': 'true' },
    total === 0 ? h('span', { class: 'none', style: { flexGrow: '1' } }) : [part(c.support, 'for'), part(c.reservation, 'reserved'), part(c.objection, 'against'), part(c.abstain, 'abstain')],
  );
}

/**
 * The endorsement part of a recommendation's details: `update(view)` with a RecommendationView (GET …/{rid}) shows
 * its tally, voices and reservations; the vote form keeps what the speaker typed across updates. `onVoted(view)` gets
 * the server's answer to a recorded voice.
 */
export function createEndorsePanel(ctx, recommendationId, { onVoted } = {}) {
  const { i18n, store } = ctx;
  const t = (...a) => i18n.t(...a);
  const me = { id: ctx.identity.participant.id, role: ctx.identity.participant.role, delegation: ctx.identity.participant.delegation ?? null };
  const heading = h('h4');
  const tallyLine = h('p', { class: 'tally-line', dataset: { testid: 'tally' }, 'aria-live': 'polite' });
  const barHost = h('div');
  const outlook = h('p', { class: 'outlook', dataset: { testid: 'outlook' } });
  const ruleLine = h('p', { class: 'hint' });
  const voicesTitle = h('h5');
  const voices = h('ul', { class: 'voices', dataset: { testid: 'voices' } });
  const reservationsTitle = h('h5');
  const reservations = h('ul', { class: 'reservations', dataset: { testid: 'reservations' } });
  const formHost = h('div');
  const el = h('section', { class: 'endorse' }, heading, tallyLine, barHost, outlook, ruleLine, voicesTitle, voices, reservationsTitle, reservations, formHost);

  let view = null;
  const radios = new Map();
  let reservationText = null;
  let stanceError = null;
  let formStatus = null;
  let mine = null;
  let submit = null;
  let form = null;
  let formKey = null;

  function delegations() {
    return store.state.workshop?.delegations ?? [];
  }

  function myVoice(v) {
    const voter = v.tally?.rule?.perDelegation === false ? `p:${me.id}` : me.delegation;
    return (v.endorsements ?? []).find((e) => e.voter === voter) ?? null;
  }

  function buildForm(state) {
    radios.clear();
    if (!state.canVote) {
      form = null;
      return h('p', { class: 'hint', dataset: { testid: 'vote-closed' } }, t(state.reason));
    }
    const perPerson = view.tally?.rule?.perDelegation === false;
    const name = `stance-${recommendationId}`;
    const options = STANCES.map((stance) => {
      const input = h('input', { type: 'radio', name, value: stance, dataset: { focusKey: `stance-${stance}` } });
      radios.set(stance, input);
      input.addEventListener('change', showReservation);
      return h('label', { class: 'check' }, input, h('span', null, t(`endorse.stance.${stance}`)));
    });
    reservationText = h('textarea', { rows: 3, maxlength: 2000, dataset: { focusKey: 'reservation' } });
    const reservationField = h('div', { class: 'field reservation-field', hidden: true }, h('label', { for: `res-${recommendationId}` }, t('endorse.reservation')), reservationText);
    reservationText.id = `res-${recommendationId}`;
    stanceError = h('p', { class: 'error', role: 'alert' });
    formStatus = h('p', { class: 'hint', role: 'status' });
    mine = h('p', { class: 'my-voice', dataset: { testid: 'my-voice' } });
    submit = h('button', { type: 'submit', class: 'primary', dataset: { focusKey: 'vote' } }, t('endorse.record'));
    const delegationName = delegations().find((d) => d.id === me.delegation)?.name ?? me.delegation;
    form = h(
      'form',
      { class: 'vote', dataset: { testid: 'vote' } },
      h('p', null, perPerson ? t('endorse.youSpeakForYourself') : t('endorse.youSpeakFor', { delegation: delegationName })),
      mine,
      h('fieldset', null, h('legend', null, t(perPerson ? 'endorse.yourVoice' : 'endorse.delegationVoice')), options),
      reservationField,
      stanceError,
      submit,
      formStatus,
    );
    form.addEventListener('submit', vote);
    return form;
  }

  function showReservation() {
    const field = form?.querySelector('.reservation-field');
    if (!field) return;
    const on = radios.get('reservation')?.checked ?? false;
    field.hidden = !on;
    reservationText.required = on;
  }

  async function vote(event) {
    event.preventDefault();
    const stance = [...radios.entries()].find(([, input]) => input.checked)?.[0];
    stanceError.textContent = '';
    formStatus.textContent = '';
    if (!stance) {
      stanceError.textContent = t('endorse.chooseStance');
      return;
    }
    const reservation = reservationText.value.trim();
    if (stance === 'reservation' && !reservation) {
      stanceError.textContent = t('error.recommendation.reservation_required');
      reservationText.focus();
      return;
    }
    submit.disabled = true;
    try {
      const answer = await ctx.api.post(ctx.path(`/recommendations/${recommendationId}/endorsements`), {
        stance,
        reservation: stance === 'reservation' ? reservation : null,
      });
      formStatus.textContent = t('endorse.recorded');
      onVoted?.(answer);
      update(answer);
    } catch (err) {
      stanceError.textContent = describeError(err, i18n.t);
    } finally {
      submit.disabled = false;
    }
  }

  function renderMine() {
    if (!mine || !view) return;
    const voice = myVoice(view);
    const text = voice
      ? t('endorse.current', {
          stance: t(`endorse.stance.${voice.stance}`),
          name: voice.byName,
          time: new Date(voice.at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }),
        })
      : t('endorse.notRecorded');
    setText(mine, text);
  }

  /** Shows `next` (a RecommendationView); the form is rebuilt only when whether and how one votes changed. */
  function update(next) {
    if (!next) return;
    view = next;
    const rule = view.tally?.rule ?? store.state.board?.rule ?? null;
    setText(heading, t('endorse.title'));
    // Announced (aria-live) only when it changes.
    setText(tallyLine, tallyText(view.tally, t));
    patch(barHost, JSON.stringify(view.tally ?? null), () => tallyBar(view.tally));
    const open = view.status === 'proposed' || view.status === 'inReview';
    const anyVoice = tallyCounts(view.tally).decided + tallyCounts(view.tally).abstain > 0;
    setText(outlook, open && anyVoice ? adoptionOutlook(view.tally, i18n).text : '');
    outlook.hidden = !outlook.textContent;
    setText(ruleLine, t('board.rule', { rule: ruleText(rule, i18n) }));
    setText(voicesTitle, t('endorse.voices'));
    const counted = countedVoices(view.endorsements, rule, delegations(), i18n.language);
    patch(voices, JSON.stringify([i18n.language, counted.map((e) => [e.voter, e.stance, e.name])]), () =>
      counted.length === 0
        ? h('li', { class: 'hint' }, t('endorse.noVoices'))
        : counted.map((e) => h('li', { class: `voice ${e.stance}` }, h('strong', null, `${e.name}${t('endorse.colon')}`), ' ', h('span', null, t(`endorse.stance.${e.stance}`)))),
    );
    const reserved = reservationsOf(view.endorsements, delegations(), i18n.language);
    // Nothing to list before the first voice: the tally line says so.
    voicesTitle.hidden = voices.hidden = counted.length === 0;
    reservationsTitle.hidden = reservations.hidden = counted.length === 0 && reserved.length === 0;
    setText(reservationsTitle, t('endorse.reservations'));
    patch(reservations, JSON.stringify([i18n.language, reserved]), () =>
      reserved.length === 0
        ? h('li', { class: 'hint' }, t('endorse.noReservations'))
        : reserved.map((r) => h('li', null, h('strong', null, `${r.name}${t('endorse.colon')}`), ' ', h('q', null, r.text))),
    );
    const state = voteState({ status: view.status, me, rule, phaseRule: effectivePhaseRule(store.state.workshop, store.state.sessions) });
    const key = JSON.stringify([i18n.language, state, rule?.perDelegation]);
    if (key !== formKey) {
      // Rebuilt only when the way to vote changed: a push never wipes a reservation being typed.
      const focused = formHost.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
      const typed = reservationText?.value ?? '';
      const chosen = [...radios.entries()].find(([, input]) => input.checked)?.[0];
      formKey = key;
      replace(formHost, buildForm(state));
      if (reservationText) reservationText.value = typed;
      if (chosen && radios.get(chosen)) radios.get(chosen).checked = true;
      showReservation();
      if (focused) formHost.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    }
    renderMine();
  }

  return {
    el,
    update,
    relabel() {
      formKey = null;
      if (view) update(view);
    },
    get view() {
      return view;
    },
  };
}
