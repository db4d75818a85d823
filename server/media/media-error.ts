/** A media request that cannot be met (closed stream, unknown viewer, unsupported codec). */
export class MediaError extends Error {
  override readonly name = 'MediaError';
}
