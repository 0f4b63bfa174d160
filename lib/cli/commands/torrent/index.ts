import type { CommandModule } from 'yargs';

/** The actions of `wirelab torrent`, one file each in this folder. */
export const torrentCommands: CommandModule<object, any>[] = [];
