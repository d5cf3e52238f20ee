import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, type InputIssue } from '../task/errors.js';
import { readTextFileSync } from '../task/safe-read.js';

/**
 * Every placeholder a template may name: the shared ones (kind-prompt.ts, SHARED_PLACEHOLDERS) and
 * each kind's data slot and own ones. One vocabulary, so a typo is refused with its line when the
 * template is parsed, before its kind is known; which of them a kind fills is the kind's prompt part.
 */
export const PLACEHOLDERS = [
  'instructions',
  'labels',
  'label_names',
  'text',
  'question',
  'choices',
  'answer_format',
  'id',
  'task_name',
  'min',
  'max',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PromptTemplate {
  /** Where it came from, for error messages. */
  file: string;
  system?: string;
  user: string;
  /** Placeholders used anywhere in the template. */
  placeholders: ReadonlySet<Placeholder>;
}

const SECTION = /^\s*<!--\s*(system|user)\s*-->\s*$/;
export const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Parses a template: optional `<!-- system -->` and `<!-- user -->` marker lines split it into
 * messages (text before the first marker is a note for people); without markers the whole text
 * is the user message. Unknown placeholders are reported with their line, so a typo cannot send
 * a literal `{{lables}}` to a paid model.
 */
export function parseTemplate(text: string, file: string): PromptTemplate {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const issues: InputIssue[] = [];
  const placeholders = new Set<Placeholder>();
  const sections: Record<'system' | 'user', string[] | undefined> = { system: undefined, user: undefined };
  let current: string[] | undefined;
  const hasMarkers = lines.some((l) => SECTION.test(l));
  if (!hasMarkers) current = sections.user = [];
  lines.forEach((line, i) => {
    const marker = SECTION.exec(line);
    if (marker) {
      const name = marker[1] as 'system' | 'user';
      if (sections[name] !== undefined) issues.push({ file, line: i + 1, message: `the ${name} section appears twice` });
      current = sections[name] = [];
      return;
    }
    if (current === undefined) return;
    for (const m of line.matchAll(PLACEHOLDER_PATTERN)) {
      const name = m[1]!;
      if (isPlaceholder(name)) placeholders.add(name);
      else issues.push({ file, line: i + 1, field: name, message: `unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.join(', ')}` });
    }
    current.push(line);
  });
  const user = sections.user?.join('\n').trim();
  if (user === undefined || user === '') issues.push({ file, message: 'the template has no user section (or it is empty)' });
  if (issues.length > 0) throw new InputError(issues);
  const system = sections.system?.join('\n').trim();
  return { file, user: user!, placeholders, ...(system ? { system } : {}) };
}

/** The prompts/ folder shipped with the package: two levels above this file both in src/ and in dist/. */
export function defaultPromptsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prompts');
}

export interface TemplateLocation {
  /** Where relative template paths are resolved (usually the task file's folder); default: cwd. */
  baseDir?: string;
  /** Where template names are looked up; default: the package's prompts/. */
  promptsDir?: string;
}

/** A bare name (`qa`, `my-style`) is looked up in prompts/; anything with a slash or an extension is a path. */
export function resolveTemplatePath(nameOrPath: string, location: TemplateLocation = {}): string {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.(md|txt)$/i.test(nameOrPath);
  if (looksLikePath) return isAbsolute(nameOrPath) ? nameOrPath : resolve(location.baseDir ?? process.cwd(), nameOrPath);
  return join(location.promptsDir ?? defaultPromptsDir(), `${nameOrPath}.md`);
}

/** True when `file` (symlinks resolved) lies inside `dir`. */
function inside(file: string, dir: string): boolean {
  let real: string;
  let root: string;
  try {
    real = realpathSync(file);
    root = realpathSync(dir);
  } catch {
    return false;
  }
  const rel = relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Loads a template, only from the task's folder (or below) or the prompts folder: a task file
 * cannot make the tool read (and send to a paid model) an arbitrary file such as ~/.ssh/id_rsa or
 * /dev/zero. Regular files only, size-bounded, strict UTF-8.
 */
export function loadTemplate(nameOrPath: string, location: TemplateLocation = {}): PromptTemplate {
  const file = resolveTemplatePath(nameOrPath, location);
  if (!existsSync(file)) {
    throw new InputError([{ file, message: `prompt template "${nameOrPath}" not found` }]);
  }
  const roots = [location.baseDir ?? process.cwd(), location.promptsDir ?? defaultPromptsDir()];
  if (!roots.some((root) => inside(file, root))) {
    throw new InputError([{ file, message: `prompt template "${nameOrPath}" is outside the task's folder and prompts/; templates are read only from there` }]);
  }
  return parseTemplate(readTextFileSync(file), file);
}
