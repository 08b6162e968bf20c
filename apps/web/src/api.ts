/** The browser's client of the Chancery HTTP API: the same routes any client uses. */
export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  office: string | null;
  postCode: string | null;
  clearance: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { detail?: string; errors?: { field: string; message: string }[] },
  ) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

const TOKEN = 'chancery.token';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN);
  },
  set token(value: string | null) {
    if (value) sessionStorage.setItem(TOKEN, value);
    else sessionStorage.removeItem(TOKEN);
  },
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && path !== '/auth/login') {
    session.token = null;
    location.hash = '#/sign-in';
  }
  const text = await response.text();
  const json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new ApiError(response.status, typeof json === 'object' ? json : { detail: String(json) });
  return json as T;
}

/** Downloads a CSV export with the caller's token, as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) throw new ApiError(response.status, { detail: `Export failed (${response.status})` });
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}
