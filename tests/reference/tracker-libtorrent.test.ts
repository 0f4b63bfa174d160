/**
 * The reference tracker with a real BitTorrent engine: libtorrent-rasterbar
 * (the engine of qBittorrent and Deluge), through its Python binding. Two
 * libtorrent sessions join one swarm by magnet link, over the UDP tracker and
 * then over the HTTP tracker: the first hears of nobody, the second hears of
 * the first and connects to it at the address and port the tracker handed out.
 *
 * Runs where `python3 -c "import libtorrent"` works (Debian/Ubuntu:
 * `apt-get install python3-libtorrent`); skipped elsewhere, since no npm
 * package brings a tracker client that installs cleanly.
 */
import { describe, expect, test } from 'vitest';
import { startTracker } from '@impl/09-tracker/tracker.ts';
import { closeAfterEach } from '../helpers/cleanup.ts';
import { findLibtorrentPython, runPythonJsonLines } from '../helpers/python-libtorrent.ts';

const python = findLibtorrentPython();

/** Two sessions, one after the other; prints one JSON line per fact. */
const SCRIPT = String.raw`
import json, sys, time
import libtorrent as lt
tracker, info_hash = sys.argv[1], sys.argv[2]
def say(**kw): print(json.dumps(kw), flush=True)
def session():
    return lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
        "enable_upnp": False, "enable_natpmp": False, "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.tracker_notification | lt.alert.category_t.error_notification})
def join(s, who):
    p = lt.parse_magnet_uri(f"magnet:?xt=urn:btih:{info_hash}&tr={tracker}")
    p.save_path = "/tmp"
    h = s.add_torrent(p)
    deadline = time.time() + 8
    while time.time() < deadline:
        s.wait_for_alert(200)
        for a in s.pop_alerts():
            name = type(a).__name__
            if name == "tracker_reply_alert":
                say(who=who, event="reply", peers=a.num_peers)
                return h
            if name == "tracker_error_alert":
                say(who=who, event="error", message=a.message())
                return h
    say(who=who, event="timeout")
    return h
a = session(); join(a, "a")
b = session(); hb = join(b, "b")
deadline = time.time() + 5
seen = []
while time.time() < deadline:
    seen = [p.ip[1] for p in hb.get_peer_info()]
    if a.listen_port() in seen: break
    time.sleep(0.1)
say(who="b", event="connected", to_a=a.listen_port() in seen, a_port=a.listen_port(), seen=seen)
`;

const track = closeAfterEach();

interface Fact {
  who: string;
  event: string;
  peers?: number;
  message?: string;
  to_a?: boolean;
}

describe.skipIf(python === undefined)('reference tracker with libtorrent', () => {
  for (const transport of ['udp', 'http'] as const) {
    test(`two libtorrent sessions find each other over the ${transport.toUpperCase()} tracker`, async () => {
      const t = track(await startTracker({ host: '127.0.0.1', port: 0 }));
      const url = `${transport}://127.0.0.1:${t.udpPort}/announce`;
      const infoHash = (transport === 'udp' ? '5a' : 'a5').repeat(20);
      const facts = await runPythonJsonLines<Fact>(python!, SCRIPT, [url, infoHash], 25_000);
      expect(facts.find((f) => f.who === 'a' && f.event !== 'connected'), 'the first session is answered, with nobody yet')
        .toMatchObject({ event: 'reply', peers: 0 });
      expect(facts.find((f) => f.who === 'b' && f.event !== 'connected'), 'the second session hears of the first')
        .toMatchObject({ event: 'reply', peers: 1 });
      expect(facts.find((f) => f.event === 'connected'), 'and connects to it at the port the tracker gave').toMatchObject({ to_a: true });
    }, 40_000);
  }
});
