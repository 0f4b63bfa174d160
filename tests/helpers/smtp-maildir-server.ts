/**
 * The SMTP server under test (exercise 05) delivering into a fresh Maildir
 * root of its own; after each test the server is closed and the folder
 * removed, whatever happened.
 *
 *   const startServer = maildirServerAfterEach();
 *   const { server, root } = await startServer({ domains: ['mail.test'] });
 */
import { afterEach } from 'vitest';
import { startSmtpServer, type SmtpServer, type SmtpServerOptions } from '@impl/05-smtp-server/smtp-server.ts';
import { makeMaildirRoot, removeMaildirRoot } from './smtp-session-maildir.ts';

/** A running server and the Maildir root it delivers into. */
export interface MaildirServer {
  server: SmtpServer;
  root: string;
}

/**
 * Registers an afterEach that closes every server the returned `start` made
 * during the test, then removes their Maildir roots; `start` makes a root and
 * starts the server on it with the given options.
 */
export function maildirServerAfterEach(): (options?: Omit<SmtpServerOptions, 'maildir'>) => Promise<MaildirServer> {
  const servers: SmtpServer[] = [];
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.allSettled(servers.splice(0).map((s) => s.close()));
    await Promise.allSettled(roots.splice(0).map(removeMaildirRoot));
  });
  return async (options = {}) => {
    const root = await makeMaildirRoot();
    roots.push(root);
    const server = await startSmtpServer({ ...options, maildir: root });
    servers.push(server);
    return { server, root };
  };
}
