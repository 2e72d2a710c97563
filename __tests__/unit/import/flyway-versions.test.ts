/** Flyway's dotted versions as integers in Flyway's order. */
import { mapFlywayVersions } from '../../../lib/import/flyway-versions';

function mapped(versions: string[]): string[] {
  const m = mapFlywayVersions(versions);
  return versions.map((v) => m.map.get(v) as string);
}

describe('mapFlywayVersions', () => {
  it('keeps Flyway’s order across part counts (1.2 < 1.2.1 < 1.10 < 2)', () => {
    expect(mapped(['1', '1.1', '1.2', '1.10', '1.2.1', '2'])).toEqual(['1000', '1010', '1020', '1100', '1021', '2000']);
  });
  it('sorts numerically exactly as the parts compare', () => {
    const versions = ['3', '1.0.1', '1.9', '1.10.0.1', '2.0.5', '1.1', '10', '9.99'];
    const m = mapped(versions);
    const byFlyway = [...versions].sort((a, b) => {
      const pa = a.split('.').map(Number);
      const pb = b.split('.').map(Number);
      for (let i = 0; i < Math.max(pa.length, pb.length); i++)
        if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
      return 0;
    });
    const byInteger = [...versions].sort((a, b) =>
      Number(BigInt(m[versions.indexOf(a)]) - BigInt(m[versions.indexOf(b)])),
    );
    expect(byInteger).toEqual(byFlyway);
  });
  it('keeps plain integers and timestamps as they are, zero padding included', () => {
    expect(mapped(['001', '002', '010'])).toEqual(['001', '002', '010']);
    expect(mapped(['20240101120000', '20240102120000'])).toEqual(['20240101120000', '20240102120000']);
  });
  it('reads _ as . and drops trailing parts that are 0 everywhere', () => {
    expect(mapped(['1_1', '1.2'])).toEqual(['11', '12']);
    expect(mapped(['1.0', '2.0'])).toEqual(['1', '2']);
  });
  it('numbers versions in Flyway’s order when padding would not fit a bigint, and says why', () => {
    const m = mapFlywayVersions(['2024.01.01.120000', '1.123456789012345', '1.2']);
    expect(m.numbered).toMatch(
      /more than a 64-bit version holds: they are numbered 1, 2, 3… in Flyway's order instead/,
    );
    expect([...m.map]).toEqual([
      ['1.2', '1'],
      ['1.123456789012345', '2'],
      ['2024.01.01.120000', '3'],
    ]);
  });
});
