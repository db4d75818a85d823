/**
 * A fleet of worldtick hosts for tests and benchmarks: one network namespace per host
 * (netns.ts), the main command in each on its own address, one Redis on the test
 * machine's bridge address, one join secret and operator key for the whole fleet.
 * `start(i)` starts host i (hosts can join later, as a scaled-up fleet's would);
 * `close` kills what still runs and removes the Redis and the network.
 */
import type { RunningServer } from '../../server/app';
import { createNetwork, TestNetwork } from './netns';
import { liveUrl, ServerProcess, spawnMain } from './process';
import { OwnRedis, startOwnRedis } from './redis';
import { connect } from './server';

export interface FleetHost {
  /** A, B, C, ... */
  name: string;
  url: string;
  server: ServerProcess;
}

export const FLEET_JOIN_SECRET = 'one-secret-for-the-whole-fleet';
export const FLEET_CREATE_KEY = 'one-operator-key-for-the-fleet';

export class FleetHosts {
  readonly hosts: FleetHost[] = [];

  private constructor(
    private readonly network: TestNetwork,
    private readonly redis: OwnRedis,
    private readonly env: Record<string, string>,
  ) {}

  /** `size` host slots; `env` is every host's configuration besides its address and the store. */
  static async create(size: number, env: Record<string, string>): Promise<FleetHosts> {
    const network = createNetwork(size);
    try {
      const redis = await startOwnRedis({ host: network.gateway });
      return new FleetHosts(network, redis, env);
    } catch (error) {
      network.remove();
      throw error;
    }
  }

  async start(i: number): Promise<FleetHost> {
    const { netns, address } = this.network.hosts[i];
    const server = spawnMain(
      {
        ...this.env,
        HOST: address,
        PORT: '3000',
        MEDIA_LISTEN_IP: address,
        PUBLIC_URL: `http://${address}:3000`,
        STORE_URL: this.redis.url,
        JOIN_SECRET: FLEET_JOIN_SECRET,
        CREATE_KEY: FLEET_CREATE_KEY,
      },
      netns,
    );
    const host = { name: String.fromCharCode(65 + i), url: await liveUrl(server, 60000), server };
    this.hosts[i] = host;
    return host;
  }

  at(url: string): FleetHost {
    const host = this.hosts.find((h) => h?.url === url);
    if (!host) throw new Error(`no host of the fleet at ${url}`);
    return host;
  }

  /** A lobby connection to a host, holding the fleet's operator key. */
  lobby(host: FleetHost) {
    return connect({ url: host.url, createKey: FLEET_CREATE_KEY } as RunningServer);
  }

  async health(host: FleetHost): Promise<{ sessions: number; capacity: number }> {
    return (await fetch(`${host.url}/healthz`)).json();
  }

  async close(): Promise<void> {
    for (const { server } of this.hosts.filter(Boolean)) {
      if (server.child.exitCode === null && server.child.signalCode === null)
        server.child.kill('SIGKILL');
      await server.exited;
    }
    await this.redis.stop();
    this.network.remove();
  }
}
