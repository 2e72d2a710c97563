import { createLiveLine } from '../../lib/cli/live-line';
import { pair } from '../helpers/pairs';

describe('the live progress line', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('shows the running migration with n of total and the time so far, and clears itself', () => {
    const written: string[] = [];
    const live = createLiveLine({ write: (chunk: string) => written.push(chunk) });
    live.onStepStart({ step: { direction: 'up', pair: pair(3, 'mixtures') }, index: 2, total: 8 });
    expect(written[0]).toMatch(/^\r\x1b\[K… applying 003_mixtures \(3 of 8\) \d+\.\ds$/);
    jest.advanceTimersByTime(600);
    expect(written.length).toBeGreaterThanOrEqual(3);
    live.stop();
    expect(written[written.length - 1]).toBe('\r\x1b[K');
    const count = written.length;
    jest.advanceTimersByTime(1000);
    expect(written).toHaveLength(count);
  });
});
