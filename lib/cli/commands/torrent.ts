import type { CommandModule } from 'yargs';
import { torrentCommands } from './torrent/index.ts';

/** `wirelab torrent create|info …`: make and inspect .torrent files. */
const torrent: CommandModule = {
  command: 'torrent <action>',
  describe: 'create or inspect .torrent metainfo files',
  builder: (yargs) => {
    let y = yargs;
    for (const sub of torrentCommands) y = y.command(sub);
    return y.demandCommand(1, 'say what to do: wirelab torrent create|info');
  },
  handler: () => {},
};
export default torrent;
