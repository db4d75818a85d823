/**
 * Test hosts on one machine: network namespaces joined by veth pairs to a bridge, each
 * with its own address, as separate machines on one LAN would be. The bridge's address
 * (the gateway) is the test machine itself, where Redis and the browser run. Needs root
 * and iproute2; `netnsUnavailable` says why not where it cannot work. `remove` deletes
 * every namespace, link and the bridge it made (veths go with their namespace).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestHost {
  /** Namespace name (for `ip netns exec`, spawnMain's `netns`). */
  netns: string;
  address: string;
}

export interface TestNetwork {
  /** The test machine's address on the bridge. */
  gateway: string;
  hosts: TestHost[];
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Why test hosts cannot be made here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `wtprobe${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (error) {
    return `ip netns does not work here: ${String(error).split('\n')[0]}`;
  }
}

/** `count` hosts on a fresh 10.<n>.<m>.0/24 subnet, named apart from any other run. */
export function createNetwork(count: number): TestNetwork {
  const tag = randomBytes(3).toString('hex');
  const subnet = `10.${200 + (parseInt(tag.slice(0, 2), 16) % 50)}.${parseInt(tag.slice(2, 4), 16)}`;
  const bridge = `wtbr${tag}`;
  const made: { netns: string[]; links: string[] } = { netns: [], links: [] };
  const remove = () => {
    for (const netns of made.netns.splice(0)) ignoreFailure(() => ip('netns', 'del', netns));
    for (const link of made.links.splice(0)) ignoreFailure(() => ip('link', 'del', link));
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    made.links.push(bridge);
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const hosts = Array.from({ length: count }, (_, i) => {
      const netns = `wt${tag}h${i}`;
      const outside = `wtv${tag}${i}`;
      const address = `${subnet}.${10 + i}`;
      ip('netns', 'add', netns);
      made.netns.push(netns);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      made.links.push(outside);
      ip('link', 'set', outside, 'master', bridge, 'up');
      const inside = (...args: string[]) => ip('-n', netns, ...args);
      inside('addr', 'add', `${address}/24`, 'dev', 'eth0');
      inside('link', 'set', 'eth0', 'up');
      inside('link', 'set', 'lo', 'up');
      inside('route', 'add', 'default', 'via', `${subnet}.1`);
      return { netns, address };
    });
    return { gateway: `${subnet}.1`, hosts, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

function ignoreFailure(run: () => unknown): void {
  try {
    run();
  } catch {
    // Already gone (a namespace takes its veth with it).
  }
}
