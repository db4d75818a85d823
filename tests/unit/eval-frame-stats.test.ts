/** Frame statistics and engine ranges for the stability check (model/eval/frame-stats.ts). */
import { frameStats, outOfRange, statRanges, STAT_NAMES } from '../../model/eval/frame-stats';
import { quantile } from '../../model/eval/summary';

describe('frameStats', () => {
  it('gives channel means and spreads and the mean change from the previous frame', () => {
    // Two pixels: (0, 10, 100) and (20, 10, 100).
    const frame = Uint8Array.of(0, 10, 100, 20, 10, 100);
    const stats = frameStats(frame, null);
    expect(stats.slice(0, 6)).toEqual([10, 10, 100, 10, 0, 0]);
    expect(stats[6]).toBeNaN();
    expect(frameStats(frame, Uint8Array.of(0, 10, 100, 20, 10, 94))[6]).toBe(1);
  });
});

describe('statRanges and outOfRange', () => {
  const rows = Array.from({ length: 101 }, (_, i) => STAT_NAMES.map(() => i));

  it('spans the chosen percentiles widened by the margin', () => {
    const ranges = statRanges(rows, { lowQuantile: 0.1, highQuantile: 0.9, margin: 0.25 });
    // Percentiles 10 and 90, widened by a quarter of their span (20) on each side.
    expect(ranges[0]).toEqual({ stat: 'mean_r', low: -10, high: 110, median: 50 });
    expect(ranges.map((r) => r.stat)).toEqual([...STAT_NAMES]);
  });

  it('names the first statistic outside its range; a missing difference is fine', () => {
    const ranges = statRanges(rows, { lowQuantile: 0, highQuantile: 1, margin: 0 });
    expect(outOfRange([50, 50, 50, 50, 50, 50, NaN], ranges)).toBeNull();
    expect(outOfRange([50, 50, 50, 120, 50, -1, 50], ranges)).toBe('std_r');
  });

  it('interpolates quantiles and ignores NaN', () => {
    expect(quantile([3, 1, NaN, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
