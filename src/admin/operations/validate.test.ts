/**
 * Unit tests for the pure input checks of src/admin/operations/validate.ts: domain names,
 * tenant names and CIDR networks, accepted forms normalised and bad forms named.
 */
import t from 'tap';
import { validateCidr, validateDomainName, validateTenantName } from './validate.ts';

t.test('domain names', async (t) => {
  t.equal(validateDomainName('Mail.Example.COM.'), 'mail.example.com');
  t.equal(validateDomainName('xn--bcher-kva.example'), 'xn--bcher-kva.example');
  for (const bad of ['', 'localhost', 'a..b', '-a.com', 'a-.com', 'exa mple.com', 'bücher.de', '1.2.3.4', `${'a'.repeat(64)}.com`, 'a_b.com']) {
    t.throws(() => validateDomainName(bad), { code: 'MTA_ERR_INVALID_INPUT', message: /domain/ }, JSON.stringify(bad));
  }
});

t.test('tenant names', async (t) => {
  t.equal(validateTenantName('acme-1.prod_x'), 'acme-1.prod_x');
  for (const bad of ['', '-x', 'a b', 'tn_abc', 'x'.repeat(65)]) {
    t.throws(() => validateTenantName(bad), { code: 'MTA_ERR_INVALID_INPUT' }, JSON.stringify(bad));
  }
});

t.test('CIDR networks', async (t) => {
  t.equal(validateCidr('10.0.0.0/8'), '10.0.0.0/8');
  t.equal(validateCidr('127.0.0.1'), '127.0.0.1/32');
  t.equal(validateCidr('FD00::/8'), 'fd00::/8');
  t.equal(validateCidr('::1'), '::1/128');
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x/8', '10.0.0.0/8/1', '::/129', '10.0.0.0/-1', '']) {
    t.throws(() => validateCidr(bad), { code: 'MTA_ERR_INVALID_INPUT' }, JSON.stringify(bad));
  }
});
