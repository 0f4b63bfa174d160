/**
 * Datagrams that arrived and nobody has taken yet, plus the receives waiting
 * for one. A waiting receive may want only some datagrams (those from one
 * peer); the others stay queued for the next receive instead of being lost.
 */

/** One UDP datagram as it arrived. */
export interface Datagram {
  /** The payload (a datagram is always delivered whole). */
  data: Buffer;
  /** The sender's address (IPv4-mapped IPv6 addresses are shown as IPv4). */
  host: string;
  /** The sender's port. */
  port: number;
  family: 'IPv4' | 'IPv6';
}

interface Waiter {
  accepts: (datagram: Datagram) => boolean;
  deliver: (datagram: Datagram) => void;
}

/** Datagrams queued when nobody is waiting: beyond this, the oldest is dropped. */
export const DEFAULT_QUEUE_LIMIT = 1024;

/** A bounded FIFO of datagrams with filtered waiters. */
export class Inbox {
  private queue: Datagram[] = [];
  private waiters: Waiter[] = [];
  /** Datagrams thrown away because the queue was full (like a kernel buffer overflowing). */
  dropped = 0;

  constructor(private readonly limit: number = DEFAULT_QUEUE_LIMIT) {}

  /** Hands a new datagram to the first waiter that wants it, else queues it. */
  offer(datagram: Datagram): void {
    const index = this.waiters.findIndex((w) => w.accepts(datagram));
    if (index !== -1) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.deliver(datagram);
      return;
    }
    this.queue.push(datagram);
    if (this.queue.length > this.limit) {
      this.queue.shift();
      this.dropped++;
    }
  }

  /** Removes and returns the oldest queued datagram that `accepts` wants. */
  take(accepts: (datagram: Datagram) => boolean): Datagram | undefined {
    const index = this.queue.findIndex(accepts);
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  /** Registers a waiter; returns the function that unregisters it. */
  wait(accepts: Waiter['accepts'], deliver: Waiter['deliver']): () => void {
    const waiter: Waiter = { accepts, deliver };
    this.waiters.push(waiter);
    return () => {
      const index = this.waiters.indexOf(waiter);
      if (index !== -1) this.waiters.splice(index, 1);
    };
  }
}
