/**
 * The piece store and libtorrent-rasterbar agree on what is on disk:
 *   - a download our store wrote block by block, in a scrambled order, is a
 *     complete seed to libtorrent (same folder layout, same bytes);
 *   - a torrent libtorrent made (it orders files its own way) opens as a seed
 *     in our store, and after damage (a flipped byte, a deleted file) both
 *     name the same pieces good and bad.
 * libtorrent runs in upload mode: it checks the files and writes nothing.
 * Skipped where python3 cannot import libtorrent.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readMetainfo } from '@impl/08-metainfo/read-metainfo.ts';
import { openPieceStore } from '@impl/10-peer/piece-store.ts';
import { BLOCK_LENGTH } from '@impl/10-peer/types.ts';
import { seededBytes, tempDirEachTest } from '../helpers/metainfo.ts';
import { findLibtorrentPython, runPythonJsonLines } from '../helpers/python-libtorrent.ts';
import { makeTorrent } from '../helpers/torrent-files.ts';

const python = findLibtorrentPython();
const temp = tempDirEachTest('wirelab-store-lt-');

/** `check TORRENT DIR`: libtorrent's verdict per piece. `create FOLDER OUT PIECE_LENGTH`: a v1 torrent. */
const SCRIPT = String.raw`
import json, os, sys, time
import libtorrent as lt
mode = sys.argv[1]
if mode == "create":
    folder, out, piece = sys.argv[2], sys.argv[3], int(sys.argv[4])
    fs = lt.file_storage()
    lt.add_files(fs, folder)
    ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v1_only)
    ct.add_tracker("http://127.0.0.1:6969/announce")
    lt.set_piece_hashes(ct, os.path.dirname(folder))
    open(out, "wb").write(lt.bencode(ct.generate()))
    print(json.dumps({"created": out}))
else:
    torrent, save = sys.argv[2], sys.argv[3]
    s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
        "enable_upnp": False, "enable_natpmp": False})
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = save
    p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    p.flags |= lt.torrent_flags.upload_mode
    h = s.add_torrent(p)
    deadline = time.time() + 20
    while time.time() < deadline and h.status().state in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
        time.sleep(0.05)
    st = h.status()
    print(json.dumps({"pieces": "".join("1" if x else "0" for x in st.pieces), "seeding": st.is_seeding, "state": str(st.state)}))
`;

interface Verdict {
  pieces: string;
  seeding: boolean;
  state: string;
}

const FILES = {
  'a.txt': seededBytes('a', 40_000),
  'empty.bin': Buffer.alloc(0),
  'sub/c.dat': seededBytes('c', 30_000),
  'sub/z.txt': seededBytes('z', 9_000),
};

describe.skipIf(python === undefined)('piece store with libtorrent', () => {
  test('a download our store wrote in any order is a complete seed to libtorrent', async () => {
    const t = await makeTorrent(temp.dir, 'album', FILES, 16_384);
    const dl = path.join(temp.dir, 'dl');
    const store = await openPieceStore(t.metainfo, dl);
    const blocks: number[] = [];
    for (let at = 0; at < t.content.length; at += BLOCK_LENGTH) blocks.push(at);
    blocks.sort((a, b) => (a * 7919) % 13 - (b * 7919) % 13); // scrambled, but the same every run
    for (const at of blocks) {
      const piece = Math.floor(at / t.metainfo.pieceLength);
      await store.writeBlock(piece, at - piece * t.metainfo.pieceLength, t.content.subarray(at, at + BLOCK_LENGTH));
    }
    for (let i = 0; i < t.metainfo.pieces.length; i++) expect(await store.verifyPiece(i), `piece ${i}`).toBe(true);
    await store.close();
    const torrentFile = path.join(temp.dir, 'album.torrent');
    await writeFile(torrentFile, t.torrent);
    const [verdict] = await runPythonJsonLines<Verdict>(python!, SCRIPT, ['check', torrentFile, dl], 30_000);
    expect(verdict).toMatchObject({ pieces: '11111', seeding: true });
  }, 40_000);

  test('a torrent libtorrent made: a seed to our store, and after damage both agree piece by piece', async () => {
    const t = await makeTorrent(temp.dir, 'album', FILES, 16_384); // only for its seed folder
    const torrentFile = path.join(temp.dir, 'lt.torrent');
    await runPythonJsonLines(python!, SCRIPT, ['create', path.join(t.seedDir, 'album'), torrentFile, '16384'], 30_000);
    const metainfo = readMetainfo(await readFile(torrentFile));
    expect(metainfo.files.map((f) => f.path.join('/')).sort(), 'the same files, in the order libtorrent chose').toEqual(['a.txt', 'empty.bin', 'sub/c.dat', 'sub/z.txt']);

    const whole = await openPieceStore(metainfo, t.seedDir);
    expect({ have: whole.have.toString(), left: whole.left }).toEqual({ have: '11111', left: 0 });
    await whole.close();

    const damaged = path.join(temp.dir, 'damaged');
    await cp(t.seedDir, damaged, { recursive: true });
    const c = path.join(damaged, 'album', 'sub', 'c.dat');
    const bytes = await readFile(c);
    bytes[20_000]! ^= 0xff;
    await writeFile(c, bytes);
    await rm(path.join(damaged, 'album', 'sub', 'z.txt'));
    const [verdict] = await runPythonJsonLines<Verdict>(python!, SCRIPT, ['check', torrentFile, damaged], 30_000);
    const ours = await openPieceStore(metainfo, damaged);
    expect(ours.have.toString(), `libtorrent says ${verdict!.pieces}`).toBe(verdict!.pieces);
    expect(ours.have.count, 'a flipped byte and a missing file cost some pieces, not all').toBeGreaterThan(0);
    expect(ours.have.complete).toBe(false);
    await ours.close();
  }, 40_000);
});
