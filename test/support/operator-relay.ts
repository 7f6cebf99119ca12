/**
 * Helpers for tests that drive a real relay process as an operator: provision a tenant with a
 * sending domain, an API key and an admin token (read,queues) through the CLI, and send mail as
 * that tenant over STARTTLS + AUTH. Exports provisionOperatorTenant, sendAs.
 */
import nodemailer from 'nodemailer';
import { runCli } from './relay-process.ts';

export async function provisionOperatorTenant(dataDir: string): Promise<{ apiKey: string; token: string }> {
  await runCli(dataDir, ['tenant', 'add', 'queueco']);
  await runCli(dataDir, ['domain', 'add', 'queueco', 'queue.test']);
  const apiKey = (JSON.parse(await runCli(dataDir, ['--json', 'key', 'add', 'queueco'])) as { key: string }).key;
  const token = (JSON.parse(await runCli(dataDir, ['--json', 'admin', 'token', 'add', '--name', 'ops', '--scopes', 'read,queues'])) as { token: string }).token;
  return { apiKey, token };
}

export async function sendAs(port: number, apiKey: string, recipients: readonly string[]): Promise<string[]> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'queueco', pass: apiKey } });
  const ids: string[] = [];
  for (const to of recipients) {
    const info = await transport.sendMail({ from: 'app@queue.test', to, subject: 'q', text: 'hello' });
    ids.push(/queued as (\S+)/.exec(info.response)?.[1] ?? '');
  }
  transport.close();
  return ids;
}
