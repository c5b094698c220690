// One visitor of the portal over real HTTP: a cookie jar, forms read from the served HTML.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export const decode = (s) =>
  s.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : (ENTITIES[e] ?? m),
  );

export class Browser {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
  }

  async request(method, path, fields) {
    const headers = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body;
    if (fields) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(
        fields.flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      ).toString();
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get('location') ?? undefined;
    return {
      status: res.status,
      location: location && new URL(location, this.baseUrl).pathname + new URL(location, this.baseUrl).search,
      html: await res.text(),
    };
  }

  get(path) {
    return this.request('GET', path);
  }

  /** GET, following redirects on this site. */
  async open(path, hops = 5) {
    let page = await this.get(path);
    while (page.location && hops-- > 0) page = await this.get(page.location);
    return page;
  }

  /** Submits the POST form of `html` whose action ends with `actionEnd`, as shown, with `fields` changed. */
  submit(html, actionEnd, fields = {}) {
    const form = forms(html).find((f) => f.method === 'post' && f.action.endsWith(actionEnd));
    if (!form) throw new Error(`no form with action …${actionEnd} in:\n${html.slice(0, 3000)}`);
    const merged = [...form.fields.filter(([k]) => !(k in fields)), ...Object.entries(fields)];
    return this.request('POST', form.action, merged);
  }

  async signIn(username, password) {
    const page = await this.get('/login');
    return this.submit(page.html, '/login', { username, password });
  }
}

export function forms(html) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attrs, inner]) => ({
    method: (/method="([^"]*)"/i.exec(attrs)?.[1] ?? 'get').toLowerCase(),
    action: decode(/action="([^"]*)"/.exec(attrs)?.[1] ?? ''),
    // What a browser would send untouched: named inputs with a value, checked boxes and radios.
    fields: [...inner.matchAll(/<input\b[^>]*>/gi)]
      .map(([input]) => ({
        input,
        type: (/type="([^"]*)"/.exec(input)?.[1] ?? 'text').toLowerCase(),
        name: /name="([^"]*)"/.exec(input)?.[1],
      }))
      .filter(
        ({ input, type, name }) =>
          name &&
          !['submit', 'button', 'file'].includes(type) &&
          (!['checkbox', 'radio'].includes(type) || /\schecked\b/.test(input)),
      )
      .map(({ input, type, name }) => [
        decode(name),
        decode(/value="([^"]*)"/.exec(input)?.[1] ?? (type === 'checkbox' ? 'on' : '')),
      ]),
  }));
}

/** Visible text of a page, for assertions on what a person reads. */
export const text = (html) =>
  decode(html.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/** The submit buttons named `name` of a page, with the text a screen reader announces for each. */
export const buttons = (html, name) =>
  [...html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)]
    .filter(([, attrs]) => attrs.includes(`name="${name}"`))
    .map(([, attrs, inner]) => ({
      value: decode(/value="([^"]*)"/.exec(attrs)?.[1] ?? ''),
      label: text(inner).trim(),
    }));

/** The value of the button whose announced text mentions `label`. */
export const buttonFor = (html, name, label) => Number(buttons(html, name).find((b) => b.label.includes(label))?.value);
