// UI strings of creating and editing a workshop, its agenda, plenary documents, group templates, the roster and its CSV import, join codes, rejoin keys and document locks, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const adminEn = {
};

export const adminFr = {
};

export const adminErrorsEn = {
};

export const adminErrorsFr = {
};
