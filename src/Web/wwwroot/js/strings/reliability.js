// UI strings of unsent edits kept across reloads, signing out and coming back, read-only state, presence after a restart, and shutting down, in English and French (merged into STRINGS by i18n.js). Pure.
// Error sentences for new error codes go in the errors tables below, not in i18n.js.

export const reliabilityEn = {
  'reliability.sync.kept': 'Kept on this device until the server has them, even if you reload the page.',
  'reliability.signOut.title': 'Sign out?',
  'reliability.signOut.keyIntro': 'To come back as {name}, here or on another device, you need your personal rejoin key. Write it down or copy it:',
  'reliability.signOut.copy': 'Copy',
  'reliability.signOut.copied': 'Copied.',
  'reliability.signOut.copyFailed': 'Could not copy: write the key down.',
  'reliability.signOut.unsynced': 'Some of your changes have not reached the server yet. They stay on this device and are sent when you come back here.',
  'reliability.signOut.remember': 'Remember me on this device',
  'reliability.signOut.rememberHint': 'The join page then offers to continue as you with one click. Untick it on a shared computer.',
  'reliability.signOut.stay': 'Stay signed in',
  'reliability.signOut.confirm': 'Sign out',
  'reliability.join.nameTaken': 'Someone named {name} has already joined. If that is you, enter your rejoin key below (it was shown when you signed out, and under “Continue on another device”). Otherwise, add something to your name.',
};

export const reliabilityFr = {
  'reliability.signOut.title': 'Se déconnecter ?',
  'reliability.signOut.keyIntro': 'Pour revenir en tant que {name}, ici ou sur un autre appareil, il vous faut votre clé de reconnexion personnelle. Notez-la ou copiez-la :',
  'reliability.signOut.copy': 'Copier',
  'reliability.signOut.copied': 'Copiée.',
  'reliability.signOut.copyFailed': 'Copie impossible : notez la clé.',
  'reliability.signOut.unsynced': 'Certaines de vos modifications ne sont pas encore parvenues au serveur. Elles restent sur cet appareil et seront envoyées quand vous reviendrez ici.',
  'reliability.signOut.remember': 'Se souvenir de moi sur cet appareil',
  'reliability.signOut.rememberHint': 'La page d’accès proposera alors de continuer en votre nom d’un seul clic. Décochez sur un ordinateur partagé.',
  'reliability.signOut.stay': 'Rester connecté',
  'reliability.signOut.confirm': 'Se déconnecter',
  'reliability.join.nameTaken': 'Une personne nommée {name} a déjà rejoint l’atelier. Si c’est vous, saisissez votre clé de reconnexion ci-dessous (elle vous a été montrée à la déconnexion, et sous « Continuer sur un autre appareil »). Sinon, complétez votre nom.',
  'reliability.sync.kept': 'Conservées sur cet appareil jusqu’à ce que le serveur les ait reçues, même si vous rechargez la page.',
};

export const reliabilityErrorsEn = {
  'error.client.storage': 'This browser would not keep your unsent changes; they are still on this page, so do not close it until they are saved.',
};

export const reliabilityErrorsFr = {
  'error.client.storage': 'Ce navigateur n’a pas pu conserver vos modifications non envoyées ; elles sont toujours sur cette page : ne la fermez pas avant qu’elles soient enregistrées.',
};
