/**
 * `ferry bounce parse`: reads one raw email on stdin and prints the bounce parser's verdict as
 * one JSON line: {"bounce", "feedback", "recipients": [{address, status, hard, class, reason}]}
 * (the same with or without --json; it is always machine output). Exports bounceParse.
 * Reads at most DEFAULT_MIME_LIMITS.maxBytes of stdin and drains the rest, so a huge message
 * neither exhausts memory nor leaves the writer blocked.
 */
import { parseBounce, toContract } from '../feedback/bounce/index.ts';
import { DEFAULT_MIME_LIMITS } from '../feedback/bounce/mime.ts';
import { expectArgs } from './args.ts';
import type { CommandContext } from './context.ts';

/** Up to `maxBytes` of a stream; the remainder is read and dropped. */
export async function readCapped(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (kept >= maxBytes) continue;
    const take = bytes.subarray(0, maxBytes - kept);
    chunks.push(take);
    kept += take.length;
  }
  return Buffer.concat(chunks);
}

export async function bounceParse(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'bounce parse');
  const raw = await readCapped(process.stdin, DEFAULT_MIME_LIMITS.maxBytes);
  process.stdout.write(JSON.stringify(toContract(parseBounce(raw))) + '\n');
}
