/**
 * The connections of a fleet run: one per target in flight, kept open
 * between targets that connect to the same place (300 schemas on one server
 * reuse a handful of sessions instead of opening 300), and closed once no
 * target still to run needs them. Not pg's Pool: a session advisory lock
 * belongs to one connection, and a target holds its connection from the lock
 * to the unlock.
 */
import type { Client } from 'pg';
import type { Logger } from '../log';
import { connect } from './connection';
import { disconnect } from './disconnect';

export class ClientPool {
  private readonly idle = new Map<string, Client[]>();
  private idleCount = 0;
  /** The 'end' listener of each idle connection. */
  private readonly watchers = new Map<Client, () => void>();

  /**
   * @param maxIdle connections kept open while unused (the run's concurrency).
   * @param wait seconds to retry an unreachable server (`--wait`).
   */
  constructor(
    private readonly maxIdle: number,
    private readonly wait: number,
    private readonly logger: Logger,
  ) {}

  /**
   * A connection to `url` (undefined = PG* variables and defaults): an idle
   * one when there is one, else a new one.
   * @throws ConnectionError (exit 5), ConfigError (exit 2) as connect does.
   */
  async acquire(url: string | undefined): Promise<Client> {
    const reused = this.idle.get(url ?? '')?.pop();
    if (reused !== undefined) {
      this.idleCount--;
      const onEnd = this.watchers.get(reused);
      if (onEnd !== undefined) reused.off('end', onEnd);
      this.watchers.delete(reused);
      return reused;
    }
    return connect({ url, wait: this.wait }, this.logger);
  }

  /**
   * Gives `client` back: kept for the next target when `keep` (the target
   * ended cleanly and another one still needs this place) and there is room,
   * else closed.
   */
  async release(url: string | undefined, client: Client, keep: boolean): Promise<void> {
    if (!keep || this.idleCount >= this.maxIdle) return disconnect(client);
    const key = url ?? '';
    const list = this.idle.get(key) ?? [];
    list.push(client);
    this.idle.set(key, list);
    this.idleCount++;
    // The server may end an idle session (idle_session_timeout, a restart): never hand it out again.
    const onEnd = () => this.forget(key, client);
    this.watchers.set(client, onEnd);
    client.once('end', onEnd);
  }

  private forget(key: string, client: Client): void {
    const list = this.idle.get(key);
    const at = list?.indexOf(client) ?? -1;
    this.watchers.delete(client);
    if (list === undefined || at < 0) return;
    list.splice(at, 1);
    this.idleCount--;
  }

  /** Closes the idle connections to `url`: no target still to run goes there. */
  async drain(url: string | undefined): Promise<void> {
    const list = this.idle.get(url ?? '') ?? [];
    this.idle.delete(url ?? '');
    this.idleCount -= list.length;
    await Promise.all(list.map((c) => disconnect(c)));
  }

  /** Closes every idle connection. */
  async close(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    this.idleCount = 0;
    await Promise.all(all.map((c) => disconnect(c)));
  }
}
