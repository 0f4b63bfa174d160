/**
 * `wirelab torrent info FILE [--json]`: what a .torrent holds (name, size,
 * pieces, files, tracker, info_hash), read with the student's (or the
 * reference) readMetainfo.
 */
import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import type { Metainfo } from '../../../../exercises/08-metainfo/metainfo-types.ts';
import type * as ReadModule from '../../../../exercises/08-metainfo/read-metainfo.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

interface InfoArgs {
  impl: string;
  torrent: string;
  json: boolean;
}

const info: CommandModule<object, InfoArgs> = {
  command: 'info <torrent>',
  describe: 'show what a .torrent file holds, with its info_hash',
  builder: (yargs) =>
    yargs
      .positional('torrent', { type: 'string', demandOption: true, describe: 'the .torrent file' })
      .option('impl', IMPL_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document instead' }),
  handler: async (argv) => {
    const { readMetainfo } = await loadImpl<typeof ReadModule>(argv.impl, '08-metainfo/read-metainfo.ts');
    let bytes: Buffer;
    try {
      bytes = await readFile(argv.torrent);
    } catch (error) {
      throw explainSystemError(error, argv.torrent) ?? error;
    }
    let meta: Metainfo;
    try {
      meta = readMetainfo(bytes);
    } catch (error) {
      throw explainReadError(error, argv.torrent);
    }
    process.stdout.write(argv.json ? `${JSON.stringify(asJson(meta), null, 2)}\n` : describe(meta));
  },
};
export default info;

/** The JSON document of `--json`: plain fields, hashes in hex. */
function asJson(meta: Metainfo) {
  return {
    name: meta.name,
    length: meta.length,
    pieceLength: meta.pieceLength,
    pieceCount: meta.pieces.length,
    multiFile: meta.multiFile,
    files: meta.files.map((f) => ({ path: f.path.join('/'), length: f.length })),
    announce: meta.announce ?? null,
    infoHash: meta.infoHashHex,
    createdBy: meta.createdBy ?? null,
    creationDate: meta.creationDate ?? null,
  };
}

/** The human-readable listing. */
function describe(meta: Metainfo): string {
  const rows: [string, string][] = [
    ['name', meta.name],
    ['size', `${meta.length} bytes (${human(meta.length)})`],
    ['piece length', `${meta.pieceLength} (${human(meta.pieceLength)})`],
    ['pieces', String(meta.pieces.length)],
    ['announce', meta.announce ?? '(none)'],
    ['info_hash', meta.infoHashHex],
  ];
  if (meta.createdBy !== undefined) rows.push(['created by', meta.createdBy]);
  if (meta.creationDate !== undefined) rows.push(['creation date', new Date(meta.creationDate * 1000).toISOString()]);
  rows.push(['files', String(meta.files.length)]);
  const lines = rows.map(([k, v]) => `${k.padEnd(14)}${v}`);
  const shown = meta.files.slice(0, 50);
  for (const f of shown) lines.push(`  ${f.path.join('/')}  ${human(f.length)}`);
  if (meta.files.length > shown.length) lines.push(`  … and ${meta.files.length - shown.length} more`);
  return `${lines.join('\n')}\n`;
}

/** 1536 → "1.5 KiB". */
function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** BencodeError and MetainfoError become "FILE is not a valid .torrent: …" (the offset or the field included). */
function explainReadError(error: unknown, file: string): unknown {
  if (error instanceof Error && (error.name === 'BencodeError' || error.name === 'MetainfoError')) {
    return new UserError(`${file} is not a valid .torrent: ${error.message}.`);
  }
  return explainUnfinishedStub(error, '08-metainfo') ?? error;
}
