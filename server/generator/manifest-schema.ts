/**
 * The shape of a model folder's `manifest.json`, one schema per format version
 * (model/MANIFEST.md). Format 1 drives a latent ring seeded by an `encode` graph; format 2
 * keeps the last two frames themselves, gives the step a history of actions, and may add
 * a `start` graph that draws a first frame from instructions alone. Format 3 is format 2
 * whose step also takes `instruction_from`, the value each held instruction replaced.
 */
import { z } from 'zod';

export type GraphName = 'encode' | 'step' | 'decode' | 'start';

/** Format 2's ring holds the last two frames: the step graph is exported for exactly that. */
export const FRAME_CONTEXT_LENGTH = 2;

const positive = z.number().int().positive();
const TensorSpec = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'int64', 'uint8']),
  shape: z.array(z.union([z.string(), positive])).min(1),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

const GraphEntry = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256'),
  bytes: positive,
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
});
export type GraphEntry = z.infer<typeof GraphEntry>;

/** Fields every format shares. */
const Common = z.object({
  format: z.literal('worldtick-model'),
  name: z.string().min(1),
  version: z.string().min(1),
  fps: z.number().positive(),
  frame: z.object({
    width: positive,
    height: positive,
    channels: z.literal(3),
    layout: z.literal('NHWC'),
    dtype: z.literal('uint8'),
    color: z.literal('RGB'),
  }),
  instructions: z.object({
    slotOrder: z.array(z.string().min(1)).min(1),
    slots: z.record(z.string(), z.array(z.string().min(1))),
    holdTicks: positive,
  }),
  opset: positive,
  batchDim: z.string().min(1),
  training: z.record(z.string(), z.unknown()).optional(),
});

const Ring = { order: z.literal('oldest-first'), seed: z.literal('repeat-oldest') };
const Actions = {
  keys: z.array(z.string().min(1)).min(1),
  encoding: z.literal('multi-hot'),
  cameraAxes: z.array(z.unknown()).max(0, 'binned camera axes are not supported'),
};

const ManifestV1 = Common.extend({
  formatVersion: z.literal(1),
  latent: z.object({
    channels: positive,
    height: positive,
    width: positive,
    dtype: z.literal('float32'),
  }),
  context: z.object({ length: positive, ...Ring }),
  actions: z.object(Actions),
  graphs: z.object({ encode: GraphEntry, step: GraphEntry, decode: GraphEntry }),
});

const ManifestV2 = Common.extend({
  formatVersion: z.literal(2),
  context: z.object({
    length: z.literal(FRAME_CONTEXT_LENGTH, {
      error: (issue) =>
        `format 2 and 3 rings hold the last ${FRAME_CONTEXT_LENGTH} frames; found ${JSON.stringify(issue.input)}`,
    }),
    element: z.literal('frame'),
    ...Ring,
  }),
  actions: z.object({ ...Actions, history: positive }),
  /** `start` (instruction tokens -> a first frame) is for sessions started from text. */
  graphs: z.object({ step: GraphEntry, start: GraphEntry.optional() }),
});

const ManifestV3 = ManifestV2.extend({ formatVersion: z.literal(3) });

export const FORMAT_VERSIONS = [1, 2, 3];
export const ManifestSchema = z.discriminatedUnion('formatVersion', [
  ManifestV1,
  ManifestV2,
  ManifestV3,
]);
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestV1 = z.infer<typeof ManifestV1>;
export type ManifestV2 = z.infer<typeof ManifestV2>;
/** Formats 2 and 3: a ring of frames. */
export type FrameManifest = ManifestV2 | z.infer<typeof ManifestV3>;
