// UI strings of the group documents of every session for rapporteurs and facilitators, a note's history and restore, and empty documents' guidance, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const notesEn = {
};

export const notesFr = {
};

export const notesErrorsEn = {
};

export const notesErrorsFr = {
};
