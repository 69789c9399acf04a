/**
 * The pre-parse guard of XML envelopes: one linear pass over the decoded text BEFORE any DOM or xml2js parse,
 * so that hostile input is refused before parsing work can grow.
 *
 * - No DTD (`<!DOCTYPE`), so no entity declarations, no external entities, no entity expansion
 *   (billion laughs); no other `<!…>` declaration; no processing instruction besides the XML declaration.
 *   Refused as `hostile-xml` (400).
 * - Entity references: only the five predefined ones (&lt; &gt; &amp; &quot; &apos;) and character
 *   references; any other `&name;` is refused as `hostile-xml`.
 * - Limits (each refused as `xml-limit-exceeded`, 400, naming the limit): nesting depth, number of elements,
 *   attributes per element, characters per text node / attribute value / comment, and the larger allowance
 *   for the text of an inline attachment (`Attachment/Content`, base64).
 *
 * Well-formedness beyond this (matching tags, one root, names) is left to the parser; the guard only has to
 * be exact about what it counts.
 */
import { Problem } from '../../../src/lib/problem.js';

export interface XmlLimits {
  /** Deepest element nesting (the envelope needs 9; KeyInfo adds nothing deeper). */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
  /** Attributes (namespace declarations included) on one element. */
  maxAttributes: number;
  /** Characters in one text node, CDATA section, attribute value or comment. */
  maxTextChars: number;
  /** Characters in the text of a `Content` element (inline attachment, base64). */
  maxContentChars: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxDepth: 24,
  maxElements: 50_000,
  maxAttributes: 16,
  maxTextChars: 64 * 1024,
  maxContentChars: 64 * 1024 * 1024,
};

export interface GuardStats {
  elements: number;
  maxDepthSeen: number;
}

const ENTITY = /&(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;
const NAMED_ENTITY = /&([A-Za-z_:][A-Za-z0-9._:-]*);/y;
const DECL_NAME = /<!([A-Za-z]+)/y;

const limit = (what: string, max: number, detail: string) => new Problem('xml-limit-exceeded', `${detail} (limit: ${max} ${what})`, { limit: what, max });

const hostile = (detail: string) => new Problem('hostile-xml', detail);
const malformed = (detail: string) => new Problem('malformed-envelope', `the envelope is not well-formed XML: ${detail}`);

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Check text (a text node or an attribute value) between from and to: its size and its entity references. */
function checkText(s: string, from: number, to: number, max: number, where: string) {
  if (to - from > max)
    throw limit(
      where === 'Content' ? 'characters of inline attachment content' : 'characters per text',
      max,
      `a text node or value in <${where}> has ${to - from} characters`,
    );
  for (let p = s.indexOf('&', from); p !== -1 && p < to; p = s.indexOf('&', p + 1)) {
    ENTITY.lastIndex = p;
    if (ENTITY.test(s)) continue;
    NAMED_ENTITY.lastIndex = p;
    const m = NAMED_ENTITY.exec(s);
    if (m) throw hostile(`entity reference &${m[1]}; in <${where}>: entities are not accepted (only &lt; &gt; &amp; &quot; &apos; and character references)`);
    throw malformed(`a bare "&" in <${where}> (write &amp;)`);
  }
}

export function guardXml(s: string, limits: XmlLimits = DEFAULT_XML_LIMITS): GuardStats {
  const n = s.length;
  let i = 0;
  if (s.startsWith('<?xml')) {
    const end = s.indexOf('?>');
    if (end === -1) throw malformed('the XML declaration is not closed');
    i = end + 2;
  }
  const stack: string[] = [];
  let elements = 0;
  let maxDepthSeen = 0;
  const current = () => stack[stack.length - 1] ?? '(document)';
  const textMax = () => (current() === 'Content' ? limits.maxContentChars : limits.maxTextChars);

  while (i < n) {
    const lt = s.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      if (stack.length === 0) {
        for (let k = i; k < end; k++) if (!isSpace(s.charCodeAt(k))) throw malformed('text outside the root element');
      } else checkText(s, i, end, textMax(), current());
    }
    if (lt === -1) break;
    const c = s.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (s.startsWith('<!--', lt)) {
        const close = s.indexOf('-->', lt + 4);
        if (close === -1) throw malformed('a comment is not closed');
        if (close - lt - 4 > limits.maxTextChars) throw limit('characters per comment', limits.maxTextChars, `a comment has ${close - lt - 4} characters`);
        i = close + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', lt)) {
        if (stack.length === 0) throw malformed('a CDATA section outside the root element');
        const close = s.indexOf(']]>', lt + 9);
        if (close === -1) throw malformed('a CDATA section is not closed');
        if (close - lt - 9 > textMax()) throw limit('characters per text', textMax(), `a CDATA section in <${current()}> has ${close - lt - 9} characters`);
        i = close + 3;
        continue;
      }
      DECL_NAME.lastIndex = lt;
      const m = DECL_NAME.exec(s);
      const what = m?.[1]?.toUpperCase() ?? '';
      throw hostile(
        what === 'DOCTYPE'
          ? 'the envelope has a document type declaration (<!DOCTYPE …>): DTDs are not accepted, so neither are entity declarations or external entities'
          : `the envelope has a markup declaration (<!${what || '…'} …>): DTDs, entity and other declarations are not accepted`,
      );
    }
    if (c === 0x3f /* ? */) {
      throw hostile('the envelope has a processing instruction (<?…?>) other than the XML declaration at its very start: not accepted');
    }
    if (c === 0x2f /* / */) {
      const gt = s.indexOf('>', lt + 2);
      if (gt === -1) throw malformed('an end tag is not closed');
      if (stack.length === 0) throw malformed('an end tag without a start tag');
      stack.pop();
      i = gt + 1;
      continue;
    }
    // A start tag: its name, then its attributes.
    let j = lt + 1;
    while (j < n) {
      const ch = s.charCodeAt(j);
      if (isSpace(ch) || ch === 0x3e /* > */ || ch === 0x2f /* / */) break;
      j++;
    }
    if (j === lt + 1) throw malformed('"<" not followed by a name (write &lt;)');
    const qname = s.slice(lt + 1, j);
    const colon = qname.indexOf(':');
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    if (++elements > limits.maxElements) throw limit('elements', limits.maxElements, `the envelope has more than ${limits.maxElements} elements`);
    let attributes = 0;
    let selfClosing = false;
    for (;;) {
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) throw malformed(`the start tag <${qname}> is not closed`);
      const ch = s.charCodeAt(j);
      if (ch === 0x3e) {
        j++;
        break;
      }
      if (ch === 0x2f) {
        if (s.charCodeAt(j + 1) !== 0x3e) throw malformed(`"/" inside the start tag <${qname}>`);
        selfClosing = true;
        j += 2;
        break;
      }
      const nameStart = j;
      while (j < n) {
        const a = s.charCodeAt(j);
        if (isSpace(a) || a === 0x3d /* = */ || a === 0x3e || a === 0x2f) break;
        j++;
      }
      if (j === nameStart) throw malformed(`an attribute without a name in <${qname}>`);
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 0x3d) throw malformed(`attribute ${s.slice(nameStart, j)} in <${qname}> has no value`);
      j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      const quote = s.charCodeAt(j);
      if (quote !== 0x22 && quote !== 0x27) throw malformed(`an attribute value in <${qname}> is not quoted`);
      const close = s.indexOf(quote === 0x22 ? '"' : "'", j + 1);
      if (close === -1) throw malformed(`an attribute value in <${qname}> is not closed`);
      if (++attributes > limits.maxAttributes)
        throw limit('attributes per element', limits.maxAttributes, `<${qname}> has more than ${limits.maxAttributes} attributes`);
      const lt2 = s.indexOf('<', j + 1);
      if (lt2 !== -1 && lt2 < close) throw malformed(`"<" in an attribute value of <${qname}>`);
      checkText(s, j + 1, close, limits.maxTextChars, qname);
      j = close + 1;
    }
    if (!selfClosing) {
      stack.push(local);
      if (stack.length > limits.maxDepth) throw limit('levels of nesting', limits.maxDepth, `elements are nested more than ${limits.maxDepth} deep`);
      if (stack.length > maxDepthSeen) maxDepthSeen = stack.length;
    } else if (stack.length + 1 > maxDepthSeen) {
      if (stack.length + 1 > limits.maxDepth) throw limit('levels of nesting', limits.maxDepth, `elements are nested more than ${limits.maxDepth} deep`);
      maxDepthSeen = stack.length + 1;
    }
    i = j;
  }
  if (stack.length) throw malformed(`<${current()}> is not closed`);
  if (elements === 0) throw malformed('no root element');
  return { elements, maxDepthSeen };
}
