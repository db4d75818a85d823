/** Bytes mediasoup transports have sent so far (RTP, RTCP and SRTP overhead included). */
export async function bytesSent(
  transports: readonly { closed: boolean; getStats(): Promise<unknown[]> }[],
): Promise<number> {
  const open = transports.filter((t) => !t.closed);
  const stats = await Promise.all(open.map((t) => t.getStats()));
  return stats.reduce<number>(
    (sum, [s]) => sum + ((s as { bytesSent?: number })?.bytesSent ?? 0),
    0,
  );
}
