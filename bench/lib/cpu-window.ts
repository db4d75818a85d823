/** CPU used by several processes over one wall-clock window, in percent of one core. */

/** Returns a process's cumulative CPU milliseconds so far. */
export type CpuMeter = () => number | Promise<number>;

export interface CpuWindow<K extends string> {
  wallMs: number;
  /** Per meter: CPU ms over the window / wall ms x 100 (100 = one core busy). */
  percent: Record<K, number>;
}

export async function cpuOverWindow<K extends string>(
  meters: Record<K, CpuMeter>,
  during: () => Promise<void>,
): Promise<CpuWindow<K>> {
  const names = Object.keys(meters) as K[];
  const read = () => Promise.all(names.map((name) => meters[name]()));
  const before = await read();
  const began = performance.now();
  await during();
  const wallMs = performance.now() - began;
  const after = await read();
  const percent = {} as Record<K, number>;
  names.forEach((name, i) => {
    percent[name] = Math.round(((after[i] - before[i]) / wallMs) * 1000) / 10;
  });
  return { wallMs, percent };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
