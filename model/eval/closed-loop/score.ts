/**
 * Every closed-loop figure is a share of cases that pass (frames, windows, held
 * actions, instructions), computed alike for every source. A measure is valid when the
 * engine's frames reach its target and each source it is meant to reject does not: the
 * 0.1.0 baseline always; blurred and down-up-sampled engine frames where the measure is
 * about detail (a blurred view still turns the right way, and its sky still darkens at
 * night); engine frames sliding sideways for the idle drift.
 */
import { share } from '../summary';
import { Source } from './play';

export interface Score {
  passed: number;
  cases: number;
  /** passed / cases (NaN without cases). */
  value: number;
  /** What the cases measured, for the report (e.g. the worst ratio). */
  note: string;
}

export interface Figure {
  id: string;
  label: string;
  /** The share of cases that must pass. */
  target: number;
  /** The validation sources this measure must reject (the engine it must pass). */
  rejects: readonly ValidationSource[];
  scores: Record<Source, Score>;
}

/** The sources every measure is shown on beside the model. */
export const VALIDATION_SOURCES = ['engine', 'baseline', 'blur', 'downup', 'drift'] as const;
export type ValidationSource = (typeof VALIDATION_SOURCES)[number];

export function score(results: readonly boolean[], note = ''): Score {
  const passed = results.filter(Boolean).length;
  return { passed, cases: results.length, value: share(passed, results.length), note };
}

export function passes(figure: Figure, source: Source): boolean {
  return figure.scores[source].value >= figure.target;
}

/** What a validation source must do: pass (the engine), fail (rejected) or either. */
export function expectation(figure: Figure, source: ValidationSource): 'pass' | 'fail' | null {
  if (source === 'engine') return 'pass';
  return figure.rejects.includes(source) ? 'fail' : null;
}

/** Whether the engine passes and every rejected source fails. */
export function isValid(figure: Figure): boolean {
  return VALIDATION_SOURCES.every((source) => {
    const expected = expectation(figure, source);
    return expected === null || passes(figure, source) === (expected === 'pass');
  });
}
