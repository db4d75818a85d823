/**
 * The fleet bus over Redis pub/sub. Each listening process subscribes to its own
 * channel, `<prefix>bus:<processId>`; an asker publishes `{id, replyTo, body}` there
 * and waits on its own reply channel. PUBLISH answers how many subscribers got the
 * message, so a request to a process that is gone fails at once (NO_PROCESS) rather
 * than at its timeout. Subscriptions need a connection of their own: one per store,
 * opened on first use, resubscribed by the client after an outage.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { answer, Handler, noAnswer, nobodyListens, Reply, unwrap, within } from './fleet-bus';
import type { RedisClient } from './redis-expiring-records';
import type { FleetBus } from './state-store';

const RequestMessage = z.object({ id: z.string(), replyTo: z.string(), body: z.unknown() });
const ReplyMessage = z.object({
  id: z.string(),
  reply: z.union([
    z.object({ ok: z.literal(true), body: z.unknown() }),
    z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
  ]),
});

interface Pending {
  resolve: (reply: Reply) => void;
}

export class RedisBus implements FleetBus {
  private subscriber: Promise<RedisClient> | null = null;
  private readonly replyChannel: string;
  private replies: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    this.replyChannel = `${prefix}bus:reply:${randomUUID()}`;
  }

  async listen(processId: string, handler: Handler): Promise<void> {
    const subscriber = await this.connection();
    await subscriber.subscribe(this.channelOf(processId), (message) => {
      const parsed = RequestMessage.safeParse(safeJson(message));
      if (!parsed.success) return; // not ours to answer: nothing to reply to
      const { id, replyTo, body } = parsed.data;
      void answer(handler, body).then((reply) =>
        this.client.publish(replyTo, JSON.stringify({ id, reply })).catch(() => {}),
      );
    });
  }

  async request(processId: string, body: unknown, timeoutMs: number): Promise<unknown> {
    await this.listenForReplies();
    const id = randomUUID();
    const replied = new Promise<Reply>((resolve) => this.pending.set(id, { resolve }));
    try {
      const message = JSON.stringify({ id, replyTo: this.replyChannel, body });
      const receivers = await this.client.publish(this.channelOf(processId), message);
      if (receivers === 0) throw nobodyListens(processId);
      return unwrap(await within(replied, timeoutMs, () => noAnswer(processId, timeoutMs)));
    } finally {
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    const subscriber = await this.subscriber?.catch(() => null);
    this.subscriber = null;
    if (subscriber?.isOpen) subscriber.destroy();
  }

  private listenForReplies(): Promise<void> {
    this.replies ??= this.connection().then((subscriber) =>
      subscriber.subscribe(this.replyChannel, (message) => {
        const parsed = ReplyMessage.safeParse(safeJson(message));
        if (parsed.success) this.pending.get(parsed.data.id)?.resolve(parsed.data.reply as Reply);
      }),
    );
    return this.replies;
  }

  private connection(): Promise<RedisClient> {
    this.subscriber ??= (async () => {
      const subscriber = this.client.duplicate();
      // The store's own connection reports outages; this one only rides them out.
      subscriber.on('error', () => {});
      await subscriber.connect();
      return subscriber as RedisClient;
    })();
    return this.subscriber;
  }

  private channelOf(processId: string): string {
    return `${this.prefix}bus:${processId}`;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
