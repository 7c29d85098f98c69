/**
 * Throwaway ferry installations for the delivery benchmark: a profiles folder holding the bench
 * profile pointed at an inbox and a target, a results folder and a data dir, all in one temporary
 * folder under `.bench/` (the same file system as the reference CSVs, so they can be hard-linked
 * into the inbox instead of copied).
 */
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The profile id every workspace uses. */
export const DELIVERY_PROFILE_ID = 'bench-delivery';

/** One workspace; see {@link createDeliveryWorkspace}. */
export interface DeliveryWorkspace {
  readonly root: string;
  readonly profiles: string;
  readonly inbox: string;
  readonly results: string;
  readonly data: string;
  /** FERRY_PROFILES, FERRY_DATA and FERRY_LOG_LEVEL=warn for `ferry run`. */
  readonly env: Readonly<Record<string, string>>;
  /** Puts `file` into the inbox as `name`: a hard link where possible, else a copy. */
  drop(file: string, name: string): Promise<void>;
  /** Files directly in the inbox (what is still waiting). */
  waiting(): Promise<string[]>;
  remove(): Promise<void>;
}

/** How the workspace's profile delivers. */
export interface DeliverySettings {
  /** Base URL of the target; records go to `<url>/v1/orders`. */
  readonly targetUrl: string;
  readonly batchSize: number;
  readonly concurrency: number;
  /** `target.stream: true`: chunks go out while the file is still read */
  readonly stream?: boolean;
}

/**
 * The bench profile (`scripts/bench/profiles/<base>.yaml`: format, fields, lookups, key) plus the
 * source, target and results blocks of issue 3's benchmark. The base profile has none of those
 * blocks, so appending them keeps it valid YAML with unique keys.
 */
export function deliveryProfileYaml(base: string, dirs: { inbox: string; results: string }, settings: DeliverySettings): string {
  return `${base.trimEnd()}
source:
  type: local
  dir: ${JSON.stringify(dirs.inbox)}
  include: ["*.csv"]
  stable: { minAge: 0s }
target:
  type: http
  url: ${JSON.stringify(`${settings.targetUrl}/v1/orders`)}
  batchSize: ${settings.batchSize}
  concurrency: ${settings.concurrency}
${settings.stream === true ? '  stream: true\n' : ''}  retry: { attempts: 3 }
results:
  to: { dir: ${JSON.stringify(dirs.results)} }
  name: "{stem}.result.csv"
`;
}

/**
 * Creates a workspace below `parentDir` whose profile is `baseProfile` (a path to a bench profile
 * YAML) with the delivery blocks added.
 */
export async function createDeliveryWorkspace(parentDir: string, baseProfile: string, settings: DeliverySettings): Promise<DeliveryWorkspace> {
  await mkdir(parentDir, { recursive: true });
  const root = await mkdtemp(join(parentDir, 'delivery-ws-'));
  const profiles = join(root, 'profiles');
  const inbox = join(root, 'inbox');
  const results = join(root, 'results');
  const data = join(root, 'data');
  await Promise.all([profiles, inbox, results, data].map((dir) => mkdir(dir, { recursive: true })));
  const base = await readFile(baseProfile, 'utf8');
  await writeFile(join(profiles, `${DELIVERY_PROFILE_ID}.yaml`), deliveryProfileYaml(base, { inbox, results }, settings));
  return {
    root,
    profiles,
    inbox,
    results,
    data,
    env: { FERRY_PROFILES: profiles, FERRY_DATA: data, FERRY_LOG_LEVEL: 'warn' },
    async drop(file, name) {
      const target = join(inbox, name);
      try {
        await link(file, target);
      } catch {
        await copyFile(file, target);
      }
    },
    async waiting() {
      const entries = await readdir(inbox, { withFileTypes: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
