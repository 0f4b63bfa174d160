/**
 * The options every command that listens takes the same way (`serve …`, and
 * the commands still to come that run a peer or a server): the address to
 * bind and its ports. Use these rather than a new check per command, so every
 * command answers a bad port with the same sentence.
 */
import { UserError } from './user-error.ts';

/** `--host ADDR`: servers bind 127.0.0.1 unless told otherwise (another address for test hosts in network namespaces). */
export const HOST_OPTION = { type: 'string', default: '127.0.0.1', describe: 'address to listen on' } as const;

/**
 * Checks a port option (0 lets the system choose) and returns it.
 * @param option the option's name without dashes, as the user typed it: `port`, `smtp-port`
 * @throws UserError (one sentence) unless it is a whole number from 0 to 65535
 */
export function checkPort(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UserError(`--${option} must be a whole number from 0 to 65535, got ${value}.`);
  return value;
}
