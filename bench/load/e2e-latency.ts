/**
 * Accept → delivered latency for a bench run: joins the load source's accept log
 * (`benchId<TAB>acceptedAtEpochMs<TAB>latencyMs`) with the files Postfix's `smtp-sink -d DIR/m.`
 * wrote (one per delivered message; its mtime is when the sink finished receiving it; the
 * message's `X-Bench-Id:` header names it). Usage: node bench/load/e2e-latency.ts ACCEPT_LOG DUMP_DIR
 * Prints JSON: matched, missing, duplicates, dkimSigned, latencyMs, deliveredPerSec. Exports `joinLatencies`.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { summarize, type LatencySummary } from './stats.ts';

export interface E2eLatency {
  readonly accepted: number;
  readonly delivered: number;
  readonly matched: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly unknown: number;
  /** Delivered files that carry a DKIM-Signature header. */
  readonly dkimSigned: number;
  readonly latencyMs: LatencySummary;
  /** matched / (last delivery − first accept), msg/s. */
  readonly deliveredPerSec: number | null;
}

export interface Delivered {
  readonly benchId: string | null;
  readonly atMs: number;
  readonly dkim: boolean;
}

/** Pure join of accept times and delivery times. */
export function joinLatencies(accepted: ReadonlyMap<string, number>, delivered: readonly Delivered[]): E2eLatency {
  const seen = new Map<string, number>();
  const samples: number[] = [];
  let unknown = 0;
  let duplicates = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const d of delivered) {
    const acceptedAt = d.benchId === null ? undefined : accepted.get(d.benchId);
    if (d.benchId === null || acceptedAt === undefined) {
      unknown++;
      continue;
    }
    const count = (seen.get(d.benchId) ?? 0) + 1;
    seen.set(d.benchId, count);
    if (count > 1) {
      duplicates++;
      continue;
    }
    samples.push(d.atMs - acceptedAt);
    first = Math.min(first, acceptedAt);
    last = Math.max(last, d.atMs);
  }
  const span = (last - first) / 1000;
  return {
    accepted: accepted.size,
    delivered: delivered.length,
    matched: samples.length,
    missing: accepted.size - samples.length,
    duplicates,
    unknown,
    dkimSigned: delivered.filter((d) => d.dkim).length,
    latencyMs: summarize(samples),
    deliveredPerSec: samples.length > 0 && span > 0 ? Math.round((samples.length / span) * 10) / 10 : null,
  };
}

const HEADER_WINDOW = 16 * 1024;

/** The bench id and DKIM presence, from the header block at the start of a dumped message. */
async function inspectHeader(path: string): Promise<{ benchId: string | null; dkim: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEADER_WINDOW);
    const { bytesRead } = await handle.read(buf, 0, HEADER_WINDOW, 0);
    const text = buf.toString('latin1', 0, bytesRead);
    const end = text.search(/\r?\n\r?\n/);
    const header = end === -1 ? text : text.slice(0, end);
    return { benchId: /^X-Bench-Id:[ \t]*(\S+)/im.exec(header)?.[1] ?? null, dkim: /^DKIM-Signature:/im.test(header) };
  } finally {
    await handle.close();
  }
}

async function readDelivered(dir: string): Promise<Delivered[]> {
  const names = await readdir(dir);
  const out: Delivered[] = [];
  const batch = 64;
  for (let i = 0; i < names.length; i += batch) {
    const part = names.slice(i, i + batch).map(async (name) => {
      const path = join(dir, name);
      const [info, head] = await Promise.all([stat(path), inspectHeader(path)]);
      return { ...head, atMs: info.mtimeMs };
    });
    out.push(...(await Promise.all(part)));
  }
  return out;
}

async function readAcceptLog(path: string): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const [id, at] = line.split('\t');
    if (id && at) accepted.set(id, Number(at));
  }
  return accepted;
}

async function main(): Promise<void> {
  const [acceptLog, dumpDir] = process.argv.slice(2);
  if (!acceptLog || !dumpDir) {
    process.stderr.write('usage: node bench/load/e2e-latency.ts ACCEPT_LOG DUMP_DIR\n');
    process.exitCode = 2;
    return;
  }
  const result = joinLatencies(await readAcceptLog(acceptLog), await readDelivered(dumpDir));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.main) await main();
