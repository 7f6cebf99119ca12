/**
 * The content gate against the labelled corpus (test/fixtures/policy: 300+ messages written for
 * it in French, English, Dutch, Romanian, German and Spanish — legitimate mail with hard cases,
 * each forbidden sector, sensitive data, malware-risk attachments, bulk without unsubscribe).
 * Prints precision and recall per category and fails below precision 0.97 / recall 0.90 overall;
 * every hard negative must pass, and each refusal must name the expected category.
 */
import t from 'tap';
import { loadConfig } from '../src/config/index.ts';
import { createContentGate } from '../src/policy/filter/index.ts';
import { CATEGORY_OF, composeEntry, loadCorpus, loadHoldout, recipientsOf, type CorpusEntry } from './support/filter-corpus.ts';

const config = loadConfig({ env: {}, overrides: {} });
const gate = createContentGate(config.filter);
if (!gate) throw new Error('the gate is on by default');
const corpus = loadCorpus();

/** The label the gate's answer stands for: `ham` when accepted, else the refusing check's category. */
function predictedLabel(results: readonly { check: string; outcome: string; code?: string }[]): string {
  const decisive = results.find((r) => r.outcome === 'refuse' || r.outcome === 'hold');
  if (!decisive) return 'ham';
  if (decisive.check === 'sectors') return (decisive.code ?? '').replace(/^sector\./, '');
  return Object.entries(CATEGORY_OF).find(([, check]) => check === decisive.check)?.[0] ?? decisive.check;
}

interface Row { entry: CorpusEntry; predicted: string; detail: string }

async function classify(entries: readonly CorpusEntry[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const entry of entries) {
    const raw = await composeEntry(entry);
    const outcome = await gate!.evaluate(raw, { tenantId: 'corpus', mailFrom: 'news@sender.test', recipients: recipientsOf(entry), clientIp: '127.0.0.1' });
    const detail = outcome.record.results.map((r) => `${r.check}:${r.outcome}:${r.score}${r.detail ? ` ${r.detail}` : ''}`).join(' | ');
    rows.push({ entry, predicted: predictedLabel(outcome.record.results), detail });
  }
  return rows;
}

const rows = await classify(corpus);

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : a / b;
}

t.test('corpus size and languages', async (t) => {
  t.ok(corpus.length >= 300, `${corpus.length} messages`);
  const languages = new Set(corpus.map((e) => e.id.slice(0, 2)));
  t.same([...languages].sort(), ['de', 'en', 'es', 'fr', 'nl', 'ro']);
  t.equal(new Set(corpus.map((e) => e.id)).size, corpus.length, 'ids are unique');
});

t.test('precision and recall per category and overall', async (t) => {
  const labels = [...new Set(corpus.map((e) => e.label))].filter((l) => l !== 'ham').sort();
  const lines = ['category      n   precision  recall'];
  for (const label of labels) {
    const tp = rows.filter((r) => r.entry.label === label && r.predicted === label).length;
    const predicted = rows.filter((r) => r.predicted === label).length;
    const actual = rows.filter((r) => r.entry.label === label).length;
    lines.push(`${label.padEnd(12)} ${String(actual).padStart(3)}   ${ratio(tp, predicted).toFixed(3)}      ${ratio(tp, actual).toFixed(3)}`);
  }
  const refused = rows.filter((r) => r.predicted !== 'ham');
  const positives = rows.filter((r) => r.entry.label !== 'ham');
  const truePositives = refused.filter((r) => r.entry.label !== 'ham').length;
  const precision = ratio(truePositives, refused.length);
  const recall = ratio(truePositives, positives.length);
  lines.push(`overall (refuse vs pass): precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} over ${rows.length} messages`);
  const wrong = rows.filter((r) => r.predicted !== r.entry.label);
  for (const row of wrong) lines.push(`  miss ${row.entry.id}: expected ${row.entry.label}, got ${row.predicted} — ${row.detail.slice(0, 300)}`);
  t.comment(lines.join('\n'));
  t.ok(precision >= 0.97, `overall precision ${precision.toFixed(3)} ≥ 0.97`);
  t.ok(recall >= 0.9, `overall recall ${recall.toFixed(3)} ≥ 0.90`);
});

t.test('every hard negative passes (pharmacy invoices, shop stock, bank statements, casino the supermarket…)', async (t) => {
  const hard = rows.filter((r) => r.entry.hard);
  t.ok(hard.length >= 60, `${hard.length} hard negatives`);
  for (const row of hard) t.equal(row.predicted, 'ham', `${row.entry.id} passes${row.predicted === 'ham' ? '' : `: ${row.detail}`}`);
});

t.test('a refusal names the right category (no positive refused for the wrong reason)', async (t) => {
  const misnamed = rows.filter((r) => r.entry.label !== 'ham' && r.predicted !== 'ham' && r.predicted !== r.entry.label);
  t.same(misnamed.map((r) => `${r.entry.id}→${r.predicted}`), []);
});

t.test('held-out set (written after the rules were frozen): reported, bar at 0.9 / 0.8', async (t) => {
  const held = await classify(loadHoldout());
  const refused = held.filter((r) => r.predicted !== 'ham');
  const tp = refused.filter((r) => r.entry.label !== 'ham').length;
  const precision = ratio(tp, refused.length);
  const recall = ratio(tp, held.filter((r) => r.entry.label !== 'ham').length);
  const misses = held.filter((r) => r.predicted !== r.entry.label).map((r) => `  miss ${r.entry.id}: expected ${r.entry.label}, got ${r.predicted} — ${r.detail.slice(0, 200)}`);
  t.comment([`held-out: ${held.length} messages, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`, ...misses].join('\n'));
  t.ok(precision >= 0.9, 'held-out precision');
  t.ok(recall >= 0.8, 'held-out recall');
});
