import t from 'tap';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, maskSecrets } from './load.ts';
import { isFerryError } from '../domain/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

t.test('embedded defaults load and are frozen', async (t) => {
  const config = loadConfig({ env: {} });
  t.equal(config.ingress.host, '127.0.0.1');
  t.equal(config.ingress.submission.port, 2587);
  t.equal(config.ingress.smtps.port, 2465);
  t.equal(config.dataDir, './var');
  t.ok(Object.isFrozen(config.ingress.limits));
  t.throws(() => {
    (config as { dataDir: string }).dataDir = 'x';
  });
});

t.test('override file then env, env wins', async (t) => {
  const path = file('a.yaml', 'ingress:\n  submission: { port: 3000 }\ndataDir: /tmp/x\n');
  const config = loadConfig({ file: path, env: { FERRY_INGRESS_SUBMISSION_PORT: '3001' } });
  t.equal(config.ingress.submission.port, 3001);
  t.equal(config.ingress.smtps.port, 2465, 'untouched keys keep defaults');
  t.equal(config.dataDir, '/tmp/x');
  const viaEnv = loadConfig({ env: { FERRY_CONFIG: path, FERRY_DATA_DIR: '/tmp/y' } });
  t.equal(viaEnv.ingress.submission.port, 3000);
  t.equal(viaEnv.dataDir, '/tmp/y');
});

t.test('unknown keys and bad values name the key', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ FERRY_CONFIG: file('b.yaml', 'ingress:\n  submision: { port: 1 }\n') }, /ingress\.submision: unknown key/],
    [{ FERRY_CONFIG: file('c.yaml', 'ingress:\n  submission: { port: 99999 }\n') }, /ingress\.submission\.port/],
    [{ FERRY_CONFIG: file('d.yaml', 'ingress: [1, 2\n') }, /not valid YAML/],
    [{ FERRY_INGRES_HOST: 'x' }, /unknown environment variable FERRY_INGRES_HOST/],
    [{ FERRY_INGRESS_SMTPS_PORT: 'abc' }, /ingress\.smtps\.port/],
  ];
  for (const [env, pattern] of cases) {
    try {
      loadConfig({ env });
      t.fail(`expected failure for ${JSON.stringify(env)}`);
    } catch (error) {
      t.ok(isFerryError(error), 'a FerryError');
      t.match((error as Error).message, pattern);
    }
  }
});

t.test('secrets are masked in print', async (t) => {
  const config = loadConfig({ env: { FERRY_SECRETS_MASTER_KEY: 'a'.repeat(64) } });
  const masked = maskSecrets(config) as { secrets: { masterKey: string } };
  t.equal(masked.secrets.masterKey, '***');
  t.equal(config.secrets.masterKey, 'a'.repeat(64));
});
