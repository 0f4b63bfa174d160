import type { CommandModule } from 'yargs';
import grade from './grade.ts';
import hint from './hint.ts';
import list from './list.ts';
import pack from './pack.ts';
import progress from './progress.ts';
import send from './send.ts';
import serve from './serve.ts';
import torrent from './torrent.ts';
import verify from './verify.ts';
import watch from './watch.ts';

/**
 * Every `wirelab` subcommand, one file each under this folder. A new command
 * is a file exporting a yargs CommandModule as default, plus one line here.
 */
export const commands: CommandModule<object, any>[] = [progress, list, verify, watch, hint, serve, send, torrent, grade, pack];
