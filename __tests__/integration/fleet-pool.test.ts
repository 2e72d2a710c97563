/** The fleet's connections: reused between targets on one server, and never handed out once the server ended them. */
import { ClientPool } from '../../lib/db/client-pool';
import { useTestDatabase } from '../helpers/db';
import { captureLogger } from '../helpers/logger';

const db = useTestDatabase();

const pidOf = async (c: { query: (q: string) => Promise<{ rows: { pid: number }[] }> }) =>
  (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;

test('an idle connection is reused; one the server terminated while idle is dropped, and a new one is made', async () => {
  const pool = new ClientPool(4, 0, captureLogger().logger);
  try {
    const first = await pool.acquire(db.url);
    const pid = await pidOf(first);
    await pool.release(db.url, first, true);
    const again = await pool.acquire(db.url);
    expect(again).toBe(first);
    await pool.release(db.url, again, true);

    const ended = new Promise((resolve) => first.once('end', resolve));
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended;
    const fresh = await pool.acquire(db.url);
    expect(fresh).not.toBe(first);
    expect(await pidOf(fresh)).not.toBe(pid);
    await pool.release(db.url, fresh, false);
  } finally {
    await pool.close();
  }
});

test('kept connections are capped; drain closes those of a place no target needs any more', async () => {
  const pool = new ClientPool(1, 0, captureLogger().logger);
  try {
    const a = await pool.acquire(db.url);
    const b = await pool.acquire(db.url);
    await pool.release(db.url, a, true);
    const bEnded = new Promise((resolve) => b.once('end', resolve));
    await pool.release(db.url, b, true); // over the cap of 1: closed
    await bEnded;
    const aEnded = new Promise((resolve) => a.once('end', resolve));
    await pool.drain(db.url);
    await aEnded;
    const c = await pool.acquire(db.url);
    expect(c).not.toBe(a);
    await pool.release(db.url, c, false);
  } finally {
    await pool.close();
  }
});
