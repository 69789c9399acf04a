/**
 * The character encoding of an XML envelope, decided from its bytes and its XML declaration before anything
 * else reads it (schemas/wire/README.md §XML). Accepted: UTF-8 (the default, BOM allowed), GBK and GB18030
 * (declared as `encoding="GBK"` / `"GB18030"`). Everything is decoded strictly (`fatal: true`), so bytes that
 * are not valid in the declared encoding are refused; a declaration that contradicts the bytes (a UTF-8 BOM
 * with a GBK declaration, UTF-8 text labelled GBK, UTF-16) is refused as well: `bad-encoding` (400).
 */
import { Problem } from '../../../src/lib/problem.js';

export type XmlEncoding = 'UTF-8' | 'GBK' | 'GB18030';

export interface DecodedXml {
  /** The document as Unicode text, XML declaration included, BOM removed. */
  text: string;
  /** The encoding the bytes were in. */
  encoding: XmlEncoding;
}

const ENCODINGS: Record<string, XmlEncoding> = { 'utf-8': 'UTF-8', utf8: 'UTF-8', gbk: 'GBK', gb18030: 'GB18030' };

/** `<?xml version="1.x" encoding="…" standalone="…"?>` read as ASCII (all three encodings agree on ASCII). */
const DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

function asciiPrefix(bytes: Uint8Array, max = 256): string {
  let s = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) break;
    s += String.fromCharCode(b);
  }
  return s;
}

const hasNonAscii = (bytes: Uint8Array) => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
};

function decodeStrict(bytes: Uint8Array, label: 'utf-8' | 'gbk' | 'gb18030'): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function decodeXml(input: Uint8Array): DecodedXml {
  let bytes = input;
  if (bytes.length >= 2 && ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe))) {
    throw new Problem('bad-encoding', 'the envelope starts with a UTF-16 byte order mark; send it in UTF-8, GBK or GB18030');
  }
  if (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0)) {
    throw new Problem('bad-encoding', 'the envelope looks like UTF-16 or UTF-32 (NUL bytes at its start); send it in UTF-8, GBK or GB18030');
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (bom) bytes = bytes.subarray(3);

  let declared: XmlEncoding | undefined;
  const head = asciiPrefix(bytes);
  if (head.startsWith('<?xml')) {
    const m = DECLARATION.exec(head);
    if (!m) {
      throw new Problem(
        'malformed-envelope',
        'the XML declaration is malformed; write it as <?xml version="1.0" encoding="UTF-8"?> (or encoding="GBK" / "GB18030")',
      );
    }
    if (m[3] !== undefined) {
      declared = ENCODINGS[m[3].toLowerCase()];
      if (!declared) throw new Problem('bad-encoding', `encoding "${m[3]}" is not accepted; use UTF-8, GBK or GB18030 and declare it in the XML declaration`);
    }
  }
  const encoding: XmlEncoding = declared ?? 'UTF-8';

  if (encoding === 'UTF-8') {
    const text = decodeStrict(bytes, 'utf-8');
    if (text === undefined) {
      throw new Problem(
        'bad-encoding',
        `the envelope ${declared ? 'declares' : 'has no encoding declaration, so it is read as'} UTF-8, but its bytes are not valid UTF-8; if it is GBK or GB18030, say so in the XML declaration`,
      );
    }
    return { text, encoding };
  }
  if (bom) throw new Problem('bad-encoding', `the envelope starts with a UTF-8 byte order mark but declares encoding="${encoding}"`);
  // GBK-labelled UTF-8 often decodes without error (into mojibake): real GBK/GB18030 Chinese text is almost
  // never valid UTF-8 as well, so non-ASCII bytes that are valid UTF-8 mean the declaration does not fit.
  if (hasNonAscii(bytes) && decodeStrict(bytes, 'utf-8') !== undefined) {
    throw new Problem(
      'bad-encoding',
      `the envelope declares encoding="${encoding}", but its bytes are UTF-8; declare encoding="UTF-8" (or send ${encoding} bytes)`,
    );
  }
  const text = decodeStrict(bytes, encoding === 'GBK' ? 'gbk' : 'gb18030');
  if (text === undefined) throw new Problem('bad-encoding', `the envelope declares encoding="${encoding}", but its bytes are not valid ${encoding}`);
  return { text, encoding };
}
