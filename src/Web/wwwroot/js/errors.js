// Refusals in plain words: the one function the whole web client uses to turn an error (a hub invocation's
// HubException, an HTTP problem+json as ApiError, a refusal of the local OT engine) into a sentence in the reader's
// language. People never see a code nor the server's English message. Pure: runs in browsers and in Node.

import { errorCode } from './collab-client.js';
import { STRINGS } from './i18n.js';

// A code the table does not name is still said in plain words by what its name ends with (codes such as
// `workshop.organisers_too_long` are built from a field's name), else by the HTTP status, else generically.
const FAMILIES = [
  [/_too_long$/, 'error.any.too_long'],
  [/_required$/, 'error.any.required'],
  [/_too_many$|\.too_many(_\w+)?$/, 'error.any.too_many'],
  [/_invalid$/, 'error.any.invalid'],
  [/\.not_found$/, 'error.any.not_found'],
  [/_forbidden$|_only$/, 'error.any.forbidden'],
  [/_closed$|\.closed$/, 'error.any.closed'],
];

const BY_STATUS = {
  0: 'error.client.network',
  400: 'error.request.invalid',
  401: 'error.auth.required',
  403: 'error.auth.forbidden',
  404: 'error.any.not_found',
  409: 'error.any.conflict',
  413: 'error.request.too_large',
  429: 'error.rate.limited',
  503: 'error.server.unavailable',
};

const known = (key) => Object.hasOwn(STRINGS.en, key);

/**
 * The i18n key that says `err` in words: `error.<code>` when the table has it, else the family of its code, else its
 * HTTP status, else `error.unknown`.
 */
export function errorKey(err) {
  const code = errorCode(err);
  if (code && known(`error.${code}`)) return `error.${code}`;
  if (code) {
    for (const [pattern, key] of FAMILIES) if (pattern.test(code)) return key;
  }
  // ApiError carries `status`; SignalR's HttpError (e.g. a refused negotiation) `statusCode`.
  const status = [err?.status, err?.statusCode].find((x) => typeof x === 'number') ?? null;
  if (status != null) {
    if (BY_STATUS[status]) return BY_STATUS[status];
    if (status >= 500) return 'error.server.error';
    if (status >= 400) return 'error.request.invalid';
  }
  return 'error.unknown';
}

/** `err` in words, in the language of `t` (an i18n's `t`). */
export function describeError(err, t) {
  return t(errorKey(err));
}
