import type { CompiledMapping } from '../mapping/compile.js';
import type { Connection } from './connection-schema.js';
import type { ExportProfile } from './export-schema.js';
import type { Profile } from './schema.js';

/** Path of keys and indexes from the root of a YAML document to a value. */
export type KeyPath = readonly (string | number)[];

/** One thing wrong with a profile or connection file, located for the admin who must fix it. */
export interface Problem {
  /** the file as the user named it, e.g. `profiles/erp-orders.yaml` */
  readonly file: string;
  /** 1-based line of the offending key or value; 0 when the file itself is the problem */
  readonly line: number;
  readonly path: KeyPath;
  /** what is wrong and what is allowed */
  readonly message: string;
  /** warnings do not make a profile invalid */
  readonly severity: 'error' | 'warning';
}

/** A parsed YAML file that can say on which line a key path is. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  lineOf(path: KeyPath): number;
}

/** A profile that passed validation, with its secrets resolved and its connections looked up. */
export interface LoadedProfile {
  readonly id: string;
  /** absolute path of the YAML file */
  readonly path: string;
  /** the folder holding the profile; lookups and tests are relative to it */
  readonly dir: string;
  readonly profile: Profile;
  /** the named or inline connections this profile uses, by role */
  readonly connections: { readonly source?: Connection; readonly results?: Connection; readonly target?: Connection; readonly trigger?: Connection };
  /** sha256 of the profile file's bytes (hex), the content part of the profile version */
  readonly contentHash: string;
  /** the profile file's text, kept with its version in the state store */
  readonly text: string;
  /** the field mapping, compiled with its lookups */
  readonly mapping: CompiledMapping;
  /**
   * For `kind: export` profiles, the export as written; `profile` then holds only its fields,
   * lookups, params, trigger and notify, so the mapping and the daemon's triggers serve both kinds.
   */
  readonly export?: ExportProfile;
}

/** The result of reading a profiles folder. */
export interface ProfileSet {
  readonly profiles: ReadonlyMap<string, LoadedProfile>;
  readonly connections: ReadonlyMap<string, Connection>;
  readonly problems: readonly Problem[];
}
