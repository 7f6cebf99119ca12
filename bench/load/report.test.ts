/**
 * Unit tests of the bench report: peer TSV rows (load.sh format, failed runs shown as FAIL),
 * Ferry JSONL records, and the Ferry/Postfix ratio lines at equal message size.
 */
import t from 'tap';
import { peerRowsFromTsv, renderReport, rowFromRecord } from './report.ts';

const TSV = [
  'label\tn\tsize\tconc\tingress_s\te2e_s\tingress_mps\te2e_mps\trelay_cores\tbox_cores\tharness_cores\tpeak_pss_mb\treceived\tdkim\tload_before',
  'postfix-dkim1-s5000\t5000\t5000\t50\t20.0\t20.0\t250.0\t250.0\t1.25\t2.0\t0.1\t250\t5000\tyes\t1.5',
  'postfix-dkim0-s5000\t5000\t5000\t50\t7.0\tfail\t700.0\tnan\tnan\t2.0\t0.1\t200\t4000\tno\t1.0',
].join('\n');

const ferry = {
  kind: 'e2e', label: 'ferry-e2e-s5000', ok: true, loadBefore: 2,
  params: { n: 5000, sizes: '5000:1', conc: 50, tls: 'starttls', auth: true, pipelining: true },
  ingress: { msgPerSec: 1000, acceptLatencyMs: { p50: 12.5, p99: 40 } },
  e2e: { msgPerSec: 500, dkimSigned: 6000, acceptToDeliveredMs: { p50: 100, p99: 900 } },
  cpu: { relayCores: 1.25 },
};

t.test('peer rows: numbers parsed, failed e2e is null', async (t) => {
  const [ok, failed] = peerRowsFromTsv(TSV);
  t.match(ok, { label: 'postfix-dkim1-s5000', size: '5000', ingress: 250, e2e: 250, relayCores: 1.25, dkim: 'yes', load: 1.5 });
  t.match(failed, { ingress: 700, e2e: null, relayCores: null });
});

t.test('report: table rows, FAIL for failed runs, ratios against each Postfix row of equal size', async (t) => {
  const text = renderReport([rowFromRecord(ferry), ...peerRowsFromTsv(TSV)]);
  t.match(text, /\| ferry-e2e-s5000 \| bench\/load\/source\.ts, starttls \+ AUTH, pipelining \| 5000 \| 5000 \| yes \| 1000 \| 500 \| 12\.5 \/ 40\.0 \| 100 \/ 900 \| 1\.25 \| 400 \|/);
  t.match(text, /\| postfix-dkim0-s5000 \|.*\| FAIL \|/);
  t.match(text, /\| ferry-e2e-s5000 \/ postfix-dkim1-s5000 \| 5000 \| 4\.00 \| 2\.00 \|/);
  t.match(text, /\| ferry-e2e-s5000 \/ postfix-dkim0-s5000 \| 5000 \| 1\.43 \| n\/a \|/);
});
