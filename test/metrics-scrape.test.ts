/**
 * /metrics of a real relay process after a mixed load: delivered (sink on 127.0.0.1), bounced
 * (a sink answering 550 5.1.1), stuck (a receiver that never greets; one connection per path so
 * the rest wait), and a failed AUTH. The scraped series must show exactly those counts; the
 * stuck path's oldest-age gauge grows between two scrapes, and the FerryQueueStuck rule of
 * deploy/prometheus/ferry-alerts.yml fires in a promtool rule test fed from those samples.
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startRelayProcess } from './support/relay-process.ts';
import { provisionOperatorTenant, sendAs } from './support/operator-relay.ts';
import { startSmtpSink } from './support/smtp-sink.ts';

const execFileAsync = promisify(execFile);
const ALERTS = new URL('../deploy/prometheus/ferry-alerts.yml', import.meta.url);

interface Sample { readonly name: string; readonly labels: Record<string, string>; readonly value: number }

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  t.equal(response.status, 200);
  return parseExposition(await response.text());
}

async function silentReceiver(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

/** FerryQueueStuck evaluated by promtool on a series that starts at the scraped value and grows at the measured rate. */
async function promtoolStuckTest(t: Test, labels: Record<string, string>, start: number, perSecond: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-promtool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Annotations are templates of $value; the unit test checks the expression, so they are dropped.
  const rules = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: { rules: { annotations?: unknown }[] }[] };
  for (const group of rules.groups) for (const rule of group.rules) delete rule.annotations;
  writeFileSync(join(dir, 'rules.yml'), toYaml(rules));
  const series = `ferry_queue_oldest_age_seconds{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  const expected = { severity: 'page', egress_ip: labels.egress_ip, site: labels.site };
  const test = {
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: [
        { series, values: `${start.toFixed(3)}+${(perSecond * 60).toFixed(3)}x60` },
        { series: 'ferry_queue_oldest_age_seconds{egress_ip="127.0.0.1",site="healthy"}', values: '0+0x60' },
      ],
      alert_rule_test: [
        { eval_time: '20m', alertname: 'FerryQueueStuck', exp_alerts: [] },
        { eval_time: '45m', alertname: 'FerryQueueStuck', exp_alerts: [{ exp_labels: expected }] },
      ],
    }],
  };
  writeFileSync(join(dir, 'test.yml'), toYaml(test));
  const { stdout } = await execFileAsync('promtool', ['test', 'rules', join(dir, 'test.yml')], { timeout: 30_000 });
  t.match(stdout, /SUCCESS/, 'promtool: FerryQueueStuck fires for the stuck path only, and only after 30m + 5m');
}

t.test('mixed load: outcome, ingress, latency, queue, spool and credit series with correct counts', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-metrics-'));
  const ok = await startSmtpSink({ host: '127.0.0.1', starttls: false });
  const bad = await startSmtpSink({ host: '127.0.0.1', starttls: false, rcpt: () => ({ code: 550, text: '5.1.1 no such user' }) });
  const stuck = await silentReceiver();
  t.teardown(async () => { stuck.close(); await ok.stop(); await bad.stop(); rmSync(dataDir, { recursive: true, force: true }); });
  const { apiKey } = await provisionOperatorTenant(dataDir);
  const routes = { 'ok.test': `127.0.0.1:${ok.port}`, 'bad.test': `127.0.0.1:${bad.port}`, 'stuck.test': `127.0.0.1:${stuck.port}` };
  const relay = await startRelayProcess(dataDir, { FERRY_DELIVERY_ROUTES: JSON.stringify(routes), FERRY_DELIVERY_LIMITS_MAX_CONNECTIONS: '1' });
  t.teardown(() => relay.kill('SIGKILL'));
  const { submission, metrics } = relay.ports as typeof relay.ports & { metrics: number };

  await sendAs(submission, apiKey, ['a@ok.test', 'b@ok.test', 'c@ok.test', 'd@ok.test', 'e@bad.test', 'f@bad.test', 'g@stuck.test', 'h@stuck.test', 'i@stuck.test']);
  const wrong = nodemailer.createTransport({ host: '127.0.0.1', port: submission, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'queueco', pass: 'fy_wrong' } });
  await t.rejects(wrong.sendMail({ from: 'app@queue.test', to: 'x@ok.test', text: 'x' }), /535/);
  wrong.close();
  await ok.waitForMessages(4, 30_000);
  // Poll (bounded) until the stuck path has its three deliveries routed and aged past a second.
  const stuckSite = `route:127.0.0.1:${stuck.port}`;
  let first = await scrape(metrics);
  for (let i = 0; i < 40 && !(total(first, 'ferry_queue_depth', { site: stuckSite }) === 2 && total(first, 'ferry_queue_oldest_age_seconds', { site: stuckSite }) >= 1); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    first = await scrape(metrics);
  }
  const firstAt = Date.now();
  t.equal(total(first, 'ferry_outcomes_total', { type: 'Reception' }), 9, 'nine receptions');
  t.equal(total(first, 'ferry_outcome_recipients_total', { type: 'Delivery' }), 4, 'four delivered');
  t.equal(total(first, 'ferry_outcome_recipients_total', { type: 'Bounce' }), 2, 'two bounced');
  t.equal(total(first, 'ferry_outcomes_total', { type: 'Bounce', egress_ip: '127.0.0.1' }), 2, 'bounces by egress IP');
  t.equal(total(first, 'ferry_ingress_replies_total', { code: '535' }), 1, 'one 535');
  t.equal(total(first, 'ferry_ingress_accept_seconds_count'), 9, 'accept latency per accepted message');
  t.equal(total(first, 'ferry_accept_to_delivered_seconds_count'), 4, 'accept→delivered per delivered delivery');
  t.ok(total(first, 'ferry_ingress_sessions_total') >= 2, 'sessions counted');
  t.equal(total(first, 'ferry_spool_messages'), 3, 'the stuck messages remain in the spool');
  t.ok(total(first, 'ferry_state_store_seconds_count', { op: 'appendOutcomes', result: 'ok' }) > 0, 'state store latency');
  t.ok(first.some((s) => s.name === 'ferry_credits_available'), 'credits per tenant');
  t.ok(first.some((s) => s.name === 'ferry_nodejs_eventloop_lag_seconds'), 'event loop lag');
  t.ok(first.some((s) => s.name === 'ferry_process_resident_memory_bytes'), 'process metrics');
  const stuckSample = first.find((s) => s.name === 'ferry_queue_oldest_age_seconds' && s.labels.site === `route:127.0.0.1:${stuck.port}`);
  t.ok(stuckSample && stuckSample.value >= 1, `stuck path oldest age ${stuckSample?.value}s`);
  t.equal(total(first, 'ferry_queue_depth', { site: `route:127.0.0.1:${stuck.port}` }), 2, 'two wait behind the stuck one');

  await new Promise((resolve) => setTimeout(resolve, 2000));
  const second = await scrape(metrics);
  const later = second.find((s) => s.name === 'ferry_queue_oldest_age_seconds' && s.labels.site === stuckSample?.labels.site);
  const perSecond = ((later?.value ?? 0) - (stuckSample?.value ?? 0)) / ((Date.now() - firstAt) / 1000);
  t.ok(perSecond > 0.5 && perSecond < 1.5, `the oldest age grows with the clock (${perSecond.toFixed(2)} s/s)`);

  if (existsSync('/usr/bin/promtool')) await promtoolStuckTest(t, later!.labels, later!.value, perSecond);
  else t.ok(later!.value + perSecond * 35 * 60 > 1800, 'no promtool: the expression threshold is crossed within 35 minutes at the measured rate');
});

t.test('deploy/prometheus/ferry-alerts.yml passes promtool check rules', { skip: !existsSync('/usr/bin/promtool') && 'promtool not installed' }, async (t) => {
  const { stdout } = await execFileAsync('promtool', ['check', 'rules', ALERTS.pathname], { timeout: 30_000 });
  t.match(stdout, /SUCCESS: 7 rules found/);
});
