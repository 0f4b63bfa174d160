/**
 * A small, strict XML reader for tests: it checks that a document is
 * well-formed (every tag closed in order, attributes quoted and not
 * repeated, only known entities, one root element) and returns the element
 * tree, so a test can look for an element and read its attributes. It reads
 * character by character, without regular expressions; it does not support
 * DTDs (an SVG needs none).
 */

/** An element: its name, attributes (entities decoded), children and text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), children's text not included. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const isNameChar = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || c === ':' || c === '.');
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Parses `source`; throws an Error naming the offset and what is wrong if it is not well-formed XML. */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`not well-formed XML at offset ${at}: ${what} (…${source.slice(Math.max(0, at - 30), at + 30)}…)`);
  };
  const expectText = (s: string): void => {
    if (!source.startsWith(s, at)) fail(`expected ${JSON.stringify(s)}`);
    at += s.length;
  };
  const skipSpace = (): void => {
    while (isSpace(source[at])) at++;
  };
  const name = (): string => {
    const start = at;
    while (isNameChar(source[at])) at++;
    if (at === start) fail('expected a name');
    return source.slice(start, at);
  };
  const decode = (raw: string): string => {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '<') fail('a raw < in text or an attribute');
      if (raw[i] !== '&') {
        out += raw[i];
        continue;
      }
      const end = raw.indexOf(';', i);
      if (end < 0) fail('an & that starts no entity');
      const entity = raw.slice(i + 1, end);
      if (entity.startsWith('#x')) out += String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
      else if (entity.startsWith('#')) out += String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
      else if (ENTITIES[entity] !== undefined) out += ENTITIES[entity];
      else fail(`unknown entity &${entity};`);
      i = end;
    }
    return out;
  };
  const skipPast = (marker: string, what: string): void => {
    const end = source.indexOf(marker, at);
    if (end < 0) fail(`an unclosed ${what}`);
    at = end + marker.length;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<?', at)) skipPast('?>', 'processing instruction');
      else if (source.startsWith('<!--', at)) skipPast('-->', 'comment');
      else return;
    }
  };
  const element = (): XmlElement => {
    expectText('<');
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const hadSpace = isSpace(source[at]);
      skipSpace();
      if (source.startsWith('/>', at)) return (at += 2), el;
      if (source[at] === '>') break;
      if (!hadSpace) fail('attributes must be separated by white space');
      const attr = name();
      if (attr in el.attrs) fail(`attribute ${attr} repeated`);
      skipSpace();
      expectText('=');
      skipSpace();
      const quote = source[at];
      if (quote !== '"' && quote !== "'") fail(`the value of ${attr} is not quoted`);
      const end = source.indexOf(quote!, at + 1);
      if (end < 0) fail('an unclosed attribute value');
      el.attrs[attr] = decode(source.slice(at + 1, end));
      at = end + 1;
    }
    at++;
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail(`<${el.name}> is never closed`);
      el.text += decode(source.slice(at, next));
      at = next;
      if (source.startsWith('</', at)) {
        at += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        expectText('>');
        return el;
      }
      if (source.startsWith('<!--', at)) skipPast('-->', 'comment');
      else if (source.startsWith('<![CDATA[', at)) {
        const end = source.indexOf(']]>', at);
        if (end < 0) fail('an unclosed CDATA section');
        el.text += source.slice(at + 9, end);
        at = end + 3;
      } else el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (at !== source.length) fail('content after the root element');
  return root;
}

/** Every element of the tree (depth first) for which `test` holds. */
export function findAll(root: XmlElement, test: (el: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (el: XmlElement): void => {
    if (test(el)) found.push(el);
    el.children.forEach(visit);
  };
  visit(root);
  return found;
}
