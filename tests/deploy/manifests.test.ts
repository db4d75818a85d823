/**
 * The container image and the Kubernetes manifests (infra/container, infra/k8s) cannot
 * run here (no container engine, no cluster), so they are rendered and checked against
 * the server they deploy: every kustomization renders with kubectl's kustomize, the
 * environment they give is a valid configuration of this server, the probe paths answer
 * as the probes expect, the drain fits the grace period, the autoscaler's metric is one
 * the server exports, GPU pods ask for a GPU and the CUDA provider, and the image ships
 * the worker's shared libraries that infra/setup.sh lists.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../server/config';
import { Metrics } from '../../server/metrics';
import { createRoutes } from '../../server/web/http-app';

const ROOT = path.resolve(__dirname, '../..');
const KUBECTL = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface K8sObject {
  kind: string;
  metadata: { name: string };
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function render(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', path.join(ROOT, dir)], { encoding: 'utf8' });
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} "${name}" in the rendered manifests`);
  return found;
};

const SESSION = 'worldtick-session';
const EDGE = 'worldtick-edge';

const sessionContainer = (objects: K8sObject[], deployment = SESSION) =>
  find(objects, 'Deployment', deployment).spec.template.spec.containers[0];

/** The environment a pod of `deployment` starts with: the ConfigMap, then the container's own values. */
function podEnvironment(objects: K8sObject[], deployment = SESSION): Record<string, string> {
  const config = find(objects, 'ConfigMap', 'worldtick-config').data as Record<string, string>;
  const own = Object.fromEntries(
    sessionContainer(objects, deployment)
      .env.filter((e: { value?: string }) => e.value !== undefined)
      .map((e: { name: string; value: string }) => [
        e.name,
        // $(NODE_IP) is filled by the kubelet from the downward API.
        e.value.replace('$(NODE_IP)', '10.0.0.7'),
      ]),
  );
  // The Secret is the operator's (kubectl create secret): stand-ins of valid length.
  return {
    ...config,
    ...own,
    JOIN_SECRET: 'x'.repeat(32),
    CREATE_KEY: 'y'.repeat(32),
  };
}

const describeRendered = KUBECTL ? describe : describe.skip;
if (!KUBECTL)
  console.warn(
    'kubectl is not installed: the manifests are not rendered or checked (install kubectl)',
  );

describeRendered.each([['infra/k8s/base'], ['infra/k8s/overlays/gpu']])('%s', (dir) => {
  const objects = render(dir);

  it('renders the fleet: Redis, the shared config, session processes, their Service and autoscaler', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/worldtick-config',
        'Deployment/redis',
        'Deployment/worldtick-edge',
        'Deployment/worldtick-session',
        'HorizontalPodAutoscaler/worldtick-edge',
        'HorizontalPodAutoscaler/worldtick-session',
        'PodDisruptionBudget/worldtick-edge',
        'PodDisruptionBudget/worldtick-session',
        'Service/redis',
        'Service/worldtick',
      ]),
    );
  });

  it.each([
    [SESSION, 3000],
    [EDGE, 3001],
  ])(
    'gives %s pods a valid configuration of this server, naming no unknown variable',
    (deployment, port) => {
      const env = podEnvironment(objects, deployment);
      const unknown = Object.keys(env).filter(
        (key) => key !== 'NODE_IP' && !(CONFIG_KEYS as string[]).includes(key),
      );
      expect(unknown).toEqual([]);
      const config = loadConfig(env);
      expect(config.STORE_URL).toBe('redis://redis:6379');
      expect(config.PUBLIC_URL).toBe(`http://10.0.0.7:${port}`);
      expect(config.MEDIA_ANNOUNCED_ADDRESS).toBe('10.0.0.7');
    },
  );

  it('runs edges that serve no session of their own, beside session pods on one node', () => {
    const session = loadConfig(podEnvironment(objects, SESSION));
    const edge = loadConfig(podEnvironment(objects, EDGE));
    expect(edge.SESSION_CAPACITY).toBe(0);
    expect(session.SESSION_CAPACITY).toBeUndefined(); // measured
    // Both use host networking: their ports must not meet.
    expect(edge.PORT).not.toBe(session.PORT);
    expect(
      edge.RTC_MIN_PORT > session.RTC_MAX_PORT || edge.RTC_MAX_PORT < session.RTC_MIN_PORT,
    ).toBe(true);
  });

  it.each([SESSION, EDGE])(
    'probes %s on paths the server answers as the probes expect, on its port',
    async (deployment) => {
      const container = sessionContainer(objects, deployment);
      const env = podEnvironment(objects, deployment);
      const http = container.ports.find((p: { name: string }) => p.name === 'http');
      expect(http.containerPort).toBe(loadConfig(env).PORT);
      let draining = false;
      const route = createRoutes({
        client: { page: Buffer.from(''), assets: new Map(), dir: '' },
        metrics: new Metrics().registry,
        health: () => ({ ok: true }),
        ready: () => !draining,
      });
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
        expect((await route('GET', container[probe].httpGet.path)).status).toBe(200);
      draining = true;
      expect((await route('GET', container.readinessProbe.httpGet.path)).status).toBe(503);
      expect((await route('GET', container.livenessProbe.httpGet.path)).status).toBe(200);
    },
  );

  it('lets the preStop pause and the whole drain finish within the grace period', () => {
    const pod = find(objects, 'Deployment', 'worldtick-session').spec.template.spec;
    const [command, seconds] = sessionContainer(objects).lifecycle.preStop.exec.command;
    expect(command).toBe('sleep');
    const { DRAIN_TIMEOUT_MS } = loadConfig(podEnvironment(objects));
    // The drain, then closing sessions and the store (a few seconds at most).
    const closeAllowanceMs = 5000;
    expect(Number(seconds) * 1000 + DRAIN_TIMEOUT_MS + closeAllowanceMs).toBeLessThanOrEqual(
      pod.terminationGracePeriodSeconds * 1000,
    );
  });

  it.each([SESSION, EDGE])(
    'autoscales %s on a metric this server exports at /metrics',
    async (deployment) => {
      const hpa = find(objects, 'HorizontalPodAutoscaler', deployment);
      const name = hpa.spec.metrics[0].pods.metric.name;
      const exported = (await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name);
      expect(exported).toContain(name);
    },
  );

  it('announces the node address for WebRTC with host networking', () => {
    const pod = find(objects, 'Deployment', 'worldtick-session').spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    const config = loadConfig(podEnvironment(objects));
    expect(config.MEDIA_LISTEN_IP).toBe('0.0.0.0');
    expect(config.RTC_MAX_PORT).toBeGreaterThan(config.RTC_MIN_PORT);
  });
});

describeRendered('infra/k8s/overlays/gpu (GPU nodes)', () => {
  it('asks for a GPU, selects the CUDA provider and runs the CUDA image', () => {
    const objects = render('infra/k8s/overlays/gpu');
    const container = sessionContainer(objects);
    expect(container.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(loadConfig(podEnvironment(objects)).GENERATOR_PROVIDER).toBe('cuda');
    expect(container.image).toBe('worldtick:cuda');
    const base = sessionContainer(render('infra/k8s/base'));
    expect(base.resources.limits?.['nvidia.com/gpu']).toBeUndefined();
  });
});

describe('infra/container/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'infra/container/Dockerfile'), 'utf8');
  const setup = readFileSync(path.join(ROOT, 'infra/setup.sh'), 'utf8');

  it('installs every shared library the offline-built worker links (infra/setup.sh)', () => {
    const libs = /WORKER_LIBS=\(([^)]*)\)/.exec(setup)![1].split(/\s+/).filter(Boolean);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    for (const lib of libs.filter((l) => l !== 'libstdc++6')) expect(runtime).toContain(lib);
  });

  it('builds the worker offline with the project script and points the server at it', () => {
    expect(dockerfile).toContain('infra/mediasoup/ensure-worker.sh');
    const bin = /MEDIASOUP_WORKER_BIN=(\S+)/.exec(
      dockerfile.slice(dockerfile.indexOf('AS runtime')),
    );
    expect(bin?.[1]).toBe('/opt/worldtick/mediasoup-worker');
    expect(dockerfile).toMatch(/ONNXRUNTIME_NODE_INSTALL=\$\{ONNXRUNTIME_NODE_INSTALL\}/);
  });
});
