// How the web app talks to limbod: same-origin fetch with the session cookie, and the
// session's CSRF token on every request that is not a GET.

export class ApiError extends Error {
  constructor(status, code, message, hint) {
    super(message || code || `Request failed (${status})`);
    this.status = status;
    this.code = code || 'error';
    this.hint = hint || '';
  }
}

const state = {
  session: null, // {user, csrfToken, workspaces: [{url, name, role, roleName, permissions}]}
  onUnauthorized: null,
};

export function session() {
  return state.session;
}

export function setSession(s) {
  state.session = s;
}

export function onUnauthorized(fn) {
  state.onUnauthorized = fn;
}

export function csrfToken() {
  return state.session ? state.session.csrfToken : '';
}

export function workspaceInfo(ws) {
  const s = state.session;
  if (!s || !Array.isArray(s.workspaces)) return null;
  return s.workspaces.find((w) => w.url === ws) || null;
}

/** True when the signed-in user's role in `ws` grants every one of `perms`. */
export function can(ws, ...perms) {
  const info = workspaceInfo(ws);
  if (!info) return false;
  const granted = new Set(info.permissions || []);
  return perms.every((p) => granted.has(p));
}

export function enc(segment) {
  return encodeURIComponent(String(segment));
}

async function parseBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

/**
 * request('GET', '/acme/trash', {query: {q}}) → parsed JSON, or throws ApiError.
 * `body` is sent as JSON. A 401 outside sign-in and re-authentication hands control to the unauthorized handler.
 */
export async function request(method, path, { body, query, signal } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  const init = { method, headers, credentials: 'same-origin', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const data = await parseBody(res);
  if (!res.ok) {
    const err = (data && data.error) || {};
    const error = new ApiError(res.status, err.code, err.message, err.hint);
    // A wrong password at sign-in, re-authentication or an invitation is a 401 too, but the session (if any) lives on.
    if (res.status === 401 && path !== '/app/api/login' && path !== '/app/api/reauth' &&
        !path.startsWith('/app/api/invitations/') && state.onUnauthorized) {
      state.onUnauthorized(error);
    }
    throw error;
  }
  return data;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body === undefined ? {} : body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};

/**
 * Uploads one file as the raw request body with progress reports (fetch cannot report upload
 * progress, XMLHttpRequest can). Resolves with the parsed answer, rejects with ApiError.
 */
export function uploadFile(ws, project, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/${enc(ws)}/${enc(project)}/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.setRequestHeader('Accept', 'application/json');
    if (file.type) xhr.setRequestHeader('Content-Type', file.type);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        if (onProgress) onProgress(1);
        resolve(data);
      } else {
        const err = (data && data.error) || {};
        reject(new ApiError(xhr.status, err.code, err.message || `Upload failed (${xhr.status})`, err.hint));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'The upload could not reach the server.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.')));
    xhr.send(file);
  });
}

/** Human text for an error code, used where the server's own message could be too terse. */
export function describeError(error) {
  if (!error) return 'Something went wrong.';
  const known = {
    forbidden: 'Your role does not allow this action.',
    parent_in_trash: 'Its project is in the Trash. Restore the project first.',
    restore_conflict: 'An active item already uses this URL. Choose a new URL to restore it.',
    not_in_trash: 'It is no longer in the Trash (restored or deleted meanwhile).',
    storage_quota_exceeded: 'The workspace storage quota is full.',
    web_only: 'Permanent deletion is only possible from the web app.',
    reauth_required: 'Permanent deletion needs your password again.',
    csrf_required: 'Your session expired. Reload the page and try again.',
    network: 'The server could not be reached.',
  };
  const message = error.message || known[error.code] || 'Something went wrong.';
  return message;
}
