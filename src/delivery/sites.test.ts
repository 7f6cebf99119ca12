// Unit tests for site rollup: configured patterns, the suffix rule, and TLS from the site entry.
import t from 'tap';
import { createSiteMatcher, registrableSuffix } from './sites.ts';

const sites = [
  { name: 'google', mx: ['*.google.com', '*.googlemail.com'] },
  { name: 'strict', mx: ['mx.strict.test'], tls: 'required' as const },
];
const siteFor = createSiteMatcher(sites);

t.test('configured patterns roll MX hosts of one provider into one site', async (t) => {
  t.same(siteFor('a.mx.google.com'), { site: 'google', tls: 'opportunistic' });
  t.same(siteFor('ASPMX.L.GOOGLE.COM.'), { site: 'google', tls: 'opportunistic' });
  t.same(siteFor('alt1.gmail-smtp-in.l.googlemail.com'), { site: 'google', tls: 'opportunistic' });
  t.equal(siteFor('google.com').site, 'google.com', '*.google.com needs a label below google.com');
  t.equal(siteFor('notgoogle.com').site, 'notgoogle.com');
});

t.test('an exact pattern matches only that host and carries its TLS policy', async (t) => {
  t.same(siteFor('mx.strict.test'), { site: 'strict', tls: 'required' });
  t.same(siteFor('mx2.strict.test'), { site: 'strict.test', tls: 'opportunistic' });
});

t.test('unknown hosts roll up to their registrable-looking suffix', async (t) => {
  t.equal(registrableSuffix('mx1.example.com'), 'example.com');
  t.equal(registrableSuffix('a.b.c.example.net'), 'example.net');
  t.equal(registrableSuffix('mx.example.co.uk'), 'example.co.uk');
  t.equal(registrableSuffix('mail.provider.com.au'), 'provider.com.au');
  t.equal(registrableSuffix('mx.example.de'), 'example.de');
  t.equal(registrableSuffix('co.uk'), 'co.uk');
  t.equal(registrableSuffix('localhost'), 'localhost');
});
