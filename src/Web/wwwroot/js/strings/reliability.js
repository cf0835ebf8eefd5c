// UI strings of unsent edits kept across reloads, signing out and coming back, read-only state, presence after a restart, and shutting down, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const reliabilityEn = {
};

export const reliabilityFr = {
};

export const reliabilityErrorsEn = {
};

export const reliabilityErrorsFr = {
};
