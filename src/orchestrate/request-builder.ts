import type { GenerateRequest, LanguageModel } from '../providers/provider.js';
import type { ClassificationItem, QaItem, Task } from '../task/schema.js';

/** Turns one item into the request sent to one model (prompt template, parameters). */
export type RequestBuilder = (task: Task, item: ClassificationItem | QaItem, model: LanguageModel) => GenerateRequest;
