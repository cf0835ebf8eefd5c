// The HTTP API (docs/workshops.md) from the browser: JSON in and out, bearer token, problem+json errors as ApiError.

/** A refused request: HTTP `status`, the stable `code` of problem+json (e.g. `session.not_running`) and its text. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code ?? null;
    this.field = field ?? null;
  }
}

/** `getToken()` gives the current bearer token (or null). */
export function createApi(getToken, fetchImpl = globalThis.fetch.bind(globalThis)) {
  async function send(method, path, body, accept = 'application/json', contentType = 'application/json') {
    const headers = { Accept: accept };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = contentType;
    let response;
    try {
      const payload = body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body;
      response = await fetchImpl(path, { method, headers, body: payload });
    } catch (err) {
      throw new ApiError(0, 'client.network', err?.message ?? 'network error');
    }
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // Not problem+json (e.g. a 404 page): the status says enough.
      }
      throw new ApiError(response.status, problem?.code ?? null, problem?.detail || problem?.title || `HTTP ${response.status}`, problem?.field);
    }
    return response;
  }

  return {
    async get(path) {
      return (await send('GET', path)).json();
    },
    async post(path, body = {}) {
      const response = await send('POST', path, body);
      return response.status === 204 ? null : response.json();
    },
    async put(path, body = {}) {
      const response = await send('PUT', path, body);
      return response.status === 204 ? null : response.json();
    },
    async delete(path) {
      const response = await send('DELETE', path);
      return response.status === 204 ? null : response.json();
    },
    /** Sends `text` (a string or bytes) as it is, e.g. a roster as `text/csv`; answers the JSON reply. */
    async postText(path, text, contentType) {
      return (await send('POST', path, text, 'application/json', contentType)).json();
    },
    /** A file: `{ blob, filename }` (filename from Content-Disposition when given). */
    async download(path) {
      const response = await send('GET', path, undefined, '*/*');
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition);
      const filename = m ? decodeURIComponent(m[1] ?? m[2]) : null;
      return { blob: await response.blob(), filename };
    },
  };
}
