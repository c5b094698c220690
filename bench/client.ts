const isModulePath = (path: string) => path.startsWith('/account/');

/**
 * A minimal browser for the benchmark: one session cookie, and from the last pages read the
 * portal's and the module's CSRF tokens (each checks its own) and the account the forms were shown for.
 */
export class BenchClient {
  cookie = '';
  csrf = '';
  moduleCsrf = '';
  accountId = '';

  constructor(readonly base: string) {}

  private remember(res: Response): void {
    const set = res.headers.getSetCookie?.() ?? [];
    for (const c of set) if (c.startsWith('portal.sid=')) this.cookie = c.split(';')[0];
  }

  async get(path: string): Promise<{ status: number; text: string; location: string | null }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.remember(res);
    const text = await res.text();
    for (const form of text.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
      const token = /name="_csrf" value="([^"]+)"/.exec(form[2])?.[1];
      if (token && isModulePath(form[1])) this.moduleCsrf = token;
      else if (token) this.csrf = token;
      const accountId = /name="accountId" value="([^"]+)"/.exec(form[2])?.[1];
      if (accountId && !form[1].endsWith('/switch')) this.accountId = accountId;
    }
    return { status: res.status, text, location: res.headers.get('location') };
  }

  async post(
    path: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; location: string | null; text: string }> {
    const bound: Record<string, string> = isModulePath(path) && this.accountId ? { accountId: this.accountId } : {};
    const body = new URLSearchParams({
      _csrf: isModulePath(path) ? this.moduleCsrf : this.csrf,
      ...bound,
      ...fields,
    }).toString();
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  /** Signs in through the login form; returns where the portal sent the user next. */
  async login(email: string, password: string): Promise<string> {
    await this.get('/login');
    const res = await this.post('/login', { email, password });
    if (res.status !== 303) throw new Error(`login of ${email} answered ${res.status}`);
    await this.get(res.location ?? '/');
    return res.location ?? '/';
  }
}
