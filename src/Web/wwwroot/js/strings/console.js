// UI strings of the facilitator console, the join page, announcements and help, presence colours, the outcome tab and French wording, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const consoleEn = {
};

export const consoleFr = {
};

export const consoleErrorsEn = {
};

export const consoleErrorsFr = {
};
