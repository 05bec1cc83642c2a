import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { parse } from 'yaml';

/**
 * Issue #14: the two-replica examples the README points to (deploy/ha) say what HA needs: two
 * replicas of `run`, time for SIGTERM to drain and hand the lease over, and (Kubernetes) the
 * replicas on different nodes, a standby counted ready by /readyz.
 */
describe('the two-replica deployment examples (#14)', () => {
  it('compose runs `run` twice with a grace period for the hand-over', async () => {
    const doc = parse(await readFile('deploy/ha/compose.yaml', 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const svc = doc.services['cidaas-sync']!;
    expect(svc['command']).to.deep.equal(['run', '--config', '/etc/cidaas-sync/config.yaml']);
    expect((svc['deploy'] as { replicas: number }).replicas).to.equal(2);
    expect(svc['stop_grace_period']).to.equal('60s');
  });

  it('the Kubernetes Deployment runs two replicas on different nodes, probed by /readyz and /healthz', async () => {
    type Probe = { httpGet: { path: string } };
    const doc = parse(await readFile('deploy/ha/kubernetes.yaml', 'utf8')) as {
      kind: string;
      spec: { replicas: number; template: { spec: {
        terminationGracePeriodSeconds: number;
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { topologyKey: string }[] } };
        containers: { args: string[]; readinessProbe: Probe; livenessProbe: Probe }[];
      } } };
    };
    expect(doc.kind).to.equal('Deployment');
    expect(doc.spec.replicas).to.equal(2);
    const pod = doc.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(30);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]!.topologyKey).to.equal('kubernetes.io/hostname');
    const c = pod.containers[0]!;
    expect(c.args[0]).to.equal('run');
    expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]).to.deep.equal(['/readyz', '/healthz']);
  });
});
