import type { CommandModule } from 'yargs';
import mail from './mail.ts';
import pop3 from './pop3.ts';
import smtp from './smtp.ts';
import tracker from './tracker.ts';

/** The servers `wirelab serve` knows, one file each in this folder. */
export const serveCommands: CommandModule<object, any>[] = [smtp, pop3, mail, tracker];
