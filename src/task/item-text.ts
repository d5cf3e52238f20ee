import type { TaskItem } from './schema.js';

/** The field that holds what the models are asked about an item: its text, or a QA item's question. */
export function itemTextField(item: TaskItem): 'text' | 'question' {
  return 'text' in item ? 'text' : 'question';
}

/** What the models were asked about an item: its text, or a QA item's question. */
export function itemText(item: TaskItem): string {
  return 'text' in item ? item.text : item.question;
}

/** Each item's text by id, for the pages that show items next to their answers. */
export function itemTexts(items: readonly TaskItem[]): Map<string, string> {
  return new Map(items.map((it) => [it.id, itemText(it)]));
}
