import type { GenerateRequest, LanguageModel } from '../providers/provider.js';
import type { Task, TaskItem } from '../task/schema.js';

/** Turns one item into the request sent to one model (prompt template, parameters). */
export type RequestBuilder = (task: Task, item: TaskItem, model: LanguageModel) => GenerateRequest;
