/**
 * `tidemark fleet <command>` and the library's `fleet()`: one command over
 * many targets. Work in progress: the signature is the contract.
 */
import type { FleetReport, FleetRunOptions } from '../fleet/types';
import type { RunContext } from './context';

/** Runs `options.command` on every selected target; see lib/fleet/types.ts. */
export async function runFleet(_ctx: RunContext, _options: FleetRunOptions): Promise<FleetReport> {
  throw new Error('runFleet: not built yet (fleet-core is on it)');
}
