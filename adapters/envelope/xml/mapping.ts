/**
 * The one place where the XML envelope's Manifest element and the JSON manifest (schemas/api/manifest.ts)
 * meet. The XSD (schemas/wire/xml/delivery.xsd) spells the same element names; test/xml-envelope.test.ts
 * checks that the two agree.
 *
 * Rules: one element per JSON key, PascalCase, in the namespace urn:fuyuan:wire:delivery:v1; arrays are a
 * wrapper element with one child per item (Plaintiffs/Plaintiff, Attachments/Attachment, …); `size` is an
 * integer and `headAppearanceRequired` a boolean (true|false|1|0); an absent element is an absent key. The
 * mapping is strict: an unknown or repeated element, an attribute (other than Id on Manifest) or text where
 * elements belong is an `invalid-manifest` naming the JSON path. Values are otherwise passed on as written,
 * and the manifest schema (zod) judges them exactly as for JSON.
 */
import xml2js from 'xml2js';
import { Problem } from '../../../src/lib/problem.js';

export const WIRE_NS = 'urn:fuyuan:wire:delivery:v1';

type Leaf = { kind: 'string' } | { kind: 'int' } | { kind: 'bool' };
interface Obj {
  kind: 'object';
  fields: Field[];
}
type Spec = Leaf | Obj;
interface Field {
  json: string;
  xml: string;
  spec: Spec;
  /** Present for arrays: the item element's name (the field's element is the wrapper). */
  item?: string;
}

const str: Leaf = { kind: 'string' };
const int: Leaf = { kind: 'int' };
const bool: Leaf = { kind: 'bool' };
const obj = (...fields: Field[]): Obj => ({ kind: 'object', fields });
const f = (json: string, xml: string, spec: Spec): Field => ({ json, xml, spec });
const list = (json: string, xml: string, item: string, spec: Spec): Field => ({ json, xml, spec, item });

const PARTY = obj(f('name', 'Name', str), f('unitCode', 'UnitCode', str), f('regionCode', 'RegionCode', str));

/** The Manifest element's content, in XSD sequence order. */
export const MANIFEST_SPEC: Obj = obj(
  f('messageId', 'MessageId', str),
  f('sender', 'Sender', obj(f('type', 'Type', str), f('code', 'Code', str))),
  f('issuedAt', 'IssuedAt', str),
  list(
    'documents',
    'Documents',
    'Document',
    obj(
      f('documentId', 'DocumentId', str),
      f('type', 'Type', str),
      f('title', 'Title', str),
      f(
        'case',
        'Case',
        obj(
          f('caseNumber', 'CaseNumber', str),
          f('court', 'Court', obj(f('code', 'Code', str), f('name', 'Name', str))),
          f('instance', 'Instance', str),
          list('priorCaseNumbers', 'PriorCaseNumbers', 'CaseNumber', str),
          f('priorCourtCode', 'PriorCourtCode', str),
          list('plaintiffs', 'Plaintiffs', 'Plaintiff', obj(f('name', 'Name', str))),
          list('defendants', 'Defendants', 'Defendant', PARTY),
          f(
            'challengedAct',
            'ChallengedAct',
            obj(
              f('description', 'Description', str),
              list('actingUnits', 'ActingUnits', 'ActingUnit', PARTY),
              f('kind', 'Kind', str),
              f('actedOn', 'ActedOn', str),
              f('domain', 'Domain', str),
            ),
          ),
          f('administrativeReview', 'AdministrativeReview', obj(f('organ', 'Organ', PARTY), f('outcome', 'Outcome', str), f('decidedOn', 'DecidedOn', str))),
        ),
      ),
      f('hearing', 'Hearing', obj(f('at', 'At', str), f('place', 'Place', str), f('headAppearanceRequired', 'HeadAppearanceRequired', bool))),
      f(
        'outcome',
        'Outcome',
        obj(f('result', 'Result', str), f('lossKind', 'LossKind', str), f('effectiveOn', 'EffectiveOn', str), f('performanceDueOn', 'PerformanceDueOn', str)),
      ),
      f('replyDueOn', 'ReplyDueOn', str),
      f('decisionEffectiveOn', 'DecisionEffectiveOn', str),
      list(
        'attachments',
        'Attachments',
        'Attachment',
        obj(
          f('id', 'Id', str),
          f('filename', 'Filename', str),
          f('mediaType', 'MediaType', str),
          f('size', 'Size', int),
          f('sha256', 'Sha256', str),
          f('content', 'Content', str),
        ),
      ),
    ),
  ),
);

/** Every complex element name → its child element names in order (for the XSD agreement test). */
export function elementTable(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (name: string, spec: Obj) => {
    const prev = out.get(name);
    const children = spec.fields.map((x) => x.xml);
    if (prev && prev.join() !== children.join()) out.set(`${name}#2`, children);
    else out.set(name, children);
    for (const x of spec.fields) {
      if (x.item) {
        out.set(x.xml, [x.item]);
        if (x.spec.kind === 'object') walk(x.item, x.spec);
      } else if (x.spec.kind === 'object') walk(x.xml, x.spec);
    }
  };
  walk('Manifest', MANIFEST_SPEC);
  return out;
}

// ------------------------------------------------------------------ JSON → XML (court side, examples, tests)

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
const escAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');

function leafText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TypeError(`cannot write ${typeof v} as XML text`);
}

/**
 * The Manifest element for a JSON manifest (unknown keys are an error, so nothing is silently dropped).
 * `indent` pretty-prints with that many spaces (the whitespace is signed like everything else in Manifest).
 */
export function manifestToXml(manifest: unknown, opts: { id?: string; indent?: number; xmlns?: boolean } = {}): string {
  const ind = opts.indent ?? 0;
  const nl = (depth: number) => (ind ? `\n${' '.repeat(ind * depth)}` : '');
  const writeObj = (value: unknown, spec: Obj, depth: number, path: string): string => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${path || '(root)'}: expected an object`);
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec))
      if (rec[k] !== undefined && !spec.fields.some((x) => x.json === k)) throw new TypeError(`${path}.${k}: no XML element for this key`);
    let out = '';
    for (const x of spec.fields) {
      const v = rec[x.json];
      if (v === undefined) continue;
      out += nl(depth) + writeField(x, v, depth, path ? `${path}.${x.json}` : x.json);
    }
    return out + nl(depth - 1);
  };
  const writeValue = (name: string, v: unknown, spec: Spec, depth: number, path: string): string =>
    spec.kind === 'object' ? `<${name}>${writeObj(v, spec, depth + 1, path)}</${name}>` : `<${name}>${escText(leafText(v))}</${name}>`;
  const writeField = (x: Field, v: unknown, depth: number, path: string): string => {
    if (!x.item) return writeValue(x.xml, v, x.spec, depth, path);
    if (!Array.isArray(v)) throw new TypeError(`${path}: expected an array`);
    if (v.length === 0) return `<${x.xml}/>`;
    return `<${x.xml}>${v.map((item, i) => nl(depth + 1) + writeValue(x.item!, item, x.spec, depth + 1, `${path}.${i}`)).join('')}${nl(depth)}</${x.xml}>`;
  };
  const ns = opts.xmlns === false ? '' : ` xmlns="${WIRE_NS}"`;
  return `<Manifest${ns} Id="${escAttr(opts.id ?? 'manifest')}">${writeObj(manifest, MANIFEST_SPEC, 1, '')}</Manifest>`;
}

// ------------------------------------------------------------------ XML → JSON (the gateway side)

interface XNode {
  '#name': string;
  $ns?: { uri: string; local: string };
  $?: Record<string, { name: string; value: string; prefix: string; local: string; uri: string }>;
  _?: string;
  $$?: XNode[];
}

const XMLNS_URI = 'http://www.w3.org/2000/xmlns/';

function bad(path: string, message: string): Problem {
  const p = path || '(root)';
  return new Problem('invalid-manifest', `the Manifest element does not map to the manifest: ${p}: ${message}`, { errors: [{ path, message }] });
}

function checkAttributes(node: XNode, path: string, allowed: string[] = []) {
  for (const a of Object.values(node.$ ?? {})) {
    if (a.uri === XMLNS_URI || a.name === 'xmlns') continue;
    if (a.uri === '' && allowed.includes(a.local)) continue;
    throw bad(path, `attribute ${a.name} is not part of the envelope (only elements carry values)`);
  }
}

function readLeaf(node: XNode, spec: Leaf, path: string): unknown {
  checkAttributes(node, path);
  if (node.$$?.length) throw bad(path, `<${node.$ns?.local}> holds a value, not elements`);
  const text = node._ ?? '';
  if (spec.kind === 'int') return /^\s*\d{1,15}\s*$/.test(text) ? Number(text.trim()) : text;
  if (spec.kind === 'bool') {
    const t = text.trim();
    return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : text;
  }
  return text;
}

function children(node: XNode, path: string): XNode[] {
  if (node._ !== undefined && node._.trim() !== '') throw bad(path, `text where only elements belong: "${node._.trim().slice(0, 40)}"`);
  const out = node.$$ ?? [];
  for (const c of out) {
    if (c.$ns?.uri !== WIRE_NS) throw bad(path, `element <${c['#name']}> is not in the namespace ${WIRE_NS}`);
  }
  return out;
}

function readValue(node: XNode, spec: Spec, path: string): unknown {
  return spec.kind === 'object' ? readObj(node, spec, path) : readLeaf(node, spec, path);
}

function readObj(node: XNode, spec: Obj, path: string, allowedAttrs: string[] = []): Record<string, unknown> {
  checkAttributes(node, path, allowedAttrs);
  const out: Record<string, unknown> = {};
  for (const c of children(node, path)) {
    const local = c.$ns!.local;
    const x = spec.fields.find((fl) => fl.xml === local);
    const at = path ? `${path}.${x?.json ?? local}` : (x?.json ?? local);
    if (!x) throw bad(at, `unknown element <${local}> in <${node.$ns?.local}>`);
    if (x.json in out) throw bad(at, `<${local}> appears twice`);
    if (x.item) {
      checkAttributes(c, at);
      out[x.json] = children(c, at).map((item, i) => {
        if (item.$ns!.local !== x.item) throw bad(`${at}.${i}`, `<${x.xml}> may hold only <${x.item}> elements, not <${item.$ns!.local}>`);
        return readValue(item, x.spec, `${at}.${i}`);
      });
    } else out[x.json] = readValue(c, x.spec, at);
  }
  return out;
}

/**
 * The manifest (unvalidated JSON value) from the canonical XML of the signed Manifest element, parsed with
 * xml2js. Throws `invalid-manifest` for content that does not map, `malformed-envelope` for XML it cannot read.
 */
export async function manifestFromXml(signedXml: string): Promise<{ id: string; manifest: Record<string, unknown> }> {
  let root: Record<string, XNode>;
  try {
    root = (await xml2js.parseStringPromise(signedXml, {
      xmlns: true,
      explicitChildren: true,
      preserveChildrenOrder: true,
      explicitArray: true,
      charsAsChildren: false,
      includeWhiteChars: false,
      trim: false,
      normalize: false,
      strict: true,
      async: false,
    })) as Record<string, XNode>;
  } catch (e) {
    throw new Problem('malformed-envelope', `the signed Manifest element could not be read: ${(e as Error).message.split('\n')[0]}`);
  }
  const top = Object.values(root)[0];
  if (!top || top.$ns?.uri !== WIRE_NS || top.$ns.local !== 'Manifest')
    throw new Problem('malformed-envelope', `the signed element is not a <Manifest> in ${WIRE_NS}`);
  const id = Object.values(top.$ ?? {}).find((a) => a.uri === '' && a.local === 'Id')?.value ?? '';
  return { id, manifest: readObj(top, MANIFEST_SPEC, '', ['Id']) };
}
