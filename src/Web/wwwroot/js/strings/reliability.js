// UI strings of unsent edits kept across reloads, signing out and coming back, read-only state, presence after a restart, and shutting down, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const reliabilityEn = {
  'reliability.sync.kept': 'Kept on this device until the server has them, even if you reload the page.',
};

export const reliabilityFr = {
  'reliability.sync.kept': 'Conservées sur cet appareil jusqu’à ce que le serveur les ait reçues, même si vous rechargez la page.',
};

export const reliabilityErrorsEn = {
  'error.client.storage': 'This browser would not keep your unsent changes; they are still on this page, so do not close it until they are saved.',
};

export const reliabilityErrorsFr = {
  'error.client.storage': 'Ce navigateur n’a pas pu conserver vos modifications non envoyées ; elles sont toujours sur cette page : ne la fermez pas avant qu’elles soient enregistrées.',
};
