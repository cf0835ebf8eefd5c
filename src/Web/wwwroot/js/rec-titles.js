// A recommendation's title in each working language: which one a reader sees, and who may change which. Pure.
// The server holds the rules (PUT …/titles/{language}); these only decide what to show and offer.

/** Statuses after which the title of record no longer changes. */
const FINAL = ['adopted', 'rejected', 'withdrawn', 'merged'];

/** Longest title, as the server bounds it. */
export const MAX_TITLE = 200;

/**
 * The title of a recommendation (a view or a board summary) in `language`: its translation there when it has one,
 * else the title of record. `language` is the language the title is in (null when unknown).
 */
export function titleIn(rec, language) {
  const translated = rec?.titles?.[language];
  if (typeof translated === 'string' && translated.trim()) return { text: translated, language };
  return { text: rec?.title ?? '', language: rec?.languageOfRecord ?? null };
}

/** Whether `me` ({participantId, role}) may change the title in `language` (mirrors the server's rule). */
export function canEditTitle(view, me, language) {
  if (!view || !me || me.role === 'observer') return false;
  const everywhere = me.role === 'facilitator' || me.role === 'rapporteur';
  const author = !!me.participantId && me.participantId === view.authorId;
  const final = FINAL.includes(view.status);
  if (language === view.languageOfRecord) return !final && (everywhere || author);
  return view.status !== 'merged' && (everywhere || (author && !final));
}

/**
 * One row per language of the recommendation, the language of record first: its title there (null when none yet),
 * whether that title is behind the title of record, and whether `me` may change it.
 */
export function titleRows(view, me) {
  const languages = (view?.texts ?? []).map((x) => x.language);
  if (view?.languageOfRecord && !languages.includes(view.languageOfRecord)) languages.unshift(view.languageOfRecord);
  const ordered = [...languages].sort((a, b) => (a === view.languageOfRecord ? -1 : b === view.languageOfRecord ? 1 : 0));
  return ordered.map((language) => {
    const ofRecord = language === view.languageOfRecord;
    const title = ofRecord ? view.title : view.titles?.[language] ?? null;
    return {
      language,
      ofRecord,
      title,
      stale: !ofRecord && title != null && (view.staleTitles ?? []).includes(language),
      editable: canEditTitle(view, me, language),
    };
  });
}

/**
 * The `titles` of a proposal: the titles typed for working languages other than the language of record (`record`),
 * trimmed, empty ones left out; undefined when there are none. `values`: `{ language: typed }`.
 */
export function proposedTitles(languages, record, values) {
  const titles = {};
  for (const language of languages ?? []) {
    const typed = (values?.[language] ?? '').trim();
    if (language !== record && typed) titles[language] = typed;
  }
  return Object.keys(titles).length ? titles : undefined;
}
