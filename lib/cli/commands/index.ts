import type { CommandModule } from 'yargs';
import serve from './serve.ts';
import torrent from './torrent.ts';

/**
 * Every `wirelab` subcommand, one file each under this folder. A new command
 * is a file exporting a yargs CommandModule as default, plus one line here.
 */
export const commands: CommandModule<object, any>[] = [serve, torrent];
