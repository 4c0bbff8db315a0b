import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createMetrics } from '../src/metrics/metrics.js';

// docs/alerts.yml and docs/grafana/hocba-gateway.json name only series /metrics exposes. There is
// no YAML package: the alert file is held to a plain subset (one `- alert:` and one `expr:` line
// per rule), which this test reads line by line.

const root = join(import.meta.dirname, '..');
const exposed = new Set(
  createMetrics(() => ({}) as never, 1000)
    .registry.getMetricsAsArray()
    .flatMap((m) => (m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name])),
);

t.test('the registry has every series the issue names', async (t) => {
  for (const n of ['hocba_records', 'hocba_intake_records_total', 'hocba_rejections_total', 'hocba_delivery_seconds_bucket', 'hocba_queue_oldest_age_seconds', 'hocba_circuit_state', 'hocba_signing_certificate_expiry_days', 'hocba_data_disk_free_bytes', 'hocba_data_disk_free_ratio']) {
    t.ok(exposed.has(n), n);
  }
});

t.test('alerts.yml: five rules, each on an exposed metric', async (t) => {
  const lines = readFileSync(join(root, 'docs', 'alerts.yml'), 'utf8').split('\n');
  const rules: { alert: string; expr?: string; for?: string }[] = [];
  for (const line of lines) {
    if (/^\s*#/.test(line) || !line.trim()) continue;
    t.notOk(/\t/.test(line), 'no tabs');
    const a = /^\s*- alert:\s*(\S+)\s*$/.exec(line);
    if (a) rules.push({ alert: a[1] });
    const e = /^\s*expr:\s*(.+)$/.exec(line);
    if (e) rules[rules.length - 1].expr = e[1];
    const f = /^\s*for:\s*(\S+)$/.exec(line);
    if (f) rules[rules.length - 1].for = f[1];
  }
  t.same(rules.map((r) => r.alert), ['HocbaQueueStuck', 'HocbaDeadRecordsRising', 'HocbaCircuitOpen', 'HocbaSigningCertificateExpiring', 'HocbaDataDiskLow']);
  for (const r of rules) {
    t.ok(r.expr && r.for, `${r.alert} has expr and for`);
    const names = r.expr!.match(/hocba_[a-z_]+/g) ?? [];
    t.ok(names.length > 0, `${r.alert} names a metric`);
    for (const n of names) t.ok(exposed.has(n), `${r.alert}: ${n} is exposed`);
  }
  t.match(rules.find((r) => r.alert === 'HocbaQueueStuck')!.expr, /> 3600/);
  t.equal(rules.find((r) => r.alert === 'HocbaCircuitOpen')!.for, '10m');
  t.match(rules.find((r) => r.alert === 'HocbaSigningCertificateExpiring')!.expr, /< 30/);
  t.match(rules.find((r) => r.alert === 'HocbaDataDiskLow')!.expr, /< 0\.10/);
});

t.test('the Grafana dashboard queries exposed metrics', async (t) => {
  const d = JSON.parse(readFileSync(join(root, 'docs', 'grafana', 'hocba-gateway.json'), 'utf8'));
  const exprs = (d.panels as { targets: { expr: string }[] }[]).flatMap((p) => p.targets.map((x) => x.expr));
  t.ok(exprs.length >= 9);
  for (const e of exprs) for (const n of e.match(/hocba_[a-z_]+/g) ?? []) t.ok(exposed.has(n), `${n} is exposed`);
});
