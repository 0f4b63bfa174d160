import type { CommandModule } from 'yargs';
import create from './create.ts';
import info from './info.ts';

/** The actions of `wirelab torrent`, one file each in this folder. */
export const torrentCommands: CommandModule<object, any>[] = [create, info];
