import { InputError } from '../errors.js';
import { NO_PARAMS, resolveParams, type RunParams } from '../profiles/run-params.js';
import type { LoadedProfile } from '../profiles/types.js';
import type { BatchRow, StateStore } from '../store/types.js';

/**
 * The last run's parameter texts per store: a run's parameters are written once, with the run, so
 * the batches of one run (a thousand small files) read them once instead of once each.
 */
const lastRunParams = new WeakMap<StateStore, { readonly runId: string; readonly texts: Readonly<Record<string, string>> }>();

async function runParamTexts(store: StateStore, runId: string): Promise<Readonly<Record<string, string>>> {
  const known = lastRunParams.get(store);
  if (known?.runId === runId) return known.texts;
  const run = await store.getRun(runId);
  const texts = run?.params ?? {};
  if (run !== undefined) lastRunParams.set(store, { runId, texts });
  return texts;
}

/** The parameters of the batch's run, as the ledger kept them; resolved again with the profile. */
export async function batchRunParams(store: StateStore, b: BatchRow, loaded: LoadedProfile): Promise<RunParams> {
  const texts = await runParamTexts(store, b.runId);
  if (Object.keys(texts).length === 0 && loaded.profile.params === undefined) return NO_PARAMS;
  const resolved = resolveParams(loaded.profile.params, texts);
  if (!resolved.ok) throw new InputError('E_PARAMS', `the run's parameters do not fit profile ${loaded.id}: ${resolved.problems.join('; ')}`, { location: { file: b.fileName } });
  return resolved.params;
}
