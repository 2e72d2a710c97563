/**
 * What must happen even when the process exits without unwinding (a second
 * Ctrl-C calls process.exit): the servers started by this process are killed
 * and their temp folders removed, synchronously, from one 'exit' handler.
 */
const pending = new Set<() => void>();
let installed = false;

/** Last registered first: a server is stopped before the folder it runs in is removed. */
function runAll(): void {
  for (const fn of [...pending].reverse()) {
    try {
      fn();
    } catch {
      // best effort: the process is exiting
    }
  }
  pending.clear();
}

/** Registers `fn` for exit; returns a function that unregisters it. */
export function onExit(fn: () => void): () => void {
  if (!installed) {
    process.on('exit', runAll);
    installed = true;
  }
  pending.add(fn);
  return () => pending.delete(fn);
}
