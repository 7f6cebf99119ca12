/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`, e.g. FERRY_NODE_ARGS in ferry-lib.sh):
 * the top functions by self time and by total time (a function counted once per sample even when
 * it recurses), plus self time grouped by package / project folder. Several files (the main
 * thread and each worker thread write one) are summarised one after the other.
 * `--callers NAME`: for samples inside a function whose name contains NAME, the nearest caller
 * outside Node's internals (who pays for a hot built-in such as writeBuffer).
 * Usage: node bench/profile-summary.ts [--top 25] [--callers NAME] FILE.cpuprofile...
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'npm:').replace(/^.*\/(src|bench)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

/** The package (npm:name) or project folder (src/delivery) a frame belongs to. */
function groupOf(frame: CallFrame): string {
  const url = frame.url;
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm) return `npm:${npm[1]}`;
  const own = /\/(src\/[^/]+|bench\/[^/]+)/.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return 'node-internals';
  return url === '' ? frame.functionName || '(vm)' : 'other';
}

function table(title: string, rows: Map<string, number>, totalMs: number, top: number): string {
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = sorted.map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${name}`);
  return [`-- ${title}`, ...lines].join('\n');
}

function summarise(file: string, top: number, callersOf?: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const groups = new Map<string, number>();
  const callers = new Map<string, number>();
  let sampled = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    sampled += ms;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + ms);
    const group = groupOf(node.callFrame);
    groups.set(group, (groups.get(group) ?? 0) + ms);
    if (callersOf !== undefined) creditCaller(id, ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  function creditCaller(id: number, ms: number): void {
    let matched = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) return;
      if (!matched) matched = frame.functionName.includes(callersOf as string);
      else if (!frame.url.startsWith('node:') && frame.url !== '') {
        const key = frameName(frame);
        callers.set(key, (callers.get(key) ?? 0) + ms);
        return;
      }
    }
  }
  const idle = self.get('(idle)') ?? 0;
  const busy = sampled - idle;
  return [
    `== ${basename(file)}: ${(sampled / 1000).toFixed(1)} s sampled, busy ${(busy / 1000).toFixed(1)} s (idle ${(idle / 1000).toFixed(1)} s); % of busy`,
    table('self time by package / folder', groups, busy, top),
    table('self time', self, busy, top),
    table('total time (inclusive)', total, busy, top),
    ...(callersOf === undefined ? [] : [table(`nearest non-internal callers of *${callersOf}*`, callers, busy, top)]),
  ].join('\n');
}

const args = process.argv.slice(2);
let top = 25;
let callersOf: string | undefined;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--callers') callersOf = args[++i];
  else files.push(args[i] as string);
}
if (files.length === 0) {
  console.error('usage: node bench/profile-summary.ts [--top N] [--callers NAME] FILE.cpuprofile...');
  process.exit(2);
}
for (const file of files) console.log(summarise(file, top, callersOf));
