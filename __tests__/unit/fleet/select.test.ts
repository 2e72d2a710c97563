import { resolveShard, selectCanary, selectShard, shardOf, splitWaves } from '../../../lib/fleet/select';
import type { FleetTarget } from '../../../lib/fleet/types';

const targets = (n: number): FleetTarget[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `tenant-${i}`,
    labels: { ring: String(i % 3), tier: i === 7 ? 'canary' : 'paid' },
  }));

describe('shards', () => {
  test('every target in exactly one shard, stable whatever the list order, roughly even', () => {
    const all = targets(1000);
    const shards = [0, 1, 2, 3].map((index) => selectShard(all, { index, count: 4 }).map((t) => t.name));
    expect(shards.flat().sort()).toEqual(all.map((t) => t.name).sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(200);
    const reversed = [0, 1, 2, 3].map((index) =>
      selectShard([...all].reverse(), { index, count: 4 })
        .map((t) => t.name)
        .sort(),
    );
    expect(reversed).toEqual(shards.map((s) => [...s].sort()));
    expect(shardOf('tenant-1', 4)).toBe(shardOf('tenant-1', 4));
  });

  test('--shard-index defaults from JOB_COMPLETION_INDEX; bad values are exit 2 naming the flag', () => {
    expect(resolveShard({ count: 4 }, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ index: 1, count: '4' }, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 1, count: 4 });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '2' })).toBeUndefined();
    expect(() => resolveShard({ index: 4, count: 4 }, {})).toThrow(
      '--shard-index 4 is out of range for --shard-count 4: shards are numbered 0 to 3.',
    );
    expect(() => resolveShard({ count: 4 }, { JOB_COMPLETION_INDEX: 'x' })).toThrow(
      '$JOB_COMPLETION_INDEX must be a whole number',
    );
    expect(() => resolveShard({ count: 4 }, {})).toThrow(/--shard-count needs --shard-index/);
    expect(() => resolveShard({ index: 0 }, {})).toThrow(/--shard-index needs --shard-count/);
    expect(() => resolveShard({ index: 0, count: 0 }, {})).toThrow(/--shard-count must be 1 or more/);
  });
});

describe('canary and waves', () => {
  test('a count takes the first N; a selector its matches; a selector matching nothing is an error', () => {
    expect(selectCanary(targets(5), '2').map((t) => t.name)).toEqual(['tenant-0', 'tenant-1']);
    expect(selectCanary(targets(10), 'tier=canary').map((t) => t.name)).toEqual(['tenant-7']);
    expect(selectCanary(targets(10), 'tier=paid,ring=1').map((t) => t.name)).toEqual(['tenant-1', 'tenant-4']);
    expect(() => selectCanary(targets(3), 'tier=canary')).toThrow(/--canary tier=canary matches no target/);
    expect(() => selectCanary(targets(3), 'canary')).toThrow(/expected key=value/);
  });

  test('a selector is checked against the whole list: a shard (or --only failed) whose share holds no canary has no canary phase', () => {
    const all = targets(10);
    const share = all.filter((t) => t.name !== 'tenant-7');
    expect(selectCanary(share, 'tier=canary', all)).toEqual([]);
    expect(() => selectCanary(share, 'tier=gold', all)).toThrow(/--canary tier=gold matches no target/);
  });

  test('cumulative shares', () => {
    const waves = splitWaves(targets(20), ['10%', '50%', '100%']);
    expect(waves.map((w) => [w.name, w.targets.length])).toEqual([
      ['wave 1', 2],
      ['wave 2', 8],
      ['wave 3', 10],
    ]);
    expect(() => splitWaves(targets(20), ['50%', '10%', '100%'])).toThrow(/cumulative and rising/);
    expect(() => splitWaves(targets(20), ['10%', '50%'])).toThrow(/last wave must be 100%/);
    expect(() => splitWaves(targets(20), ['10%', 'ring=1'])).toThrow(/not both/);
    expect(splitWaves(targets(3))).toEqual([{ name: 'wave 1', targets: targets(3) }]);
  });

  test('label order, the unmatched last', () => {
    const waves = splitWaves(targets(7), ['ring=2', 'ring=0']);
    expect(waves.map((w) => [w.name, w.targets.map((t) => t.name)])).toEqual([
      ['wave 1 (ring=2)', ['tenant-2', 'tenant-5']],
      ['wave 2 (ring=0)', ['tenant-0', 'tenant-3', 'tenant-6']],
      ['wave 3 (the rest)', ['tenant-1', 'tenant-4']],
    ]);
  });
});
