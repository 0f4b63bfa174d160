// Poke it with: npx wirelab torrent info <the .torrent it prints>   (or open that file in any BitTorrent client)
// Run it with:  npx tsx examples/torrent-metainfo.ts [file-or-folder]
//
// Makes a .torrent with the reference code of exercise 08 (a small folder it
// writes itself when you give none), then takes the file apart: the bencode
// of the outer dictionary, where the `info` bytes sit in the file, the
// info_hash computed over exactly those bytes, and the first piece hashes.
// It also shows a strict decoder at work on three broken inputs.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode, locate } from '../solutions/08-metainfo/bencode.ts';
import { BencodeError } from '../solutions/08-metainfo/bencode-error.ts';
import { createMetainfo } from '../solutions/08-metainfo/create-metainfo.ts';
import { readMetainfo } from '../solutions/08-metainfo/read-metainfo.ts';

const work = await mkdtemp(path.join(os.tmpdir(), 'wirelab-example-torrent-'));
let source = process.argv[2];
if (source === undefined) {
  source = path.join(work, 'lecture');
  await mkdir(path.join(source, 'slides'), { recursive: true });
  await writeFile(path.join(source, 'notes.txt'), 'Pieces are 256 KiB; the last one is shorter.\n'.repeat(10_000));
  await writeFile(path.join(source, 'slides', 'week1.bin'), Buffer.alloc(300_000, 0x42));
}

const torrent = await createMetainfo(source, {
  announce: 'http://127.0.0.1:6969/announce',
  createdBy: 'wirelab example',
  onProgress: (done, total) => process.stderr.write(`\rhashed ${done} of ${total} bytes`),
});
process.stderr.write('\n');
const out = path.join(work, `${path.basename(source)}.torrent`);
await writeFile(out, torrent);
console.log(`wrote ${out} (${torrent.length} bytes)\n`);

// The outer dictionary, with the long binary `pieces` string cut short.
const preview = Buffer.from(torrent).toString('latin1').replace(/6:pieces(\d+):[\s\S]*?(?=(4:name|5:files|6:length|e$))/, (_m, n: string) => `6:pieces${n}:<${n} bytes of SHA-1 digests>`);
console.log('the file, bencoded (pieces elided):');
console.log(`  ${preview.replace(/[^\x20-\x7e]/g, '·')}\n`);

const span = locate(torrent, ['info'])!;
console.log(`the info dictionary is bytes ${span.start}..${span.end} of the file`);
const meta = readMetainfo(torrent);
console.log(`info_hash = SHA-1 of exactly those bytes = ${meta.infoHashHex}`);
console.log(`name ${meta.name}, ${meta.length} bytes, ${meta.pieces.length} pieces of ${meta.pieceLength}, ${meta.multiFile ? 'folder' : 'single file'}`);
for (const f of meta.files) console.log(`  ${f.path.join('/')}  ${f.length} bytes`);
for (const [i, p] of meta.pieces.slice(0, 3).entries()) console.log(`  piece ${i}: ${Buffer.from(p).toString('hex')}`);

console.log('\na strict decoder says where input goes wrong:');
for (const bad of ['i03e', 'd1:bi1e1:ai2ee', 'l4:spam']) {
  try {
    decode(Buffer.from(bad));
  } catch (error) {
    if (error instanceof BencodeError) console.log(`  ${bad.padEnd(16)} → ${error.reason} at offset ${error.offset}`);
  }
}
console.log(`\ntry: npx wirelab torrent info ${out} --impl solutions`);
