/**
 * Text and attribute values inside SVG and HTML: the five characters XML
 * reserves are escaped, and characters XML 1.0 forbids altogether (control
 * characters other than tab and newlines, unpaired surrogates) become U+FFFD.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if ((code < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r') || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) out += '\uFFFD';
    else out += ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : ch === "'" ? '&#39;' : ch;
  }
  return out;
}
