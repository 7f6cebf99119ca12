/**
 * The bounce parser against the real corpus (../shared/corpus/bounces: 303 emails from ~50 MTAs,
 * expected results from Sisimai's tables) scored by the corpus's own score.mjs. Emails are parsed
 * in-process (fast); score.mjs then reads each answer through a lookup command; a few emails go
 * through the real `ferry bounce parse` to prove the wiring. Asserts today's floors (all at or above
 * the targets), prints the targets and the figures for its two halves (even / odd lines of
 * expected.jsonl) and their sum, the whole corpus.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBounce, toContract } from '../src/feedback/bounce/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const corpusPath = process.env.FERRY_BOUNCE_CORPUS ?? resolve(here, '../../shared/corpus/bounces');
// score.mjs runs only when its own real path equals argv[1], so a symlinked shared/ needs the real path
const corpusDir = existsSync(corpusPath) ? realpathSync(corpusPath) : corpusPath;
const cliEntry = resolve(here, '../src/bin.js');
/** The targets (Sisimai, the reference parser, scores ≈ 0.98). */
const TARGETS = { bounce: 0.98, hard: 0.97, reason: 0.9, recipient: 0.97 };
/**
 * What the parser reaches today (whole corpus: bounce 1.000, recipient 0.988, hard/soft 0.971,
 * reason 0.955), rounded down by ~0.005 but never below the targets, which it meets: asserted so
 * that no change makes it worse. hard/soft has one recipient of margin over its target.
 */
const FLOORS = { bounce: 0.995, hard: 0.97, reason: 0.95, recipient: 0.983 };

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], input: Buffer | undefined, timeoutMs: number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: AbortSignal.timeout(timeoutMs) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

type Metric = 'bounce' | 'recipient' | 'hard' | 'reason' | 'status';
type Counts = Record<Metric, { ok: number; n: number }>;
const LABELS: Record<Metric, string> = {
  bounce: 'bounce detection', recipient: 'recipient found', hard: 'hard/soft', reason: 'reason \\(common set\\)', status: 'status exact',
};

/** The ok/total counts score.mjs prints for each metric. */
function countsOf(report: string): Counts {
  const entries = (Object.keys(LABELS) as Metric[]).map((metric) => {
    const m = new RegExp(`^${LABELS[metric]}\\s+(\\d+)/(\\d+)`, 'm').exec(report);
    if (!m) throw new Error(`score.mjs output lacks "${metric}":\n${report}`);
    return [metric, { ok: Number(m[1]), n: Number(m[2]) }] as const;
  });
  return Object.fromEntries(entries) as Counts;
}

function combine(a: Counts, b: Counts): Counts {
  const keys = Object.keys(a) as Metric[];
  return Object.fromEntries(keys.map((k) => [k, { ok: a[k].ok + b[k].ok, n: a[k].n + b[k].n }])) as Counts;
}

const ratio = (c: Counts, metric: Metric) => c[metric].ok / c[metric].n;
const describe = (c: Counts) => (Object.keys(LABELS) as Metric[])
  .map((k) => `${k} ${c[k].ok}/${c[k].n}=${ratio(c, k).toFixed(3)}`).join('  ');

t.test('bounce corpus scored by score.mjs', { skip: existsSync(join(corpusDir, 'score.mjs')) ? false : `no corpus at ${corpusDir}` }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'ferry-bounce-corpus-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const lines = readFileSync(join(corpusDir, 'expected.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const records = lines.map((l) => JSON.parse(l) as { file: string });
  t.ok(records.length >= 300, `corpus has ${records.length} emails`);

  const answers: Record<string, unknown> = {};
  const started = performance.now();
  for (const record of records) {
    const raw = readFileSync(join(corpusDir, 'emails', record.file));
    answers[createHash('sha256').update(raw).digest('hex')] = toContract(parseBounce(raw));
  }
  t.comment(`parsed ${records.length} emails in-process in ${(performance.now() - started).toFixed(0)} ms`);
  writeFileSync(join(work, 'answers.json'), JSON.stringify(answers));
  writeFileSync(join(work, 'lookup.mjs'), [
    "import { readFileSync } from 'node:fs'; import { createHash } from 'node:crypto';",
    "const answers = JSON.parse(readFileSync(process.argv[2], 'utf8')); const raw = readFileSync(0);",
    "process.stdout.write(JSON.stringify(answers[createHash('sha256').update(raw).digest('hex')] ?? null) + '\\n');",
  ].join('\n'));
  writeFileSync(join(work, 'even.jsonl'), lines.filter((_, i) => i % 2 === 0).join('\n') + '\n');
  writeFileSync(join(work, 'odd.jsonl'), lines.filter((_, i) => i % 2 === 1).join('\n') + '\n');

  const score = async (expected: string) => {
    const command = `"${process.execPath}" "${join(work, 'lookup.mjs')}" "${join(work, 'answers.json')}"`;
    const result = await run([join(corpusDir, 'score.mjs'), '--corpus', join(corpusDir, 'emails'), '--expected', expected,
      '--concurrency', '8', '--cmd', command], undefined, 120_000);
    if (result.code !== 0) throw new Error(`score.mjs failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  // The two halves together are the whole corpus; score.mjs prints counts, so they add up exactly.
  const even = countsOf(await score(join(work, 'even.jsonl')));
  const odd = countsOf(await score(join(work, 'odd.jsonl')));
  const all = combine(even, odd);
  t.comment(`whole corpus: ${describe(all)}`);
  t.comment(`even half:    ${describe(even)}`);
  t.comment(`odd half:     ${describe(odd)}`);

  t.ok(ratio(all, 'bounce') >= FLOORS.bounce, `bounce detection ${ratio(all, 'bounce').toFixed(3)} >= floor ${FLOORS.bounce} (target ${TARGETS.bounce})`);
  t.ok(ratio(all, 'hard') >= FLOORS.hard, `hard/soft ${ratio(all, 'hard').toFixed(3)} >= floor ${FLOORS.hard} (target ${TARGETS.hard})`);
  t.ok(ratio(all, 'reason') >= FLOORS.reason, `reason ${ratio(all, 'reason').toFixed(3)} >= floor ${FLOORS.reason} (target ${TARGETS.reason})`);
  t.ok(ratio(all, 'recipient') >= FLOORS.recipient, `recipient ${ratio(all, 'recipient').toFixed(3)} >= floor ${FLOORS.recipient} (target ${TARGETS.recipient})`);
  // The halves must tell the same story: a big gap would mean rules fitted to one half's files.
  t.ok(Math.abs(ratio(even, 'hard') - ratio(odd, 'hard')) <= 0.08, 'hard/soft of the two halves within 0.08');
});

t.test('`ferry bounce parse` (the real CLI) prints the same verdict as the parser', { skip: existsSync(join(corpusDir, 'emails')) ? false : 'no corpus' }, async (t) => {
  const samples = ['lhost-postfix-13.eml', 'lhost-exim-02.eml', 'arf-16.eml', 'rfc3834-02.eml'];
  for (const name of samples) {
    const raw = readFileSync(join(corpusDir, 'emails/maildir/bsd', name));
    const result = await run([cliEntry, 'bounce', 'parse'], raw, 30_000);
    t.equal(result.code, 0, `${name}: exit 0 ${result.stderr}`);
    t.same(JSON.parse(result.stdout), toContract(parseBounce(raw)), `${name}: CLI output = in-process output`);
  }
  const withJson = await run([cliEntry, '--json', 'bounce', 'parse'], Buffer.from('Subject: hello\r\n\r\nhi\r\n'), 30_000);
  t.same(JSON.parse(withJson.stdout), { bounce: false, feedback: false, recipients: [] }, '--json accepted, ordinary mail is not a bounce');
});
