import type { CommandModule } from 'yargs';

/** The servers `wirelab serve` knows, one file each in this folder. */
export const serveCommands: CommandModule<object, any>[] = [];
