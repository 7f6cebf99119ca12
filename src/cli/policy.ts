/**
 * `ferry policy check --tenant T`: reads one raw message on stdin and prints the content gate's
 * verdict as one JSON line — {"verdict": "accept|refuse|tempfail|monitor", "reasons": [{check,
 * code, score, detail}], "reference", "reply"} — for the abuse desk and tenants testing content.
 * It runs the same gate and tenant policy as the relay, reads tenant reputation from the store,
 * but sends, queues and changes nothing (reputation is assessed, never acted on). Also
 * `policy block-sender|unblock-sender` (one AdminAction record each). Exports policyCheck,
 * policyBlockSender, policyUnblockSender.
 */
import { ErrorCodes, FerryError, oneClickPolicyOf } from '../domain/index.ts';
import { blockSender, createContentGate } from '../policy/index.ts';
import { usageError, expectArgs } from './args.ts';
import { readCapped } from './bounce.ts';
import type { CommandContext } from './context.ts';
import { withState } from './context.ts';

const MAX_STDIN_BYTES = 50 * 1024 * 1024;

/** The envelope sender stands in as the From: address (what a tenant's relay would send as MAIL FROM). */
export function fromAddressOf(raw: Buffer): string {
  const head = raw.subarray(0, 64 * 1024).toString('utf8').split(/\r?\n\r?\n/, 1)[0] ?? '';
  const field = /^from:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head)?.[1] ?? '';
  const address = /<([^<>@\s]+@[^<>\s]+)>/.exec(field)?.[1] ?? /([^\s<>"]+@[^\s<>",;]+)/.exec(field)?.[1] ?? '';
  return address.toLowerCase();
}

export async function policyCheck(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'policy check');
  const wanted = context.args.operator.tenant;
  if (!wanted) throw usageError('policy check needs --tenant T');
  const raw = await readCapped(process.stdin, Math.min(MAX_STDIN_BYTES, context.config.ingress.limits.maxMessageSize));
  await withState(context, async (state) => {
    const tenant = await state.getTenant(wanted);
    if (!tenant) throw new FerryError(ErrorCodes.NOT_FOUND, `no tenant ${wanted}`);
    const gate = createContentGate(context.config.filter, { state, dns: context.config.dns, act: false, oneClick: oneClickPolicyOf(context.config.feedback) });
    if (!gate) {
      process.stdout.write(JSON.stringify({ verdict: 'accept', reasons: [], note: 'filter.enabled is false' }) + '\n');
      return;
    }
    const mailFrom = fromAddressOf(raw);
    const own = tenant.contentPolicy ? { contentPolicy: tenant.contentPolicy } : {};
    const outcome = await gate.evaluate(raw, { tenantId: tenant.id, mailFrom, recipients: [], clientIp: '127.0.0.1', ...own });
    const reasons = outcome.record.results.map((r) => ({ check: r.check, outcome: r.outcome, code: r.code ?? 'none', score: r.score, detail: r.detail ?? '' }));
    const reply = outcome.verdict.kind === 'accept' ? undefined : outcome.verdict.text;
    process.stdout.write(JSON.stringify({ verdict: outcome.record.verdict, reasons, reference: outcome.record.ref, ...(reply ? { reply } : {}) }) + '\n');
  });
}

async function setSenderBlock(context: CommandContext, unblock: boolean): Promise<void> {
  const command = unblock ? 'policy unblock-sender' : 'policy block-sender';
  const [sender = ''] = expectArgs(context.rest, ['SENDER'], command);
  const wanted = context.args.operator.tenant;
  if (!wanted) throw usageError(`${command} needs --tenant T`);
  await withState(context, async (state) => {
    const tenant = await state.getTenant(wanted);
    if (!tenant) throw new FerryError(ErrorCodes.NOT_FOUND, `no tenant ${wanted}`);
    const reason = context.args.reason;
    await blockSender(state, { tenantId: tenant.id, sender, actor: 'cli', unblock, ...(reason ? { reason } : {}) });
    context.out.result({ tenantId: tenant.id, sender, blocked: !unblock }, () => [`${sender} ${unblock ? 'unblocked' : 'blocked'} for ${tenant.id}`]);
  });
}

/** `ferry policy block-sender --tenant T SENDER [--reason R]`: that key id / X-Ferry-Sender is refused 550 5.7.1. */
export const policyBlockSender = (context: CommandContext) => setSenderBlock(context, false);
export const policyUnblockSender = (context: CommandContext) => setSenderBlock(context, true);
