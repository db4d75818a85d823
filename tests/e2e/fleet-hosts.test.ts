/**
 * A fleet of three hosts: three server processes, each in a network namespace of its
 * own with its own address (netns.ts), one Redis on the test machine, and Chromium there
 * too, reaching each host over the bridge as it would across a LAN. Every host has room
 * for one session: sessions asked of host A fill A, then B and C; a fourth is refused
 * with NO_CAPACITY and nothing is created; the session placed on another host plays in
 * Chromium from that host; a spectator who opens A's session on A is steered to another
 * host, which pipes A's stream and plays it in Chromium; when host A is killed (SIGKILL)
 * a fourth host D, with room, resumes its session, the player's page finds it there,
 * takes back its own seat and plays again, and the spectator's edge pipes it from D instead; SIGTERM drains a host
 * while its player watches.
 * Needs root (network namespaces); skipped with the reason otherwise.
 */
import { Browser, Page } from 'playwright-core';
import { launchChromium, pageState, waitForFrames, waitForMoreFrames } from '../helpers/browser';
import { FleetHost, FleetHosts } from '../helpers/fleet-hosts';
import { netnsUnavailable } from '../helpers/netns';
import { ask } from '../helpers/server';

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`fleet-hosts: skipped: ${unavailable}`);

type Created = { ok: true; session: { id: string }; token: string; placedAt?: string };

(unavailable ? describe.skip : describe)(
  'three hosts, one Redis, room for one session each',
  () => {
    let fleet: FleetHosts;
    let browser: Browser;
    const created: Created[] = [];

    beforeAll(async () => {
      fleet = await FleetHosts.create(4, {
        SESSIONS: '',
        SESSION_CAPACITY: '1',
        FRAME_SOURCE: 'engine',
        CONTROL_MODE: 'solo',
        MEDIA_WORKERS: '1',
        LOG_LEVEL: 'warn',
        DRAIN_TIMEOUT_MS: '20000',
        // The registry TTL of infra/k8s: a dead host's sessions are free after 3 s.
        STORE_TTL_MS: '3000',
        UNJOINED_CLOSE_MS: '600000',
      });
      for (let i = 0; i < 3; i++) await fleet.start(i);
      browser = await launchChromium();
    }, 120000);

    afterAll(async () => {
      await browser?.close();
      await fleet?.close();
    });

    it('places sessions asked of host A on A, then on B and C', async () => {
      const lobby = await fleet.lobby(fleet.hosts[0]);
      try {
        for (let i = 0; i < 3; i++)
          created.push((await ask(lobby, 'session:create', { name: `host-${i}` })) as Created);
      } finally {
        lobby.close();
      }
      expect(created.map((c) => c.ok)).toEqual([true, true, true]);
      expect(created[0].placedAt).toBeUndefined();
      expect(
        created
          .slice(1)
          .map((c) => fleet.at(c.placedAt!).name)
          .sort(),
      ).toEqual(['B', 'C']);
      for (const host of fleet.hosts)
        expect(await fleet.health(host)).toMatchObject({ sessions: 1, capacity: 1 });
    });

    it('refuses a fourth with NO_CAPACITY from any host, creating nothing', async () => {
      const lobby = await fleet.lobby(fleet.hosts[2]);
      try {
        expect(await ask(lobby, 'session:create', { name: 'one-too-many' })).toMatchObject({
          ok: false,
          error: { code: 'NO_CAPACITY' },
        });
      } finally {
        lobby.close();
      }
      for (const host of fleet.hosts) expect((await fleet.health(host)).sessions).toBe(1);
    });

    it('plays the session placed on another host in Chromium, from that host', async () => {
      const placed = created[1];
      const page = await browser.newPage();
      await page.goto(`${placed.placedAt}/s/${placed.session.id}#token=${placed.token}`);
      await waitForFrames(page, 20, 30000);
      const state = await pageState(page);
      expect(state.source).toBe('engine');
      expect(state.lastShownTick).toBeGreaterThan(0);
      await page.close();
    });

    let spectator: Page;
    let spectatorEdge: FleetHost;

    it("serves a spectator of A's session from another host, piped from A", async () => {
      const a = fleet.hosts[0];
      const session = created[0];
      spectator = await browser.newPage();
      // A spectator link to A's own server: the page is steered to an edge.
      await spectator.goto(`${a.url}/s/${session.session.id}?role=spectator`);
      await spectator.waitForURL((url) => url.origin !== a.url, { timeout: 15000 });
      spectatorEdge = fleet.at(new URL(spectator.url()).origin);
      expect(['B', 'C']).toContain(spectatorEdge.name);
      await waitForFrames(spectator, 20, 30000);
      const state = await pageState(spectator);
      expect(state.lastShownTick).toBeGreaterThan(0);
      expect(await spectator.textContent('#spectator-count')).toBe('1');
      // The edge relays the session; it does not serve one of its own for it.
      expect(await metric(spectatorEdge, 'worldtick_edge_relays')).toBe(1);
      expect(await metric(a, 'worldtick_edge_relays')).toBe(0);
    });

    it("resumes a killed host's session on a host with room; the player's page follows it", async () => {
      const d = await fleet.start(3); // D: the only host with room
      const a = fleet.hosts[0];
      const session = created[0];
      const page = await browser.newPage();
      await page.goto(`${a.url}/s/${session.session.id}#token=${session.token}`);
      await waitForFrames(page, 10, 30000);
      const { lastShownTick: before, memberId } = await pageState(page);

      a.server.child.kill('SIGKILL');
      await a.server.exited;
      const killed = performance.now();
      // The page asks the other hosts until one knows where the session went, and goes there.
      await page.waitForURL(`${d.url}/**`, { timeout: 30000 });
      await waitForFrames(page, 10, 30000);
      const videoAgainMs = performance.now() - killed;
      const after = await pageState(page);
      // The world goes on from where it was, not from its first tick, and the player has
      // its own seat back.
      expect(after.lastShownTick).toBeGreaterThan(before);
      expect(after.memberId).toBe(memberId);
      expect((await fleet.health(d)).sessions).toBe(1);
      console.log(`fleet-hosts: video again ${Math.round(videoAgainMs)} ms after SIGKILL`);
      await page.close();

      // The spectator stays on its edge, which now pipes the session from D.
      await waitForMoreFrames(spectator, 10, 30000);
      expect(new URL(spectator.url()).origin).toBe(spectatorEdge.url);
      expect((await pageState(spectator)).lastShownTick).toBeGreaterThan(after.lastShownTick);
      console.log(
        `fleet-hosts: spectator video again ${Math.round(performance.now() - killed)} ms after SIGKILL`,
      );
      await spectator.close();
    }, 90000);

    it('drains a host on SIGTERM while its player watches: told, unready, gone once they leave', async () => {
      const placed = created[2];
      const host = fleet.at(placed.placedAt!);
      const page = await browser.newPage();
      // The token admits one seat; the previous test used created[1]'s, this one is fresh.
      await page.goto(`${placed.placedAt}/s/${placed.session.id}#token=${placed.token}`);
      await waitForFrames(page, 10, 30000);

      host.server.child.kill('SIGTERM');
      await page.waitForFunction(
        () => document.getElementById('banner')?.textContent?.includes('shutting down'),
        undefined,
        { timeout: 10000 },
      );
      expect((await fetch(`${host.url}/readyz`)).status).toBe(503);
      // Still live for its player while it drains.
      await waitForMoreFrames(page, 10);

      const left = performance.now();
      await page.close();
      expect(await host.server.exited).toBe(0);
      expect(performance.now() - left).toBeLessThan(15000);
    });
  },
);

/** A gauge's value in the host's /metrics. */
async function metric(host: FleetHost, name: string): Promise<number> {
  const text = await (await fetch(`${host.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in ${host.name}'s /metrics`);
  return Number(line.split(' ')[1]);
}
