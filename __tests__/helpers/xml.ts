/**
 * A strict, small XML reader for the tests of the JUnit report: it fails on
 * what a real parser (Jenkins' and GitLab's) fails on — a tag left open or
 * closed out of order, an attribute unquoted or repeated, a raw `<` or a
 * bare `&` in text or a value, a character XML 1.0 forbids — and returns
 * the element tree with the entities decoded.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bare & in ${where}: ${raw}`);
  if (raw.includes('<')) throw new Error(`raw < in ${where}: ${raw}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(raw)) throw new Error(`a control character in ${where}`);
  return raw.replace(ENTITY, (_, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : NAMED[e],
  );
}

function attributes(raw: string, tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  let rest = raw.trim();
  while (rest !== '') {
    const m = /^([A-Za-z_][\w.-]*)="([^"]*)"\s*/.exec(rest);
    if (!m) throw new Error(`bad attribute in <${tag}>: ${rest.slice(0, 60)}`);
    if (Object.hasOwn(attrs, m[1])) throw new Error(`attribute ${m[1]} repeated in <${tag}>`);
    attrs[m[1]] = decode(m[2], `<${tag} ${m[1]}>`);
    rest = rest.slice(m[0].length);
  }
  return attrs;
}

/** Parses `xml` (one root element after an optional declaration). @throws on anything not well formed. */
export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tokens = body.split(/(<[^>]*>)/);
  for (const token of tokens) {
    const top = stack[stack.length - 1];
    if (!token.startsWith('<')) {
      top.text += decode(token, `<${top.name}> text`);
      continue;
    }
    const close = /^<\/([\w.-]+)\s*>$/.exec(token);
    if (close) {
      if (close[1] !== top.name) throw new Error(`</${close[1]}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[^>]*?)?)(\/?)>$/.exec(token);
    if (!open) throw new Error(`bad tag ${token}`);
    const element: XmlElement = { name: open[1], attrs: attributes(open[2], open[1]), children: [], text: '' };
    top.children.push(element);
    if (open[3] !== '/') stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return root.children[0];
}
