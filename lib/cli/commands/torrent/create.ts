/**
 * `wirelab torrent create PATH --announce URL [-o OUT] [--piece-length N]`:
 * make a .torrent of a file or a folder with the student's (or the reference)
 * createMetainfo, showing a progress bar on a terminal while pieces are hashed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { CommandModule } from 'yargs';
import type * as CreateModule from '../../../../exercises/08-metainfo/create-metainfo.ts';
import type * as ReadModule from '../../../../exercises/08-metainfo/read-metainfo.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

/** Below this size hashing is over before a bar could say anything. */
const PROGRESS_BAR_MIN_BYTES = 64 * 1024 * 1024;

interface CreateArgs {
  impl: string;
  path: string;
  announce: string;
  output: string | undefined;
  'piece-length': number;
  'created-by': string | undefined;
  date: boolean;
}

const create: CommandModule<object, CreateArgs> = {
  command: 'create <path>',
  describe: 'make a .torrent of a file or a folder',
  builder: (yargs) =>
    yargs
      .positional('path', { type: 'string', demandOption: true, describe: 'the file or folder to share' })
      .option('impl', IMPL_OPTION)
      .option('announce', { type: 'string', demandOption: true, describe: 'tracker URL, e.g. http://127.0.0.1:6969/announce' })
      .option('output', { alias: 'o', type: 'string', describe: 'where to write the .torrent (default: NAME.torrent here)' })
      .option('piece-length', { type: 'number', default: 262_144, describe: 'bytes per piece: a power of two, at least 16384' })
      .option('created-by', { type: 'string', describe: 'the `created by` field (left out by default)' })
      .option('date', { type: 'boolean', default: false, describe: 'write `creation date` (now); off by default so the same input gives the same file' }),
  handler: async (argv) => {
    if (!/^(https?|udp):\/\/[^/]/.test(argv.announce)) {
      throw new UserError(`--announce must be a tracker URL such as http://127.0.0.1:6969/announce or udp://127.0.0.1:6969, got ${JSON.stringify(argv.announce)}.`);
    }
    const pieceLength = argv['piece-length'];
    if (!Number.isSafeInteger(pieceLength) || pieceLength < 16_384 || !Number.isInteger(Math.log2(pieceLength))) {
      throw new UserError(`--piece-length must be a power of two of at least 16384 (262144 is usual), got ${pieceLength}.`);
    }
    const { createMetainfo } = await loadImpl<typeof CreateModule>(argv.impl, '08-metainfo/create-metainfo.ts');
    const { readMetainfo } = await loadImpl<typeof ReadModule>(argv.impl, '08-metainfo/read-metainfo.ts');
    const source = path.resolve(argv.path);
    const output = path.resolve(argv.output ?? `${path.basename(source)}.torrent`);

    const bar = new ProgressBar();
    let torrent: Uint8Array;
    try {
      torrent = await createMetainfo(source, {
        announce: argv.announce,
        pieceLength,
        createdBy: argv['created-by'],
        creationDate: argv.date ? Math.floor(Date.now() / 1000) : undefined,
        onProgress: (done, total) => bar.update(done, total),
      });
    } catch (error) {
      throw explainImplError(error, argv.path);
    } finally {
      bar.stop();
    }
    try {
      await writeFile(output, torrent);
    } catch (error) {
      throw explainSystemError(error, `cannot write ${output}`) ?? error;
    }
    const meta = readMetainfo(torrent);
    process.stdout.write(
      `wrote ${path.relative(process.cwd(), output) || output}: ${meta.name}, ${meta.length} bytes in ${meta.pieces.length} pieces of ${meta.pieceLength}, info_hash ${meta.infoHashHex}\n`,
    );
  },
};
export default create;

/** A bar on stderr, only on a terminal and only for big inputs (scripts and small files get silence). */
class ProgressBar {
  private bar: cliProgress.SingleBar | undefined;

  update(done: number, total: number): void {
    if (this.bar === undefined) {
      if (!process.stderr.isTTY || total < PROGRESS_BAR_MIN_BYTES) return;
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'hashing {bar} {percentage}% | {doneMiB}/{totalMiB} MiB | {speed} MiB/s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.started = performance.now();
      this.bar.start(total, 0, { doneMiB: 0, totalMiB: mib(total), speed: 0 });
    }
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(done, { doneMiB: mib(done), speed: seconds > 0 ? mib(done / seconds) : 0 });
  }

  stop(): void {
    this.bar?.stop();
  }

  private started = 0;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Turns what createMetainfo threw into one sentence for the user. */
function explainImplError(error: unknown, input: string): unknown {
  const known = explainSystemError(error, input) ?? explainUnfinishedStub(error, '08-metainfo');
  if (known) return known;
  if (error instanceof RangeError) return new UserError(error.message);
  if (error instanceof Error && !(error as NodeJS.ErrnoException).code && /contains no files|neither a file nor a folder|changed size/.test(error.message)) {
    return new UserError(`${error.message}.`);
  }
  return error;
}
