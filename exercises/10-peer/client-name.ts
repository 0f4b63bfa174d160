/**
 * Which program a peer runs, read from its peer_id (BEP 20). Most clients
 * start their peer_id with a tag, in one of two styles:
 *
 *   Azureus style:  -qB4650-…    '-', two letters for the client, four for the version, '-'
 *   Mainline style: M7-4-3--…    one letter, then the version with '-' between numbers
 *
 * The rest is random. Given complete: the same file in exercises/ and solutions/.
 */

/** Our own tag: wirelab 0.1.0. */
export const WIRELAB_PEER_ID_PREFIX = '-WL0100-';

/** Azureus-style client codes (BEP 20's table and what is common today). */
const AZUREUS_CODES: Record<string, string> = {
  AZ: 'Vuze',
  BC: 'BitComet',
  BT: 'BitTorrent',
  DE: 'Deluge',
  FD: 'Free Download Manager',
  KT: 'KTorrent',
  LT: 'libtorrent (Rasterbar)',
  lt: 'libTorrent (rakshasa)',
  qB: 'qBittorrent',
  TR: 'Transmission',
  UT: 'µTorrent',
  UW: 'µTorrent Web',
  WD: 'WebTorrent Desktop',
  WW: 'WebTorrent',
  WL: 'wirelab',
};

/** Mainline-style single-letter codes. */
const MAINLINE_CODES: Record<string, string> = { M: 'BitTorrent (mainline)', A: 'ABC', O: 'Osprey', Q: 'BTQueue', R: 'Tribler', S: 'Shadow', T: 'BitTornado' };

/**
 * A readable client name with its version (`qBittorrent 4.6.5`, `aria2 1.36.0`),
 * or undefined when the peer_id follows no style we know.
 */
export function clientName(peerId: Uint8Array): string | undefined {
  const text = Buffer.from(peerId).toString('latin1');
  const azureus = /^-([A-Za-z~]{2})([0-9A-Za-z]{4})-/.exec(text);
  if (azureus) {
    const name = AZUREUS_CODES[azureus[1]!];
    if (name === undefined) return undefined;
    const version = [...azureus[2]!].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('.');
    return `${name} ${version.replace(/(\.0)+$/, '') || '0'}`;
  }
  // aria2: "A2-1-36-0-" (its own variant of the mainline style).
  const aria2 = /^A2-(\d+)-(\d+)-(\d+)-/.exec(text);
  if (aria2) return `aria2 ${aria2[1]}.${aria2[2]}.${aria2[3]}`;
  const mainline = /^([A-Z])(\d+)-(\d+)-(\d+)-/.exec(text);
  if (mainline && MAINLINE_CODES[mainline[1]!] !== undefined) return `${MAINLINE_CODES[mainline[1]!]} ${mainline[2]}.${mainline[3]}.${mainline[4]}`;
  return undefined;
}
