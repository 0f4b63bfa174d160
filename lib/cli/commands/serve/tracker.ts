/**
 * `wirelab serve tracker --port P [--host ADDR] [--interval S] [--impl …]`:
 * run the student's (or the reference) BitTorrent tracker of exercise 09 until
 * Ctrl-C: HTTP on TCP port P and BEP 15 on UDP port P.
 *
 * Try it: open http://127.0.0.1:P/ in a browser, or put
 * `http://127.0.0.1:P/announce` (or `udp://127.0.0.1:P`) as the announce URL
 * of a torrent (`wirelab torrent create FILE --announce …`) and open it in any
 * BitTorrent client.
 */
import type { CommandModule } from 'yargs';
import type * as TrackerModule from '../../../../exercises/09-tracker/tracker.ts';
import { formatHostPort } from '../../../address.ts';
import { HOST_OPTION, checkPort } from '../../listen-options.ts';
import { IMPL_OPTION, loadImpl } from '../../project.ts';
import { serveUntilSignal } from '../../serve.ts';
import { explainSystemError, explainUnfinishedStub, UserError } from '../../user-error.ts';

interface TrackerArgs {
  impl: string;
  host: string;
  port: number;
  interval: number;
}

const tracker: CommandModule<object, TrackerArgs> = {
  command: 'tracker',
  describe: 'a BitTorrent tracker, HTTP and UDP on one port (exercise 09)',
  builder: (yargs) =>
    yargs
      .option('impl', IMPL_OPTION)
      .option('host', HOST_OPTION)
      .option('port', { type: 'number', demandOption: true, describe: 'HTTP on this TCP port and UDP on the same UDP port (0 lets the system choose)' })
      .option('interval', { type: 'number', default: 300, describe: 'seconds clients wait between announces; silent peers leave after twice that' }),
  handler: async (argv) => {
    const port = checkPort('port', argv.port);
    if (!Number.isInteger(argv.interval) || argv.interval < 1 || argv.interval > 86_400) {
      throw new UserError(`--interval must be a whole number of seconds from 1 to 86400, got ${argv.interval}.`);
    }
    const { startTracker } = await loadImpl<typeof TrackerModule>(argv.impl, '09-tracker/tracker.ts');
    let running: Awaited<ReturnType<typeof startTracker>>;
    try {
      running = await startTracker({ host: argv.host, port, intervalSeconds: argv.interval });
    } catch (error) {
      throw explainSystemError(error, `cannot listen on ${argv.host}:${port}`) ?? explainUnfinishedStub(error, '09-tracker') ?? error;
    }
    const hostPort = formatHostPort(running.host, running.httpPort);
    process.stderr.write(`announce URLs: http://${hostPort}/announce  udp://${hostPort}/announce  (swarms at http://${hostPort}/)\n`);
    await serveUntilSignal(
      [
        { host: running.host, port: running.httpPort, label: '(http)' },
        { host: running.host, port: running.udpPort, label: '(udp)' },
      ],
      () => running.close(),
    );
  },
};
export default tracker;
