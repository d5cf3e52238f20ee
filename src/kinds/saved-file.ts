import { parseSavedStrategy, readSavedDocument } from '../fuse/saved-strategy.js';
import type { SavedStrategy } from '../fuse/strategy.js';
import { kindOf, type PLUGINS } from './registry.js';

type Plugin = (typeof PLUGINS)[number];
type PluginOf<K extends Plugin['kind']> = Extract<Plugin, { kind: K }>;

/** One kind's saved file restored: the document and its fitted strategy, typed by the kind's plug-in (distributed over the kinds). */
type RestoredOf<K extends Plugin['kind']> = K extends Plugin['kind'] ? { kind: K; saved: Extract<SavedStrategy, { kind: K }>; fitted: ReturnType<PluginOf<K>['restoreSaved']> } : never;

/** A saved strategy file of any kind, restored by its kind's plug-in: a union narrowed on `kind`. */
export type RestoredStrategy = RestoredOf<Plugin['kind']>;

/**
 * Reads, validates and restores a `fusion fit --out` file (or one written by writeSavedStrategy) of
 * any task kind: the envelope once for every kind, the fitted state by the plug-in of the kind the
 * file names. Every problem is an InputError naming `file` and the field.
 */
export function readSavedStrategy(file: string): RestoredStrategy {
  return restoreSaved(file, readSavedDocument(file));
}

/** The same for a document already parsed (JSON read elsewhere): `file` names it in the errors. */
export function loadSavedStrategy(file: string, raw: unknown): RestoredStrategy {
  return restoreSaved(file, parseSavedStrategy(file, raw));
}

function restoreSaved(file: string, saved: SavedStrategy): RestoredStrategy {
  // The plug-in restores what its kind's saved documents hold; the union says which plug-in that was.
  return { kind: saved.kind, saved, fitted: kindOf(saved).restoreSaved(saved, file) } as RestoredStrategy;
}
