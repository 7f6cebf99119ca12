/**
 * Loads the content gate's rule data files (sectors.yaml, health.yaml, attachments.yaml from
 * `filter.rulesDir`, default the bundled config/filter), validates them against TypeBox schemas
 * and compiles their term lists into TermIndexes, once at start. A bad file stops the process
 * with MTA_ERR_CONFIG_INVALID naming the file and the key (MTA_ERR_CONFIG_FILE when unreadable),
 * like the config itself (platform/data-file.ts).
 * Exports loadFilterRules, FilterRules, SectorRules, SectorTerm, DEFAULT_RULES_DIR.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { readDataFile } from '../../platform/index.ts';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import { TermIndex, words } from './terms.ts';

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../../config/filter/', import.meta.url));

const Strict = { additionalProperties: false } as const;
const Terms = Type.Array(Type.Union([Type.String({ minLength: 1 }), Type.Number()]));

const SectorsFile = Type.Object(
  {
    weights: Type.Object({ strong: Type.Number(), medium: Type.Number(), weak: Type.Number(), domain: Type.Number(), unless: Type.Number() }, Strict),
    repeatFactor: Type.Number({ minimum: 1 }),
    subjectBonus: Type.Number({ minimum: 0 }),
    sectors: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
      Type.Object(
        { label: Type.String(), strong: Terms, medium: Type.Optional(Terms), weak: Type.Optional(Terms), unless: Type.Optional(Terms), domains: Type.Optional(Type.Array(Type.String())) },
        Strict,
      ),
    ),
  },
  Strict,
);
const HealthFile = Type.Object(
  { weights: Type.Object({ strong: Type.Number(), medium: Type.Number() }, Strict), strong: Terms, medium: Terms, personal: Terms },
  Strict,
);
const Scores = ['executableContent', 'executableName', 'doubleExtension', 'bidiOverride', 'macroOffice', 'archiveExecutable', 'encryptedArchive', 'uninspectableArchive', 'scriptContent'] as const;
const AttachmentsFile = Type.Object(
  {
    scores: Type.Object(Object.fromEntries(Scores.map((k) => [k, Type.Number({ minimum: 0 })])) as Record<(typeof Scores)[number], ReturnType<typeof Type.Number>>, Strict),
    executable: Type.Array(Type.String()),
    macroOffice: Type.Array(Type.String()),
    document: Type.Array(Type.String()),
    uninspectableArchive: Type.Array(Type.String()),
  },
  Strict,
);

export type SectorTier = 'strong' | 'medium' | 'weak' | 'unless';
export interface SectorTerm {
  readonly sector: string;
  readonly tier: SectorTier;
}
export interface SectorRules {
  readonly labels: ReadonlyMap<string, string>;
  /** Every sector's terms in ONE index: one pass over the words finds all sectors' hits. */
  readonly terms: TermIndex<SectorTerm>;
  readonly domains: ReadonlyMap<string, readonly string[]>;
  readonly weights: Static<typeof SectorsFile>['weights'];
  readonly repeatFactor: number;
  readonly subjectBonus: number;
}
export interface HealthRules {
  readonly terms: TermIndex<'strong' | 'medium'>;
  readonly personal: TermIndex<true>;
  readonly weights: Static<typeof HealthFile>['weights'];
}
export type AttachmentRules = Static<typeof AttachmentsFile>;

export interface FilterRules {
  readonly sectors: SectorRules;
  readonly health: HealthRules;
  readonly attachments: AttachmentRules;
}

function readRuleFile<S extends TSchema>(dir: string, name: string, schema: S): Static<S> {
  return readDataFile(join(dir, name), schema, 'filter rule file');
}

function compileSectors(file: Static<typeof SectorsFile>, path: string): SectorRules {
  const terms = new TermIndex<SectorTerm>();
  const labels = new Map<string, string>();
  const domains = new Map<string, string[]>();
  for (const [sector, rules] of Object.entries(file.sectors)) {
    labels.set(sector, rules.label);
    domains.set(sector, (rules.domains ?? []).map((d) => d.toLowerCase()));
    const seen = new Set<string>();
    for (const tier of ['strong', 'medium', 'weak', 'unless'] as const) {
      for (const term of rules[tier] ?? []) {
        // `votează` and `voteaza` are one term once accents are dropped: the first tier listed wins.
        const key = `${words(String(term)).join(' ')}${String(term).trim().endsWith('*') ? '*' : ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        try {
          terms.add(String(term), { sector, tier });
        } catch (cause) {
          throw new FerryError(ErrorCodes.CONFIG_INVALID, `filter rule file ${path}: sectors.${sector}.${tier}: ${(cause as Error).message}`, { cause });
        }
      }
    }
  }
  return { labels, terms, domains, weights: file.weights, repeatFactor: file.repeatFactor, subjectBonus: file.subjectBonus };
}

function compileHealth(file: Static<typeof HealthFile>): HealthRules {
  const terms = new TermIndex<'strong' | 'medium'>();
  for (const term of file.strong) terms.add(String(term), 'strong');
  for (const term of file.medium) terms.add(String(term), 'medium');
  const personal = new TermIndex<true>();
  for (const term of file.personal) personal.add(String(term), true);
  return { terms, personal, weights: file.weights };
}

export function loadFilterRules(rulesDir: string): FilterRules {
  const dir = rulesDir === '' ? DEFAULT_RULES_DIR : rulesDir;
  return {
    sectors: compileSectors(readRuleFile(dir, 'sectors.yaml', SectorsFile), join(dir, 'sectors.yaml')),
    health: compileHealth(readRuleFile(dir, 'health.yaml', HealthFile)),
    attachments: readRuleFile(dir, 'attachments.yaml', AttachmentsFile),
  };
}
